import Foundation
import Kafka

/// `commit demo`: when a consumer commits decides what a crash costs. Each run reads
/// real records of one partition, processes them (processing = writing one record per
/// input offset to an output topic, so it leaves a trace), and crashes the consuming
/// client at one record: the client is destroyed without closing, so nothing more is
/// committed for it. A second client of the same group then resumes from the group's
/// committed offset. Reading the output topic back counts, per run, the records
/// processed twice and the records never processed.
///
/// The clients take their partition by hand (assign), not by joining the group: the
/// committed offsets are the group's all the same (OffsetCommit/OffsetFetch), and the
/// restart needs no rebalance, which the embedded cluster would delay by
/// session.timeout.ms.
struct CommitDemo {
    enum Strategy: String, CaseIterable, Sendable, Encodable {
        case atMostOnce = "at-most-once"
        case atLeastOnce = "at-least-once"
        case autoCommit = "auto-commit"
        case autoCommitStoreAfter = "auto-commit-store-after"
        case newGroupLatest = "new-group-latest"

        /// The consumer settings the run uses, over the session's.
        var settings: [(String, String)] {
            switch self {
            case .atMostOnce, .atLeastOnce:
                [("enable.auto.commit", "false"), ("auto.offset.reset", "earliest")]
            case .autoCommit:
                [
                    ("enable.auto.commit", "true"), ("auto.commit.interval.ms", "\(CommitDemo.autoCommitIntervalMs)"),
                    ("enable.auto.offset.store", "true"), ("auto.offset.reset", "earliest"),
                ]
            case .autoCommitStoreAfter:
                [
                    ("enable.auto.commit", "true"), ("auto.commit.interval.ms", "\(CommitDemo.autoCommitIntervalMs)"),
                    ("enable.auto.offset.store", "false"), ("auto.offset.reset", "earliest"),
                ]
            case .newGroupLatest:
                [("enable.auto.commit", "false"), ("auto.offset.reset", "latest")]
            }
        }

        /// What the application does with each record, in order.
        var order: String {
            switch self {
            case .atMostOnce: "commit, then process"
            case .atLeastOnce: "process, then commit"
            case .autoCommit: "poll stores, auto commit, process"
            case .autoCommitStoreAfter: "process, store, auto commit"
            case .newGroupLatest: "new group starts at latest"
            }
        }

        /// Whether a run's counts are the ones its rule predicts for the demo's crash.
        func isShown(by r: Run) -> Bool {
            switch self {
            case .atMostOnce, .autoCommit, .newGroupLatest: r.lost > 0 && r.duplicates == 0
            case .atLeastOnce: r.duplicates > 0 && r.lost == 0
            case .autoCommitStoreAfter: r.lost == 0
            }
        }

        /// Why the run's numbers come out as they do: the rule the run tests.
        var rule: String {
            switch self {
            case .atMostOnce:
                "committing before processing moves the group past a record the application has not handled: a crash between the two loses it, and nothing is ever processed twice"
            case .atLeastOnce:
                "processing before committing means a crash between the two leaves the commit behind the work: the restart repeats the record, and nothing is lost; make processing idempotent"
            case .autoCommit:
                "librdkafka's defaults (enable.auto.commit=true, enable.auto.offset.store=true) store each record's offset as poll hands it out and commit stored offsets every auto.commit.interval.ms (5 s by default), so a commit can cover a record still being processed: a crash then loses it"
            case .autoCommitStoreAfter:
                "with enable.auto.offset.store=false the application stores each offset (rd_kafka_offsets_store) after processing, so auto commit covers only processed records: nothing is lost; a crash after processing and before the next auto commit repeats records"
            case .newGroupLatest:
                "a group with no committed offset starts where auto.offset.reset says; latest (the default in librdkafka and Java) skips every record written before its first fetch position was set"
            }
        }
    }

    /// One run: what the crashed client and its successor did, and what the read-back shows.
    struct Run: Sendable, Encodable {
        let strategy: Strategy
        /// The run's consumer settings, `key=value` joined by spaces.
        let settings: String
        let order: String
        /// Offset of the record in hand when the client crashed (nil: no crash in this run).
        let crashedAt: Int64?
        /// The group's committed offset when it crashed, as OffsetFetch returned it.
        let committedAtCrash: Int64?
        /// The first offset the restarted (or the new group's) client received.
        let resumedAt: Int64?
        /// Records the run was responsible for: offsets 0 up to this one, exclusive.
        let expected: Int64
        /// Processing events read back (a record processed twice counts twice).
        let processed: Int
        let duplicates: Int
        let lost: Int
    }

