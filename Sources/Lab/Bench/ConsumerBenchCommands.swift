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
        "statistics.interval.ms": "the bench reads fetch counts from statistics every 500 ms",
        "enable.partition.eof": "the bench counts records, not partition ends",
        "bootstrap.servers": "the session's connection",
    ]

    /// Consumer properties whose effective values the report prints.
    static let tuningKeys = ["fetch.min.bytes", "fetch.wait.max.ms", "max.partition.fetch.bytes", "fetch.max.bytes",
                             "queued.min.messages", "queued.max.messages.kbytes", "check.crcs"]

    static let benchConsume = Command(
        "consume", summary: "consumer throughput per combination of consumer properties",
        usage: "bench consume [key=v1,v2 ...] [--topic T] [--count N] [--assign]",
        flags: ["--assign"], options: ["--topic", "--count"],
        details: """
        Reads the topic (default \(ConsumerCommands.defaultTopic), filled by `seed`) from the beginning once per \
        combination of the listed values, e.g. `bench consume fetch.min.bytes=1,65536 fetch.wait.max.ms=10,500`, \
        each run with a fresh group on top of the session's consumer properties; with no properties it measures \
        the session's config alone. Per run: messages/s and MiB/s of values between the first and the last record, \
        fetch requests (librdkafka statistics), time from start to the first record (group join included) and \
        total time; the best run is marked. Each run also checks it saw every record once (duplicates, per-partition \
        counts). Values are checked by librdkafka and producer properties refused before anything runs. \
        --assign takes every partition by hand instead of joining a group (no rebalance, nothing committed), as \
        `rdkafka_performance -C -p ...` does: the like-for-like mode for comparing with it.
        """,
        completes: .properties
    ) { ctx in
        try run(ctx)
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

    struct RunResult {
        let index: Int
        let properties: [(String, String)]
        let consumed: Int
        let duplicates: Int
        let perPartitionMatches: Bool
        let bytes: Int
        let fetchRequests: Int64?
        let firstMessage: Double?
        let total: Double
        let window: Double
        let interrupted: Bool

        var msgsPerSecond: Double { window > 0 ? Double(consumed) / window : 0 }
        var mibPerSecond: Double { window > 0 ? Double(bytes) / 1_048_576 / window : 0 }
        var label: String { properties.isEmpty ? "(session config)" : properties.map { "\($0.0)=\($0.1)" }.joined(separator: " ") }
    }

    static func run(_ ctx: CommandContext) throws {
        let args = ctx.arguments
        let session = ctx.session
        let out = ctx.output
        let vars = try variations(args.positionals, usage: ctx.command.usage)
        let combos = combinations(vars)
        guard combos.count <= maxCombinations else {
            throw LabError.invalid("\(combos.count) combinations is too many for one run (at most \(maxCombinations)); list fewer values")
        }
        let c = try session.requireConnection()
        let topicName = args.value("--topic") ?? ConsumerCommands.defaultTopic
        guard let topic = try c.admin.metadata().topic(topicName) else {
            let fix = topicName == ConsumerCommands.defaultTopic ? "`seed` creates and fills it" : "`seed \(topicName)` fills it"
            throw LabError.notFound("unknown topic '\(topicName)'; \(fix)")
        }
        var expected: [Int32: Int64] = [:]
        for p in topic.partitions {
            let w = try c.admin.watermarks(topic: topicName, partition: p.id)
            expected[p.id] = w.high - w.low
        }
        let available = Int(expected.values.reduce(0, +))
        guard available > 0 else {
            throw LabError.invalid("\(topicName) is empty; `seed\(topicName == ConsumerCommands.defaultTopic ? "" : " " + topicName)` fills it")
        }
        let count = try args.int("--count", default: available, range: 1...100_000_000)
        guard count <= available else {
            throw LabError.invalid("--count \(count) is more than \(topicName) holds (\(available) messages); `seed` adds more")
        }
        let base = try session.consumerProperties(group: "unset").merging([
            "auto.offset.reset": "earliest", "enable.auto.commit": "false",
            "statistics.interval.ms": "500", "enable.partition.eof": "false",
        ]) { $1 }.filter { $0.key != "group.instance.id" }
        let configs = combos.map { combo in base.merging(Dictionary(combo, uniquingKeysWith: { $1 })) { $1 } }
        // librdkafka checks combinations only when a client is built: build each once, unsubscribed.
        for (i, config) in configs.enumerated() {
            do {
                _ = try Consumer(config: config.merging(["group.id": "kafkalab-config-check"]) { $1 })
            } catch let e as KafkaError {
                throw LabError.invalid("run \(i + 1) (\(combos[i].map { "\($0.0)=\($0.1)" }.joined(separator: " "))): librdkafka refuses it: \(e.message)")
            }
        }

        let effective = (try? ClientConfig.effectiveValues(of: base, keys: tuningKeys)) ?? [:]
        out.line("bench consume: \(combos.count) run(s) of \(count) message(s) from \(topicName) (\(topic.partitions.count) partitions, \(available) messages), each from the beginning "
            + (args.has("--assign") ? "with every partition assigned by hand (no group join)" : "with a fresh group"))
        out.line("consumer config in effect besides the varied properties: " + tuningKeys.compactMap { k in effective[k].map { "\(k)=\($0)" } }.joined(separator: " "))

        var results: [RunResult] = []
        for (i, config) in configs.enumerated() {
            if ctx.isCancelled { break }
            let r = try measure(index: i + 1, of: configs.count, properties: combos[i], config: config,
                                topic: topicName, partitions: topic.partitions.count, count: count,
                                assignByHand: args.has("--assign"),
                                expected: count == available ? expected : nil, output: out, cancellation: ctx.cancellation)
            results.append(r)
            if r.interrupted { break }
        }
        report(results, topic: topicName, count: count, available: available, ctx: ctx)
    }

    static func measure(index: Int, of total: Int, properties: [(String, String)], config: [String: String],
                        topic: String, partitions: Int, count: Int, assignByHand: Bool,
                        expected: [Int32: Int64]?, output: Output, cancellation: Cancellation) throws -> RunResult {
        let latestStats = Mutex<(String?, Int)>((nil, 0))
        let clock = ContinuousClock()
        let started = clock.now
        func seconds(since t: ContinuousClock.Instant) -> Double { (clock.now - t).seconds }
        let groupId = "kafkalab-bench-consume-\(UUID().uuidString.prefix(8).lowercased())"
        let consumer = try Consumer(config: config.merging(["group.id": groupId]) { $1 },
                                    onStatistics: { json in latestStats.withLock { $0 = (json, $0.1 + 1) } })
        if assignByHand {
            try consumer.assign((0..<partitions).map {
                TopicPartitionOffset(topic: topic, partition: Int32($0), offset: TopicPartitionOffset.beginning)
            })
        } else {
            try consumer.subscribe([topic])
        }
        var next = [Int64](repeating: -1, count: max(partitions, 1))
        var perPartition = [Int64](repeating: 0, count: max(partitions, 1))
        var duplicates = 0
        var consumed = 0
        var bytes = 0
        var firstAt: ContinuousClock.Instant?
        var lastAt = started
        var lastActivity = clock.now
        var interrupted = false
        let label = properties.isEmpty ? "session config" : properties.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
        let idleLimit = 30.0
        let reader = ConsumerBatchReader(consumer)
        var warned = false
        while consumed < count {
            let handed: Int
            do {
                handed = try reader.poll(timeoutMs: 100) { rec in
                    guard consumed < count else { return }
                    // Like rdkafka_performance: the clock starts at the first record.
                    if firstAt == nil { firstAt = clock.now }
                    consumed += 1
                    bytes += rec.valueLength
                    let p = Int(rec.partition)
                    if p >= 0 && p < next.count {
                        if rec.offset < next[p] { duplicates += 1 } else { next[p] = rec.offset + 1; perPartition[p] += 1 }
                    }
                }
            } catch let e as KafkaError where !e.isFatal {
                if !warned { output.warning("run \(index): \(e.description) (the run goes on)") }
                warned = true
                continue
            }
            let now = clock.now
            if handed == 0 {
                if cancellation.isCancelled { interrupted = true; break }
                if seconds(since: lastActivity) > idleLimit { break }
                output.progress("bench consume \(index)/\(total) \(label): \(consumed)/\(count)" + (firstAt == nil ? " (joining the group)" : ""))
                continue
            }
            lastAt = now
            lastActivity = now
            if consumed & ~0x1FFF != (consumed - handed) & ~0x1FFF {
                if cancellation.isCancelled { interrupted = true; break }
                output.progress("bench consume \(index)/\(total) \(label): \(consumed)/\(count)")
            }
        }
        let totalSeconds = lastAt == started ? seconds(since: started) : (lastAt - started).seconds
        // Stop fetching, then wait for one more statistics emission so the
        // fetch count covers the whole run and little else.
        try? consumer.pauseAssignment()
        let emissionsAtEnd = latestStats.withLock { $0.1 }
        let waitStarted = clock.now
        while latestStats.withLock({ $0.1 }) <= emissionsAtEnd && seconds(since: waitStarted) < 1.5 {
            consumer.serveCallbacks(timeoutMs: 50)
        }
        let stats = latestStats.withLock { $0.0 }.flatMap { try? ClientStatistics.decode($0) }
        consumer.close()

        let window: Double
        if let firstAt, consumed > 1, lastAt > firstAt {
            window = (lastAt - firstAt).seconds
        } else {
            window = totalSeconds
        }
        let firstMessage = firstAt.map { ($0 - started).seconds }
        var matches = consumed == count && duplicates == 0
        if let expected {
            matches = matches && expected.allSatisfy { p, n in Int(p) < perPartition.count && perPartition[Int(p)] == n }
        }
        if consumed < count && !interrupted {
            output.warning("run \(index): only \(consumed) of \(count) message(s) arrived (nothing for \(Int(idleLimit)) s)")
        }
        return RunResult(index: index, properties: properties, consumed: consumed, duplicates: duplicates,
                         perPartitionMatches: matches, bytes: bytes, fetchRequests: stats?.fetchRequests,
                         firstMessage: firstMessage, total: totalSeconds, window: window, interrupted: interrupted)
    }

    static func report(_ results: [RunResult], topic: String, count: Int, available: Int, ctx: CommandContext) {
        let out = ctx.output
        let complete = results.filter { $0.consumed == count }
        let best = complete.max { $0.msgsPerSecond < $1.msgsPerSecond }
        var table = TextTable(headers: ["RUN", "PROPERTIES", "MSGS/S", "MIB/S", "FETCHES", "MSGS/FETCH", "FIRST MSG", "TOTAL", "EXACTLY ONCE", "BEST"],
                              alignments: [.right, .left, .right, .right, .right, .right, .right, .right, .left, .left])
        for r in results {
            let fetches = r.fetchRequests.map { "\($0)" } ?? "?"
            let perFetch = r.fetchRequests.flatMap { $0 > 0 ? String(format: "%.0f", Double(r.consumed) / Double($0)) : nil } ?? "?"
            table.append(["\(r.index)", r.label, String(format: "%.0f", r.msgsPerSecond), String(format: "%.1f", r.mibPerSecond),
                          fetches, perFetch, r.firstMessage.map { String(format: "%.0f ms", $0 * 1000) } ?? "-",
                          String(format: "%.2f s", r.total), r.perPartitionMatches ? "yes" : "NO (\(r.consumed)/\(count), \(r.duplicates) dup)",
                          best?.index == r.index && results.count > 1 ? "◀ best" : ""])
        }
        out.table(table)
        if results.contains(where: \.interrupted) { out.line("interrupted after \(results.count) run(s)") }
        if let best, results.count > 1 {
            out.line("best: run \(best.index) (\(best.label)) at \(String(format: "%.0f", best.msgsPerSecond)) msgs/s")
        }
        out.hint("MSGS/S and MIB/S (values, 1 MiB = 2^20 B) cover the first to the last record; FIRST MSG includes joining the group; FETCHES are Fetch requests from librdkafka's statistics")
        if ctx.session.connection?.isEmbedded == true {
            out.hint("embedded: the mock answers fetches from memory on this machine, with no disk and no network latency; fetch.wait.max.ms and fetch.min.bytes matter more against real brokers")
        }
        out.setResult(.object([
            ("topic", .string(topic)), ("messages_in_topic", .integer(available)), ("count", .integer(count)),
            ("runs", .array(results.map { r in .object([
                ("run", .integer(r.index)),
                ("properties", .object(r.properties.map { ($0.0, .string($0.1)) })),
                ("consumed", .integer(r.consumed)), ("duplicates", .integer(r.duplicates)),
                ("exactly_once", .bool(r.perPartitionMatches)),
                ("msgs_per_sec", .double(r.msgsPerSecond)), ("mib_per_sec", .double(r.mibPerSecond)),
                ("fetch_requests", .optional(r.fetchRequests)),
                ("first_message_ms", .optional(r.firstMessage.map { $0 * 1000 })),
                ("total_ms", .double(r.total * 1000)), ("best", .bool(best?.index == r.index)),
            ]) })),
            ("best_run", .optional(best?.index)),
        ]))
    }
}
