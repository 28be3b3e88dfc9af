import Foundation
import Kafka
import Synchronization

/// The demos of the producers lab: `txn demo` and `txn fence` (`idempotence demo` is IdempotenceDemo).
/// Each runs its own short-lived clients, measures, and says plainly what the
/// embedded cluster cannot show.
enum ProducerDemos {
    // MARK: Shared

    /// The topic a demo writes to: the one named, or its own (created if missing).
    static func demoTopic(_ explicit: String?, defaultName: String, partitions: Int32, ctx: CommandContext) throws -> TopicInfo {
        if let explicit { return try ctx.session.requireTopic(explicit) }
        let c = try ctx.session.requireConnection()
        let brokers = try c.client.metadata().brokers.count
        let (topic, created) = try c.ensureTopic(defaultName, partitions: partitions, replicationFactor: Int32(min(3, max(1, brokers))),
                                                 cancellation: ctx.cancellation)
        if created { ctx.output.line("created \(defaultName) (\(partitions) partition\(partitions == 1 ? "" : "s")) for the demo") }
        return topic
    }

    /// Reads the given partitions from the given offsets to their end (for
    /// read_committed: to the last stable offset) with a throwaway consumer.
    static func readBack(_ topic: String, from starts: [Int32: Int64], isolation: String, session: Session,
                         cancellation: Cancellation, progress: (Int) -> Void = { _ in }) throws -> [ConsumedMessage] {
        let consumer = try Consumer(config: session.consumerProperties(
            group: "kafkalab-readback-\(UUID().uuidString.prefix(8))",
            ["enable.auto.commit": "false", "enable.partition.eof": "true", "isolation.level": isolation]))
        defer { consumer.close() }
        try consumer.assign(starts.map { TopicPartitionOffset(topic: topic, partition: $0.key, offset: $0.value) })
        var messages: [ConsumedMessage] = []
        var atEnd = Set<Int32>()
        var lastActivity = Date()
        while atEnd.count < starts.count && !cancellation.isCancelled {
            guard let event = consumer.poll(timeoutMs: 200) else {
                if Date().timeIntervalSince(lastActivity) > 10 { break }
                continue
            }
            lastActivity = Date()
            switch event {
            case .message(let m):
                messages.append(m)
                atEnd.remove(m.partition)
                if messages.count % 1000 == 0 { progress(messages.count) }
            case .partitionEOF(let tp, _):
                atEnd.insert(tp.partition)
            case .error(let e):
                if e.isFatal { throw e }
            }
        }
        try cancellation.check()
        return messages
    }

    static func text(_ bytes: [UInt8]?) -> String { bytes.map { String(decoding: $0, as: UTF8.self) } ?? "(null)" }

    static func runId() -> String { String(UUID().uuidString.prefix(8)).lowercased() }

    static let composeHint = "`connect compose` (docker compose up -d) and run it again"

    // MARK: txn demo

    static let txnDemo = Command(
        "demo", summary: "commit one batch, abort another, read with read_committed and read_uncommitted side by side",
        usage: "txn demo [--topic T]", options: ["--topic"],
        details: "Uses its own transactional producer (a fresh transactional.id) and writes to partition 0 of the topic (default: txn-demo, created if missing). On real Kafka read_committed skips the aborted batch and the offsets of the commit and abort markers hold no message. The embedded cluster writes no markers and ignores isolation.level, so both consumers see the aborted batch there; the output says so.",
        completes: .topics
    ) { ctx in
        try ctx.arguments.expectPositionals(atMost: 0)
        try TransactionDemo(session: ctx.session, topicName: ctx.arguments.value("--topic"), ctx: ctx).run()
    }

    // MARK: txn fence