    /// The whole demo's result.
    struct Report: CommandResult {
        let inputTopic: String
        let outputTopic: String
        let records: Int
        let crashAt: Int64
        let embedded: Bool
        let runs: [Run]

        func render(into out: Output) {
            var table = TextTable(
                headers: [
                    "STRATEGY", "ORDER", "CRASHED AT", "COMMITTED", "RESUMED AT", "PROCESSED", "TWICE", "NEVER",
                ],
                alignments: [.left, .left, .right, .right, .right, .right, .right, .right])
            for r in runs {
                table.append([
                    r.strategy.rawValue, r.order, r.crashedAt.map(String.init) ?? "-",
                    r.committedAtCrash.map(String.init) ?? "-", r.resumedAt.map(String.init) ?? "-",
                    "\(r.processed)", "\(r.duplicates)", "\(r.lost)",
                ])
            }
            out.table(table)
            for r in runs { out.line("\(r.strategy.rawValue): \(CommitDemo.reading(of: r))") }
            out.hint(
                "PROCESSED, TWICE and NEVER come from reading \(outputTopic) back: one record per processing of an input offset of \(inputTopic)"
            )
            if embedded {
                out.hint(
                    "embedded: commits and committed offsets are real here (the mock keeps them); the crash is a client destroyed without closing, as a killed process leaves it"
                )
            }
        }
    }

    static let autoCommitIntervalMs = 100

    static let command = Command(
        "commit", summary: "delivery guarantees on the consumer side: when to commit",
        usage: "commit demo [--count N] [--crash-at K]",
        subcommands: [
            Command(
                "demo",
                summary:
                    "crash a consumer mid-stream under five commit strategies; count records processed twice and never",
                usage: "commit demo [--count N] [--crash-at K]", options: ["--count", "--crash-at"],
                details: """
                    Writes --count records (default 10) to partition 0 of a new topic, then runs five strategies, each \
                    with a new group: at-most-once (commit, then process), at-least-once (process, then commit), \
                    auto-commit (librdkafka's defaults: poll stores each offset as it hands the record out, and \
                    auto.commit.interval.ms, \(autoCommitIntervalMs) ms here, commits it), auto-commit-store-after \
                    (enable.auto.offset.store=false, the offset stored after processing), and new-group-latest (a \
                    group with no commit and auto.offset.reset=latest). Processing writes the input offset to an \
                    output topic. In the first four the client crashes (destroyed without closing) with record \
                    --crash-at (default 4) in hand: just after committing it, just after processing it, or, under \
                    auto commit, once the group's committed offset shows the auto commit ran; a new client of the \
                    same group then reads on from the committed offset. The output topic, read back, gives each run's \
                    records processed twice and never processed. Runs for real on every cluster: the embedded mock \
                    keeps committed offsets.
                    """
            ) { ctx in try CommitDemo(ctx: ctx).run() }
        ])

    let ctx: CommandContext

