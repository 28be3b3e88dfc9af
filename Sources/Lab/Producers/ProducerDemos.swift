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
        let md = try c.admin.metadata()
        if let t = md.topic(defaultName) { return t }
        try c.createTopic(defaultName, partitions: partitions, replicationFactor: Int32(min(3, max(1, md.brokers.count))), configs: [:])
        ctx.output.line("created \(defaultName) (\(partitions) partition\(partitions == 1 ? "" : "s")) for the demo")
        let deadline = Date().addingTimeInterval(10)
        while true {
            if let t = try c.admin.metadata().topic(defaultName), t.partitions.count == Int(partitions) { return t }
            if Date() > deadline || ctx.isCancelled { throw LabError.invalid("created \(defaultName), but it did not appear in the metadata within 10 s") }
            usleep(100_000)
        }
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
        let session = ctx.session
        let c = try session.requireConnection()
        let topic = try demoTopic(ctx.arguments.value("--topic"), defaultName: "txn-demo", partitions: 1, ctx: ctx)
        let partition: Int32 = 0
        let transactionalId = "kafkalab-txn-demo-\(runId())"
        let stats = StatisticsRecorder()
        let producer = try Producer(config: c.baseProperties.merging([
            "transactional.id": transactionalId, "statistics.interval.ms": "100", "client.id": "kafkalab-txn-demo",
        ]) { $1 }, onStatistics: { stats.record($0) })
        let timeout = ProducerCommands.transactionTimeout(session)
        let start = try c.admin.watermarks(topic: topic.name, partition: partition).high
        try producer.initTransactions(timeoutMs: timeout, stopWhen: { ctx.isCancelled })
        let eos = stats.waitForProducerId(timeout: 1.5, cancellation: ctx.cancellation)
        ctx.output.line("transactional producer \(transactionalId) (\(eos?.producerIdText ?? "producer id not reported")), writing to \(topic.name) partition \(partition) from offset \(start)")

        try producer.beginTransaction()
        for i in 1...3 { try producer.send(topic: topic.name, partition: partition, key: Array("demo".utf8), value: Array("committed \(i)".utf8)) }
        try producer.commitTransaction(timeoutMs: timeout, stopWhen: { ctx.isCancelled })
        ctx.output.line("transaction 1: 3 messages, committed")
        try producer.beginTransaction()
        for i in 1...3 { try producer.send(topic: topic.name, partition: partition, key: Array("demo".utf8), value: Array("aborted \(i)".utf8)) }
        try producer.flush(timeoutMs: timeout)
        try producer.abortTransaction(timeoutMs: timeout, stopWhen: { ctx.isCancelled })
        ctx.output.line("transaction 2: 3 messages, written to the log, then aborted")
        let end = try c.admin.watermarks(topic: topic.name, partition: partition).high

        let committed = try readBack(topic.name, from: [partition: start], isolation: "read_committed", session: session, cancellation: ctx.cancellation)
        let uncommitted = try readBack(topic.name, from: [partition: start], isolation: "read_uncommitted", session: session, cancellation: ctx.cancellation)
        let committedOffsets = Set(committed.map(\.offset))
        let uncommittedByOffset = Dictionary(uncommitted.map { ($0.offset, $0) }) { a, _ in a }
        var table = TextTable(headers: ["OFFSET", "VALUE", "READ_COMMITTED", "READ_UNCOMMITTED"])
        var gaps: [Int64] = []
        for offset in start..<max(end, start) {
            if let m = uncommittedByOffset[offset] {
                table.append([String(offset), text(m.value), committedOffsets.contains(offset) ? "seen" : "skipped", "seen"])
            } else {
                gaps.append(offset)
                table.append([String(offset), "(no message: transaction marker)", "-", "-"])
            }
        }
        ctx.output.table(table)
        let abortedSeenCommitted = committed.filter { text($0.value).hasPrefix("aborted") }.count
        let abortedSeenUncommitted = uncommitted.filter { text($0.value).hasPrefix("aborted") }.count
        ctx.output.line("read_uncommitted saw \(uncommitted.count) message(s), \(abortedSeenUncommitted) of them from the aborted transaction")
        ctx.output.line("read_committed saw \(committed.count) message(s), \(abortedSeenCommitted) of them from the aborted transaction")
        if !gaps.isEmpty {
            ctx.output.line("offsets \(gaps.map(String.init).joined(separator: ", ")) hold the commit and abort markers: control records that take an offset but reach no consumer")
        }
        let embedded = c.isEmbedded
        if embedded && abortedSeenCommitted > 0 {
            ctx.output.line("embedded cluster: read_committed saw the aborted batch too, because \(ProducerCommands.embeddedMarkersNote) (last stable offset = high watermark, no aborted-transaction list): there is nothing to filter on. On real Kafka read_committed skips it: \(composeHint)")
        } else if abortedSeenCommitted > 0 {
            ctx.output.warning("read_committed returned \(abortedSeenCommitted) aborted message(s); a Kafka broker should have filtered them")
        } else {
            ctx.output.line("read_committed skipped the aborted batch: the abort marker told it to")
        }
        ctx.output.setResult(.object([
            ("topic", .string(topic.name)), ("partition", .integer(partition)), ("transactional_id", .string(transactionalId)),
            ("start_offset", .integer(start)), ("end_offset", .integer(end)),
            ("read_committed", .object([("offsets", .ints(committed.map(\.offset))), ("aborted_seen", .integer(abortedSeenCommitted))])),
            ("read_uncommitted", .object([("offsets", .ints(uncommitted.map(\.offset))), ("aborted_seen", .integer(abortedSeenUncommitted))])),
            ("marker_offsets", .ints(gaps)), ("embedded", .bool(embedded)),
        ]))
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
        ctx.output.line("first producer (\(sessionId != nil ? "the session's" : "demo"), transactional.id \(transactionalId)): \(firstEos?.producerIdText ?? "producer id not reported"); transaction open with 1 message")

        let secondStats = StatisticsRecorder()
        let second = try Producer(config: c.baseProperties.merging([
            "transactional.id": transactionalId, "statistics.interval.ms": "100", "client.id": "kafkalab-fence-second",
        ]) { $1 }, onStatistics: { secondStats.record($0) })
        try second.initTransactions(timeoutMs: timeout, stopWhen: { ctx.isCancelled })
        let secondEos = secondStats.waitForProducerId(timeout: 1.5, cancellation: ctx.cancellation)
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