    static let txnFence = Command(
        "fence", summary: "start a second producer with the same transactional.id and show what happens to the first",
        usage: "txn fence",
        details: "The first producer is the session's (if transactional.id is set) or a demo one; it opens a transaction and writes one message. A second producer with the same transactional.id runs init_transactions; then the first tries to write and commit. On real Kafka the second init bumps the epoch and the first is fenced (fatal _FENCED; the session drops it). The embedded cluster does not model fencing: it hands the second producer a new producer id, and the first carries on; the output says so."
    ) { ctx in
        try ctx.arguments.expectPositionals(atMost: 0)
        let session = ctx.session
        let c = try session.requireConnection()
        let lab = TransactionLab.attach(to: session)
        if let o = lab.currentOpen(in: session) {
            throw LabError.invalid("a transaction is open (\(TransactionLab.messages(o.delivered))); `txn commit` or `txn abort` it first: `txn fence` runs its own transaction on the session producer")
        }
        let timeout = ProducerCommands.transactionTimeout(session)
        let topic = try demoTopic(nil, defaultName: "txn-demo", partitions: 1, ctx: ctx)
        let sessionId = try session.producerProperties()["transactional.id"].flatMap { $0.isEmpty ? nil : $0 }
        let transactionalId = sessionId ?? "kafkalab-fence-\(runId())"

        // The first producer: the session's own, so a fence reaches the
        // session exactly as it would reach an application.
        let first: Producer
        let firstStats: () -> ClientStatistics?
        if sessionId != nil {
            let sp = try session.producer()
            if lab.initializedProducer !== sp {
                try ProducerCommands.transactional("init_transactions", lab: lab, session: session) {
                    try sp.producer.initTransactions(timeoutMs: timeout, stopWhen: { ctx.isCancelled })
                }
                lab.initializedProducer = sp
            }
            first = sp.producer
            firstStats = { sp.statistics.value }
        } else {
            let recorder = StatisticsRecorder()
            first = try Producer(config: c.baseProperties.merging([
                "transactional.id": transactionalId, "statistics.interval.ms": "100", "client.id": "kafkalab-fence-first",
            ]) { $1 }, onStatistics: { recorder.record($0) })
            try first.initTransactions(timeoutMs: timeout, stopWhen: { ctx.isCancelled })
            firstStats = { recorder.latest }
        }
        try first.beginTransaction()
        // Ctrl-C from here on must not leave the session's producer inside a
        // transaction the session does not know about.
        var firstInTransaction = sessionId != nil
        defer { if firstInTransaction && ctx.isCancelled { try? first.abortTransaction(timeoutMs: 500) } }
        try first.send(topic: topic.name, partition: 0, value: Array("from the first producer".utf8))
        try first.flush(timeoutMs: timeout)
        let firstEos = StatisticsRecorder.waitForProducerId(timeout: 1.5, cancellation: ctx.cancellation, firstStats)
        try ctx.cancellation.check()
        ctx.output.line("first producer (\(sessionId != nil ? "the session's" : "demo"), transactional.id \(transactionalId)): \(firstEos?.producerIdText ?? "producer id not reported"); transaction open with 1 message")

        let secondStats = StatisticsRecorder()
        try ctx.cancellation.check()
        let second = try Producer(config: c.baseProperties.merging([
            "transactional.id": transactionalId, "statistics.interval.ms": "100", "client.id": "kafkalab-fence-second",
        ]) { $1 }, onStatistics: { secondStats.record($0) })
        try second.initTransactions(timeoutMs: timeout, stopWhen: { ctx.isCancelled })
        let secondEos = secondStats.waitForProducerId(timeout: 1.5, cancellation: ctx.cancellation)
        try ctx.cancellation.check()
        ctx.output.line("second producer, same transactional.id: init_transactions → \(secondEos?.producerIdText ?? "producer id not reported")")

        // The first producer's next operation: one more message and a commit.
        var firstError: KafkaError? = nil
        do {
            try first.send(topic: topic.name, partition: 0, value: Array("from the first producer, after the fence".utf8))
            try first.commitTransaction(timeoutMs: timeout, stopWhen: { ctx.isCancelled })
        } catch let e as KafkaError {
            firstError = first.fatalError ?? e
        }
        firstInTransaction = false
        let fenced = firstError?.isFatal == true || first.fatalError != nil
        if let firstError {
            ctx.output.line("first producer's next operation (produce + commit): \(fenced ? "fatal " : "")\(firstError.name): \(firstError.message)")
        } else {
            ctx.output.line("first producer's next operation (produce + commit): succeeded, 2 messages committed")
        }
        var secondOutcome = "committed 1 message"
        do {
            try second.beginTransaction()
            try second.send(topic: topic.name, partition: 0, value: Array("from the second producer".utf8))
            try second.commitTransaction(timeoutMs: timeout, stopWhen: { ctx.isCancelled })
        } catch {
            secondOutcome = "failed: \(describeError(error))"
        }
        ctx.output.line("second producer: \(secondOutcome)")

        if sessionId != nil {
            if fenced {
                lab.dropProducer(in: session, because: "fenced by a newer producer with transactional.id \(transactionalId)")
                ctx.output.line("the session dropped its fenced producer; the next command gets a fresh one (and `txn begin` runs init_transactions again, fencing the second in turn)")
            } else {
                lab.lastOutcome = firstError == nil ? "committed 2 msgs (txn fence)" : "failed in txn fence: \(firstError!.name)"
                if firstError != nil { try? first.abortTransaction(timeoutMs: timeout) }
            }
        }
        if c.isEmbedded && !fenced {
            let ids = [firstEos, secondEos].map { $0?.producerIdText ?? "?" }
            ctx.output.line("embedded cluster: fencing is not modelled. The mock gave the second producer its own new id (\(ids[1])) instead of bumping the epoch of the first (\(ids[0])), so the first producer carried on. On real Kafka the second init_transactions bumps the epoch, the coordinator aborts the first's open transaction, and the first's next operation fails with fatal _FENCED: \(composeHint)")
        } else if !fenced {
            ctx.output.warning("the first producer was not fenced: a Kafka broker bumps the epoch on the second init_transactions and should have rejected the first; check that \(c.label) is Apache Kafka 0.11 or newer")
        } else {
            ctx.output.line("fenced: the first producer is a zombie now; its open transaction was aborted by the coordinator, and only a new instance with this transactional.id can write")
        }
        ctx.output.setResult(.object([
            ("transactional_id", .string(transactionalId)), ("session_producer", .bool(sessionId != nil)),
            ("first", firstEos?.producerIdJSON ?? .null), ("second", secondEos?.producerIdJSON ?? .null),
            ("first_next_operation", .object([("error", .optional(firstError?.name)), ("message", .optional(firstError?.message)), ("fenced", .bool(fenced))])),
            ("second_outcome", .string(secondOutcome)), ("embedded", .bool(c.isEmbedded)),
        ]))
    }
}