    func run() throws {
        let args = ctx.arguments
        try args.expectPositionals(atMost: 0)
        let count = try args.int("--count", default: 10, range: 2...10_000)
        let crashAt = Int64(try args.int("--crash-at", default: 4, range: 1...9_999))
        guard crashAt < count else {
            throw LabError.invalid("--crash-at \(crashAt) must name one of the \(count) records (0 to \(count - 1))")
        }
        let c = try ctx.session.requireConnection()
        // Its groups commit to __consumer_offsets, and it writes with acks=all: below either
        // min ISR a run would wait out its bounds instead of showing anything.
        try ProduceAvailability.checkCoordinator(.groups, connection: c, lab: ctx.path)
        let suffix = UUID().uuidString.prefix(6).lowercased()
        let input = "commit-demo-\(suffix)", output = "commit-demo-\(suffix)-processed"
        let replicas = Int32(min(3, try c.client.metadata().brokers.count))
        for topic in [input, output] {
            _ = try c.ensureTopic(topic, partitions: 1, replicationFactor: replicas, cancellation: ctx.cancellation)
            try ProduceAvailability.check(
                topic: topic, properties: ["acks": "all"], connection: c, output: ctx.output, lab: ctx.path)
        }
        let producer = try Producer(config: try ctx.session.plainProducerProperties(["linger.ms": "0", "acks": "all"]))
        for i in 0..<count {
            try producer.send(topic: input, partition: 0, value: Array("record \(i)".utf8))
        }
        try producer.flush(timeoutMs: 30_000)
        ctx.output.progress("wrote \(count) records to \(input); \(Strategy.allCases.count) runs follow")

        var steps: [(Strategy, Steps)] = []
        for strategy in Strategy.allCases {
            if ctx.isCancelled { throw LabError.interrupted }
            ctx.output.progress("commit demo: \(strategy.rawValue)")
            let client = RunClient(
                strategy: strategy, input: input, output: output, group: "\(input)-\(strategy.rawValue)",
                producer: producer, demo: self)
            steps.append((strategy, try client.run(count: Int64(count), crashAt: crashAt)))
        }
        let readBack = try c.client.readPartition(
            topic: output, partition: 0,
            consumerProperties: ctx.session.consumerProperties(group: "\(input)-read-back", [:]),
            timeoutSeconds: 10)
        var processedBy: [String: [Int64]] = [:]
        for m in readBack {
            guard let key = m.key, let value = m.value, let offset = Int64(String(decoding: value, as: UTF8.self))
            else { continue }
            processedBy[String(decoding: key, as: UTF8.self), default: []].append(offset)
        }
        let runs = steps.map { strategy, s in
            Self.count(
                strategy: strategy, steps: s, expected: s.expected ?? Int64(count),
                processed: processedBy[strategy.rawValue] ?? [])
        }
        ctx.output.emit(
            Report(
                inputTopic: input, outputTopic: output, records: count, crashAt: crashAt, embedded: c.control.isMock,
                runs: runs))
    }

    /// What one run's clients saw, before the read-back.
    struct Steps: Sendable {
        var crashedAt: Int64?
        var committedAtCrash: Int64?
        var resumedAt: Int64?
        /// For the new-group run: the records it was responsible for (those before its first).
        var expected: Int64?
    }

    /// The run's counts from the offsets its processing wrote. Pure.
    static func count(strategy: Strategy, steps: Steps, expected: Int64, processed: [Int64]) -> Run {
        let inRange = processed.filter { $0 >= 0 && $0 < expected }
        let distinct = Set(inRange)
        return Run(
            strategy: strategy, settings: strategy.settings.map { "\($0.0)=\($0.1)" }.joined(separator: " "),
            order: strategy.order, crashedAt: steps.crashedAt, committedAtCrash: steps.committedAtCrash,
            resumedAt: steps.resumedAt, expected: expected, processed: processed.count,
            duplicates: inRange.count - distinct.count, lost: Int(expected) - distinct.count)
    }

    /// One line per run saying what its numbers show, then the rule they test. Pure.
    static func reading(of r: Run) -> String {
        var shown: String
        if r.lost == 0 && r.duplicates == 0 {
            shown = "every one of the \(r.expected) records processed exactly once"
        } else {
            var parts: [String] = []
            if r.lost > 0 { parts.append("\(r.lost) record(s) never processed") }
            if r.duplicates > 0 { parts.append("\(r.duplicates) processed twice") }
            shown = parts.joined(separator: " and ")
        }
        if let crashed = r.crashedAt, let committed = r.committedAtCrash, let resumed = r.resumedAt {
            shown += " (crashed holding \(crashed) with \(committed) committed; the restart began at \(resumed))"
        } else if r.strategy == .newGroupLatest, let resumed = r.resumedAt {
            shown += " (its first record was offset \(resumed))"
        }
        guard r.strategy.isShown(by: r) else {
            return
                "\(shown). Not what this order usually costs, so this run shows nothing about it; the rule it tests: \(r.strategy.rule)."
        }
        return "\(shown). Why: \(r.strategy.rule)."
    }

    /// The two clients of one run and the processing they do.
    struct RunClient {
        let strategy: Strategy
        let input: String
        let output: String
        let group: String
        let producer: Producer
        let demo: CommitDemo

        var ctx: CommandContext { demo.ctx }
        var partition: TopicPartition { TopicPartition(topic: input, partition: 0) }

        func run(count: Int64, crashAt: Int64) throws -> Steps {
            strategy == .newGroupLatest ? try newGroup() : try crashAndResume(count: count, crashAt: crashAt)
        }

        func consumer() throws -> Consumer {
            let properties = try ctx.session.consumerProperties(
                group: group, Dictionary(uniqueKeysWithValues: strategy.settings))
            let consumer = try Consumer(config: properties)
            try consumer.assign([TopicPartitionOffset(topic: input, partition: 0, offset: TopicPartitionOffset.stored)])
            return consumer
        }

