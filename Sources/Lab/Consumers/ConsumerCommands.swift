import Foundation
import Kafka
import Synchronization

/// The consumer lab: `seed` fills the topic the consumer benchmarks read,
/// `group strategies` compares eager and cooperative rebalancing, `group
/// static` shows static membership, `group describe` asks the coordinator.
/// (`bench consume` lives in ConsumerBenchCommands, to hang under `bench`.)
enum ConsumerCommands {
    static var all: [Command] { [seed, group, CommitDemo.command] }

    static let defaultTopic = "consumer-tuning"
    static let defaultPartitions = 6

    // MARK: seed

    static let seed = Command(
        "seed", summary: "fill a topic with numbered messages for the consumer benchmarks",
        usage: "seed [<topic>] [--count 50000] [--size BYTES] [--partitions 6]",
        options: ["--count", "--size", "--partitions"],
        details: """
            Produces --count messages (value: an 8-digit number padded to --size bytes, default 100) round-robin over the \
            partitions, as fast as the producer allows, with the session's producer properties. The topic (default \
            \(defaultTopic)) is created with --partitions (default \(defaultPartitions)) when missing; an existing topic is \
            appended to. `bench consume` and `group strategies` read it.
            """,
        completes: .topics
    ) { ctx in try runSeed(ctx) }

    /// Writes `n` as 8 (or more) decimal digits at the start of `buffer`.
    static func writeNumber(_ n: Int, into buffer: inout [UInt8]) {
        let digits = Array(String(format: "%08d", n).utf8)
        for i in 0..<min(digits.count, buffer.count) { buffer[i] = digits[i] }
    }

    static func format(_ v: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", v) }

    // MARK: group

    static let group = Command(
        "group", summary: "consumer groups: assignment strategies, static membership, max.poll.interval.ms, describe",
        usage: "group strategies|static|max-poll|describe ...",
        subcommands: [strategies, staticMembership, MaxPollDemo.command, describe]
    )

    static let strategyNames = ["range", "roundrobin", "cooperative-sticky"]

    static let strategies = Command(
        "strategies", summary: "eager (range, roundrobin) vs cooperative-sticky rebalancing, measured",
        usage:
            "group strategies [range|roundrobin|cooperative-sticky ...] [--consumers 3] [--topic T] [--session-timeout 6s]",
        options: ["--consumers", "--topic", "--session-timeout"],
        details: """
            For each strategy: N consumers of one fresh group run in this process, each polled on its own thread; \
            once the assignment settles one consumer joins, then one leaves. Every assignment and revocation is \
            recorded with its time; the summary counts partitions moved and revoked, the members that owned nothing \
            for a while, and the longest such pause. The strategies run at the same time, each in a group of its \
            own, and are printed one after the other. The embedded cluster settles a rebalance only after \
            session.timeout.ms - 1 s (cooperative needs two rounds), so the run says how long it will take; Ctrl-C \
            closes every consumer. The topic (default \(defaultTopic), `seed` makes it) needs more partitions than consumers.
            """,
        completes: .words(strategyNames)
    ) { ctx in
        try runStrategies(ctx)
    }

    static let staticMembership = Command(
        "static", summary: "static membership (group.instance.id): a restart without a rebalance",
        usage: "group static [--consumers 3] [--topic T] [--session-timeout 6s]",
        options: ["--consumers", "--topic", "--session-timeout"],
        details: """
            N consumers with group.instance.id settle; c1 is killed without leaving the group and restarted 1 s later \
            with the same instance id, well within session.timeout.ms; the output says whether the others saw a \
            rebalance and whether c1 got its partitions back. The same with dynamic members for contrast runs at \
            the same time in a group of its own (printed second). \
            The embedded cluster ignores group.instance.id, so there both runs rebalance: the difference can only be \
            seen on real Kafka (`connect compose`).
            """
    ) { ctx in
        try runStatic(ctx)
    }

    static let describe = Command(
        "describe", summary: "a group's state, protocol, members and assignments (real clusters)",
        usage: "group describe <group>"
    ) { ctx in try runDescribe(ctx) }
}

/// Delivery reports counted on the producer's polling thread.
final class DeliveryCounter: Sendable {
    private let ok = Atomic<Int>(0)
    private let bad = Atomic<Int>(0)
    private let firstError = Mutex<Int32?>(nil)

    func record(_ r: DeliveryReport) {
        if r.succeeded {
            ok.add(1, ordering: .relaxed)
        } else {
            bad.add(1, ordering: .relaxed)
            firstError.withLock { if $0 == nil { $0 = r.errorCode } }
        }
    }

    var delivered: Int { ok.load(ordering: .relaxed) }
    var failed: Int { bad.load(ordering: .relaxed) }
    var firstErrorName: String? { firstError.withLock { $0 }.map { KafkaError.name(of: $0) } }
}
