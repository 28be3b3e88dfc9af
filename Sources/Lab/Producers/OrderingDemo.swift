import Foundation
import Kafka
import Synchronization

/// `ordering demo`: when a retried batch lands after a later one. Each run's producer
/// writes numbered records to one partition with several requests in flight; on the
/// embedded cluster the first Produce request after the warm-up is answered with an
/// injected, retriable NOT_ENOUGH_REPLICAS (the mock's request-error injection, said
/// so in the output), so that batch is sent again while later ones were already
/// written. The partition read back gives each run's records out of order.
struct OrderingDemo {
    enum Kind: String, CaseIterable, Sendable, Encodable {
        /// Retries with 5 requests in flight and no idempotence: the classic reordering.
        case inFlight5 = "retries, max.in.flight=5"
        /// Idempotence (and, on the embedded cluster, a transactional.id: the mock checks
        /// sequence numbers only for transactional producers).
        case idempotent = "enable.idempotence=true"
        /// One request in flight: order holds, at the price of a round trip per request.
        case inFlight1 = "retries, max.in.flight=1"

        var prefix: String {
            switch self {
            case .inFlight5: "f5:"
            case .idempotent: "id:"
            case .inFlight1: "f1:"
            }
        }

        func settings(embedded: Bool, transactionalId: String) -> [(String, String)] {
            switch self {
            case .inFlight5: [("enable.idempotence", "false"), ("max.in.flight", "5")]
            case .idempotent:
                [("enable.idempotence", "true"), ("max.in.flight", "5")]
                    + (embedded ? [("transactional.id", transactionalId)] : [])
            case .inFlight1: [("enable.idempotence", "false"), ("max.in.flight", "1")]
            }
        }
    }

    /// One run as sent, before the read-back.
    struct Measured {
        let kind: Kind
        let settings: String
        /// The value prefix of the records the count reads (the committed attempt's, for a transaction).
        let prefix: String
        let failed: Int
        let aborted: [String]
        let rate: Double
    }

    /// One run, as sent and as read back.
    struct Run: Sendable, Encodable {
        let kind: Kind
        /// The run's producer settings that differ between runs, `key=value` joined by spaces.
        let settings: String
        let sent: Int
        let read: Int
        /// Records read back after a record with a higher number: a retried batch landing late.
        let outOfOrder: Int
        let duplicates: Int
        let missing: Int
        /// Delivery reports with an error (of the committed attempt, for a transaction).
        let failedDeliveries: Int
        /// Why each aborted attempt of a transactional run was refused; the next attempt re-sent everything.
        let abortedTransactions: [String]
        let msgsPerSec: Double
    }

    struct Report: CommandResult {
        let topic: String
        let embedded: Bool
        /// The error each run's first Produce request got (nil: nothing injected).
        let injectedError: String?
        let common: String
        let runs: [Run]

        func render(into out: Output) {
            var table = TextTable(
                headers: ["RUN", "SENT", "READ", "OUT OF ORDER", "DUPLICATES", "MISSING", "MSGS/S UNDISTURBED"],
                alignments: [.left, .right, .right, .right, .right, .right, .right])
            for r in runs {
                table.append([
                    r.settings, "\(r.sent)", "\(r.read)", "\(r.outOfOrder)", "\(r.duplicates)", "\(r.missing)",
                    String(format: "%.0f", r.msgsPerSec),
                ])
            }
            out.table(table)
            for line in OrderingDemo.reading(of: runs, injected: injectedError != nil, embedded: embedded) {
                out.line(line)
            }
            out.hint("every run: \(common)")
        }
    }

    static let injectedCode: Int32 = 19  // NOT_ENOUGH_REPLICAS: retriable, and nothing was written
    /// The refusal comes this late, so the requests sent meanwhile are handled first.
    static let injectedDelayMs: Int32 = 250
    static let batchMessages = 10

    static let command = Command(
        "ordering", summary: "ordering on the producer side: retries, requests in flight and idempotence",
        usage: "ordering demo [--count N] [--topic T]",
        subcommands: [
            Command(
                "demo",
                summary:
                    "a retried batch overtaken by later ones: out of order with max.in.flight=5, in order with idempotence or max.in.flight=1",
                usage: "ordering demo [--count N] [--topic T]", options: ["--count", "--topic"],
                details: """
                    Three runs, each with its own producer, write --count numbered records (default 2000) to \
                    partition 0 of a new topic (or --topic, created if missing) with linger.ms=0 and batch.num.messages=\(batchMessages), so many \
                    small batches are in flight at once: retries with max.in.flight=5 and idempotence off; \
                    enable.idempotence=true (on the embedded cluster with a transactional.id too, because the mock \
                    checks sequence numbers only for transactional producers); retries with max.in.flight=1. On the \
                    embedded cluster the leader refuses the first Produce request of each run NOT_ENOUGH_REPLICAS, \
                    \(injectedDelayMs) ms late (injected, and said so), so the requests sent meanwhile are written \
                    first and the refused batch is retried after them. The partition read back counts, per run, records that came after a higher-numbered one; a \
                    second, undisturbed pass of --count records per run gives its msgs/s, what one request in flight \
                    costs. A transaction refused as a whole (abortable) is aborted and sent again, and the count reads \
                    the committed attempt. A real cluster gets no injected \
                    error: there the runs show the order and cost of an undisturbed run.
                    """,
                completes: .topics
            ) { ctx in try OrderingDemo(ctx: ctx).run() }
        ])

