import Foundation
import Kafka
import Synchronization

/// `bench consume`: consumer throughput per combination of consumer
/// properties. It is a subcommand meant to hang under the `bench` family
/// (`BenchCommands`): add `ConsumerBenchCommands.benchConsume` to that
/// family's subcommands.
enum ConsumerBenchCommands {
    /// The most combinations one command runs (the product of the value lists).
    static let maxCombinations = 64

    /// Properties the benchmark sets itself for every run.
    static let controlled: [String: String] = [
        "group.id": "a fresh group per run",
        "group.instance.id": "a fresh dynamic member per run",
        "auto.offset.reset": "every run reads from the beginning (earliest)",
        "statistics.interval.ms":
            "the bench reads fetch counts from statistics every second, as rdkafka_performance does",
        "enable.partition.eof": "the bench counts records, not partition ends",
        "bootstrap.servers": "the session's connection",
    ]

    /// Consumer properties whose effective values the report prints.
    static let tuningKeys = [
        "fetch.min.bytes", "fetch.wait.max.ms", "max.partition.fetch.bytes", "fetch.max.bytes",
        "queued.min.messages", "queued.max.messages.kbytes", "check.crcs",
    ]

    static let benchConsume = Command(
        "consume", summary: "consumer throughput per combination of consumer properties",
        usage: "bench consume [key=v1,v2 ...] [--topic T] [--count N] [--consumers N] [--assign]",
        flags: ["--assign"], options: ["--topic", "--count", "--consumers"],
        details: """
            Reads the topic (default \(ConsumerCommands.defaultTopic), filled by `seed`) from the beginning once per \
            combination of the listed values, e.g. `bench consume fetch.min.bytes=1,65536 fetch.wait.max.ms=10,500`, \
            each run with a fresh group on top of the session's consumer properties; with no properties it measures \
            the session's config alone. Per run: messages/s and MiB/s of values between the first and the last record, \
            fetch requests (librdkafka statistics), time from start to the first record (group join included) and \
            total time; the best run is marked. Each run also checks it saw every record once (duplicates, per-partition \
            counts). Values are checked by librdkafka and producer properties refused before anything runs. \
            --assign takes every partition by hand instead of joining a group (no rebalance, nothing committed), as \
            `rdkafka_performance -C -p ...` does: the like-for-like mode for comparing with it. \
            --consumers N: N consumers at once, each on its own thread (one group, or with --assign the partitions \
            dealt round-robin), with the aggregate and each consumer's msgs/s. A "best" is marked only beyond the \
            measured spread (single runs: a 10 % lead), and msgs/s is withheld for runs shorter than 0.5 s. On the \
            embedded cluster the mock ignores fetch.min.bytes and max.partition.fetch.bytes (and fetch.wait.max.ms while \
            it has data): it answers each fetch with one message set per partition, so rows varying those differ by \
            noise and none is marked best.
            """,
        completes: .properties
    ) { ctx in
        try ConsumerBenchRunner.run(ctx)
    }

    /// The `key=v1,v2` words as a grid: consumer-side properties only, not the ones
    /// the bench sets itself, values validated by librdkafka.
    static func grid(_ words: [String]) throws -> BenchMatrix {
        try BenchMatrix(
            specs: words, example: "fetch.min.bytes=1,65536", allowsNone: true,
            maxCombinations: maxCombinations
        ) { rawKey, value in
            let (scope, key) = try ClientSettings.resolve(rawKey)
            if scope == .producer {
                throw LabError.invalid(
                    "'\(key)' is a producer property; bench consume varies consumer properties (e.g. fetch.min.bytes, fetch.wait.max.ms, max.partition.fetch.bytes)"
                )
            }
            if let why = controlled[key] {
                throw LabError.invalid("bench consume sets \(key) itself (\(why)); vary another property")
            }
            do { try ClientConfig.validate(key: key, value: value) } catch let e as KafkaError {
                throw LabError.invalid("\(key)=\(value) is refused by librdkafka: \(e.message)")
            }
            return key
        }
    }
}
