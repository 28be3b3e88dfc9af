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
        "statistics.interval.ms": "the bench reads fetch counts from statistics every second, as rdkafka_performance does",
        "enable.partition.eof": "the bench counts records, not partition ends",
        "bootstrap.servers": "the session's connection",
    ]

    /// Consumer properties whose effective values the report prints.
    static let tuningKeys = ["fetch.min.bytes", "fetch.wait.max.ms", "max.partition.fetch.bytes", "fetch.max.bytes",
                             "queued.min.messages", "queued.max.messages.kbytes", "check.crcs"]

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
        embedded cluster the mock ignores fetch.min.bytes (and fetch.wait.max.ms while it has data): it answers \
        each fetch with one message set per partition, so rows varying those differ by noise and none is marked best.
        """,
        completes: .properties
    ) { ctx in
        try ConsumerBenchRunner.run(ctx)
    }

    struct Variation: Equatable {
        let key: String
        let values: [String]
    }

    /// Parses `key=v1,v2` words into checked variations: known consumer-side
    /// properties only, values validated by librdkafka.
    static func variations(_ words: [String], usage: String) throws -> [Variation] {
        var out: [Variation] = []
        for word in words {
            guard let eq = word.firstIndex(of: "="), eq != word.startIndex else {
                throw LabError.usage("'\(word)' is not key=v1,v2 (e.g. fetch.min.bytes=1,65536)", usage: usage)
            }
            let rawKey = String(word[..<eq])
            let values = word[word.index(after: eq)...].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard !values.isEmpty, values.allSatisfy({ !$0.isEmpty }) else {
                throw LabError.usage("'\(word)' has an empty value; list values separated by commas", usage: usage)
            }
            let (scope, key) = try ClientSettings.resolve(rawKey)
            if scope == .producer {
                throw LabError.invalid("'\(key)' is a producer property; bench consume varies consumer properties (e.g. fetch.min.bytes, fetch.wait.max.ms, max.partition.fetch.bytes)")
            }
            if let why = controlled[key] {
                throw LabError.invalid("bench consume sets \(key) itself (\(why)); vary another property")
            }
            if out.contains(where: { $0.key == key }) {
                throw LabError.invalid("\(key) is listed twice; give all its values once: \(key)=v1,v2")
            }
            for v in values {
                do {
                    try ClientConfig.validate(key: key, value: v)
                } catch let e as KafkaError {
                    throw LabError.invalid("\(key)=\(v) is refused by librdkafka: \(e.message)")
                }
            }
            out.append(Variation(key: key, values: values))
        }
        return out
    }

    /// Every combination, the first property varying slowest.
    static func combinations(_ variations: [Variation]) -> [[(String, String)]] {
        var combos: [[(String, String)]] = [[]]
        for v in variations {
            combos = combos.flatMap { combo in v.values.map { combo + [(v.key, $0)] } }
        }
        return combos
    }
}