    let ctx: CommandContext

    func run() throws {
        let args = ctx.arguments
        try args.expectPositionals(atMost: 0)
        let count = try args.int("--count", default: 2000, range: 20...1_000_000)
        let c = try ctx.session.requireConnection()
        let suffix = UUID().uuidString.prefix(6).lowercased()
        let topic = args.value("--topic") ?? "ordering-demo-\(suffix)"
        // Every run writes with acks=all (none is transactional off the embedded cluster):
        // below min ISR the runs would wait out their flush bounds instead of showing an order.
        let (info, _) = try c.ensureTopic(
            topic, partitions: 1, replicationFactor: Int32(min(3, try c.client.metadata().brokers.count)),
            cancellation: ctx.cancellation)
        try ProduceAvailability.check(
            topic: topic, properties: ["acks": "all"], connection: c, output: ctx.output, lab: ctx.path)
        let embedded = c.can(.injectErrors) ? c.control.mock : nil
        guard let leader = info.partitions.first(where: { $0.id == 0 })?.leader, leader >= 0 else {
            throw LabError.invalid("partition 0 of \(topic) has no leader now; `isr \(topic)` shows why")
        }
        let common: [(String, String)] = [
            ("linger.ms", "0"), ("batch.num.messages", "\(Self.batchMessages)"), ("retry.backoff.ms", "10"),
            ("acks", "all"),
        ]
        let start = try c.client.watermarks(topic: topic, partition: 0).high
        var measured: [Measured] = []
        for kind in Kind.allCases {
            if ctx.isCancelled { throw LabError.interrupted }
            ctx.output.progress("ordering demo: \(kind.rawValue)")
            let settings = kind.settings(embedded: embedded != nil, transactionalId: "\(topic)-tx")
            var properties = try ctx.session.plainProducerProperties()
            for (k, v) in common + settings { properties[k] = v }
            let failed = Atomic<Int>(0)
            let producer = try Producer(config: properties) { report in
                if !report.succeeded { failed.add(1, ordering: .relaxed) }
            }
            let transactional = properties["transactional.id"] != nil
            if transactional {
                try producer.initTransactions()
                try producer.beginTransaction()
            }
            // Connections, metadata and the producer id settle before anything is injected.
            try producer.send(topic: topic, partition: 0, value: Array("\(kind.prefix)warm-up".utf8))
            if transactional { try producer.commitTransaction() } else { try producer.flush(timeoutMs: 10_000) }
            try embedded?.failNextRequest(
                broker: leader, api: .produce, error: Self.injectedCode, milliseconds: Self.injectedDelayMs)
            var attempt = 1
            var aborted: [String] = []
            var failedBefore = 0
            while true {
                failedBefore = failed.load(ordering: .relaxed)
                // A transaction refused as a whole is aborted and sent again, as an application must;
                // each attempt's records carry the attempt's number, so the count reads the committed one.
                let prefix = transactional ? "\(kind.prefix)\(attempt):" : kind.prefix
                if transactional { try producer.beginTransaction() }
                for i in 0..<count {
                    try producer.send(topic: topic, partition: 0, value: Array("\(prefix)\(i)".utf8))
                }
                guard transactional else {
                    try producer.flush(timeoutMs: 60_000)
                    break
                }
                do {
                    try producer.commitTransaction()
                    break
                } catch let e as KafkaError where e.txnRequiresAbort && attempt < 3 {
                    aborted.append(e.description)
                    try producer.abortTransaction()
                    attempt += 1
                }
            }
            // Throughput without a fault: the same count again, timed (not counted for order).
            let clean = Date()
            if transactional { try producer.beginTransaction() }
            for i in 0..<count {
                try producer.send(topic: topic, partition: 0, value: Array("\(kind.prefix)timed:\(i)".utf8))
            }
            if transactional { try producer.commitTransaction() } else { try producer.flush(timeoutMs: 60_000) }
            let seconds = max(Date().timeIntervalSince(clean), 1e-6)
            measured.append(
                Measured(
                    kind: kind, settings: settings.map { "\($0.0)=\($0.1)" }.joined(separator: " "),
                    prefix: transactional ? "\(kind.prefix)\(attempt):" : kind.prefix,
                    failed: failed.load(ordering: .relaxed) - failedBefore, aborted: aborted,
                    rate: Double(count) / seconds))
        }
        let records = try ProducerDemos.readBack(
            topic, from: [0: start], isolation: "read_uncommitted", session: ctx.session,
            cancellation: ctx.cancellation)
        let values = records.compactMap { $0.value.map { String(decoding: $0, as: UTF8.self) } }
        let runs = measured.map { m in
            let numbers = values.compactMap { $0.hasPrefix(m.prefix) ? Int($0.dropFirst(m.prefix.count)) : nil }
            let tally = Self.tally(numbers, sent: count)
            return Run(
                kind: m.kind, settings: m.settings, sent: count, read: numbers.count, outOfOrder: tally.outOfOrder,
                duplicates: tally.duplicates, missing: tally.missing, failedDeliveries: m.failed,
                abortedTransactions: m.aborted, msgsPerSec: m.rate)
        }
        ctx.output.emit(
            Report(
                topic: topic, embedded: embedded != nil,
                injectedError: embedded != nil ? KafkaError.name(of: Self.injectedCode) : nil,
                common: common.map { "\($0.0)=\($0.1)" }.joined(separator: " "), runs: runs))
    }