        /// The application's work: one record in the output topic, written before anything is committed after it.
        func process(_ offset: Int64) throws {
            try producer.send(
                topic: output, partition: 0, key: Array(strategy.rawValue.utf8), value: Array("\(offset)".utf8))
            try producer.flush(timeoutMs: 10_000)
        }

        func next(_ consumer: Consumer, within seconds: Double = 15) throws -> ConsumedMessage? {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if ctx.isCancelled { throw LabError.interrupted }
                if case .message(let m)? = consumer.poll(timeoutMs: 200), m.topic == input { return m }
            }
            return nil
        }

        func committed(_ consumer: Consumer) throws -> Int64? {
            let offset = try consumer.committed([partition], timeoutMs: 5_000).first?.offset
            return offset.flatMap { $0 >= 0 ? $0 : nil }
        }

        /// Waits (bounded) until the group's committed offset reaches `target`: the auto commit has run.
        func awaitCommitted(_ consumer: Consumer, _ target: Int64) throws -> Int64? {
            let deadline = Date().addingTimeInterval(10)
            var seen = try committed(consumer)
            while (seen ?? -1) < target && Date() < deadline {
                if ctx.isCancelled { throw LabError.interrupted }
                usleep(20_000)
                seen = try committed(consumer)
            }
            return seen
        }

        /// Handles one record under the strategy's discipline (no crash).
        func handle(_ m: ConsumedMessage, _ consumer: Consumer) throws {
            let next = TopicPartitionOffset(topic: input, partition: 0, offset: m.offset + 1)
            switch strategy {
            case .atMostOnce:
                try consumer.commit([next])
                try process(m.offset)
            case .atLeastOnce:
                try process(m.offset)
                try consumer.commit([next])
            case .autoCommit, .newGroupLatest:
                try process(m.offset)
            case .autoCommitStoreAfter:
                try process(m.offset)
                try consumer.store([next])
            }
        }

        func crashAndResume(count: Int64, crashAt: Int64) throws -> Steps {
            var steps = try crashingClient(crashAt: crashAt)
            let second = try consumer()
            defer { second.close() }
            var last: Int64 = -1
            while last < count - 1, let m = try next(second) {
                if steps.resumedAt == nil { steps.resumedAt = m.offset }
                try handle(m, second)
                last = m.offset
            }
            return steps
        }

        /// The first client: handles records until `crashAt`, then crashes with it in hand.
        /// It is destroyed without closing when this returns (`abandon`), as a killed process
        /// leaves it: no final commit.
        func crashingClient(crashAt: Int64) throws -> Steps {
            var steps = Steps()
            let first = try consumer()
            first.abandon()
            while let m = try next(first) {
                guard m.offset == crashAt else {
                    try handle(m, first)
                    continue
                }
                // The crash, placed where the strategy is weakest.
                switch strategy {
                case .atMostOnce:
                    try first.commit([TopicPartitionOffset(topic: input, partition: 0, offset: m.offset + 1)])
                case .atLeastOnce:
                    try process(m.offset)
                case .autoCommit:
                    // poll stored m.offset + 1 as it handed the record out; wait for the auto commit.
                    _ = try awaitCommitted(first, m.offset + 1)
                case .autoCommitStoreAfter:
                    // Only processed records were stored: the auto commit reaches m.offset, no further.
                    _ = try awaitCommitted(first, m.offset)
                case .newGroupLatest:
                    break
                }
                steps.crashedAt = m.offset
                steps.committedAtCrash = try committed(first)
                return steps
            }
            throw LabError.invalid(
                "\(strategy.rawValue): record \(crashAt) of \(input) never arrived within 15 s; nothing to show")
        }

        /// A new group with auto.offset.reset=latest: write one more record at a time until
        /// the client receives one; everything before its first record was never processed.
        func newGroup() throws -> Steps {
            var steps = Steps()
            let client = try consumer()
            defer { client.close() }
            for attempt in 0..<50 {
                if ctx.isCancelled { throw LabError.interrupted }
                try producer.send(topic: input, partition: 0, value: Array("late record \(attempt)".utf8))
                try producer.flush(timeoutMs: 10_000)
                if let m = try next(client, within: 0.3) {
                    steps.resumedAt = m.offset
                    steps.expected = m.offset + 1
                    try handle(m, client)
                    return steps
                }
            }
            throw LabError.invalid("\(strategy.rawValue): the new group received none of 50 late records")
        }
    }
}