    /// Out of order: records read after a higher-numbered one. Pure.
    static func tally(_ numbers: [Int], sent: Int) -> (outOfOrder: Int, duplicates: Int, missing: Int) {
        var highest = -1
        var outOfOrder = 0
        for n in numbers {
            if n < highest { outOfOrder += 1 }
            highest = max(highest, n)
        }
        let distinct = Set(numbers.filter { (0..<sent).contains($0) })
        return (outOfOrder, numbers.count - distinct.count, sent - distinct.count)
    }

    /// What the runs show, and no more: a run without an injected error shows nothing about retries. Pure.
    static func reading(of runs: [Run], injected: Bool, embedded: Bool) -> [String] {
        var lines: [String] = []
        if injected {
            lines.append(
                "injected on the embedded cluster: the leader refused the first Produce request of each run with NOT_ENOUGH_REPLICAS, answered \(injectedDelayMs) ms late, so its batch was retried after the requests sent meanwhile"
            )
        } else {
            lines.append(
                "nothing was injected on this cluster: a run reorders only if a retriable error (a leader change, NOT_ENOUGH_REPLICAS) hits it; the embedded cluster makes one happen"
            )
        }
        for r in runs {
            let order =
                r.outOfOrder > 0
                ? "\(r.outOfOrder) record(s) out of order: the retried batch was written after later batches"
                : (injected ? "in order despite the retry" : "in order")
            var line = "\(r.kind.rawValue): \(order)"
            switch r.kind {
            case .inFlight5 where r.outOfOrder > 0:
                line += "; with retries, requests in flight and no idempotence, later batches overtake a retried one"
            case .idempotent where !r.abortedTransactions.isEmpty:
                line +=
                    " in the committed transaction. The leader refused the batches sent after the gap (OUT_OF_ORDER_SEQUENCE_NUMBER); "
                    + "a transactional producer cannot mend its sequence inside a transaction, so librdkafka made it abortable "
                    + "(\(r.abortedTransactions[0])); the demo aborted it and sent everything again, as an application must"
            case .idempotent where injected && r.outOfOrder == 0:
                line += ": sequence numbers keep the batches in order"
            case .inFlight1 where r.outOfOrder > 0:
                line +=
                    ". max.in.flight=1 did not keep order: librdkafka 2.0.2 limits the requests it sends, not the one it builds "
                    + "next (queue.buffering.backpressure.threshold, rd_kafka_broker_outbufs_space in rdkafka_broker.c), and that "
                    + "already built request went out before the retry; the Java producer with max.in.flight.requests.per.connection=1 "
                    + "holds the partition back until the answer"
            default: break
            }
            if r.kind == .idempotent && embedded {
                line +=
                    " (this run has a transactional.id because the mock checks sequence numbers only then; against Kafka a plain idempotent producer bumps its epoch and re-sends the refused batches in order, rdkafka_request.c)"
            }
            if r.duplicates > 0 || r.missing > 0 || r.failedDeliveries > 0 {
                line +=
                    "; \(r.duplicates) duplicate(s), \(r.missing) missing, \(r.failedDeliveries) failed delivery report(s)"
            }
            lines.append(line)
        }
        if let five = runs.first(where: { $0.kind == .inFlight5 }),
            let one = runs.first(where: { $0.kind == .inFlight1 }),
            one.msgsPerSec > 0
        {
            let ratio = five.msgsPerSec / one.msgsPerSec
            let figures = String(
                format: "%.0f msgs/s with max.in.flight=1 against %.0f with 5", one.msgsPerSec, five.msgsPerSec)
            if ratio > 1.2 {
                lines.append(
                    "max.in.flight=1 cost, timed on a second, undisturbed pass: \(figures) (\(String(format: "%.1f", ratio))× slower): each request waits for the previous answer"
                )
            } else {
                lines.append(
                    "max.in.flight=1 cost, timed on a second, undisturbed pass: \(figures): no cost measured here"
                        + (embedded
                            ? ", because the mock answers over loopback within microseconds; the cost is one network round trip per request, which the compose cluster shows"
                            : ""))
            }
        }
        return lines
    }
}
