import Foundation
import Kafka
import Synchronization

/// What `ProducerDemos.swift`'s commands run: one function per command, so that the
/// declarations stay a list of names, options and help.
extension ProducerDemos {
    static func runTxnDemo(_ ctx: CommandContext) throws {
        try ctx.arguments.expectPositionals(atMost: 0)
        try TransactionDemo(session: ctx.session, topicName: ctx.arguments.value("--topic"), ctx: ctx).run()
    }

    static func runTxnFence(_ ctx: CommandContext) throws {
        try ctx.arguments.expectPositionals(atMost: 0)
        let session = ctx.session
        let c = try session.requireConnection()
        let lab = TransactionLab.attach(to: session)
        if let o = lab.currentOpen(in: session) {
            throw LabError.invalid(
                "a transaction is open (\(TransactionLab.messages(o.delivered))); `txn commit` or `txn abort` it first: `txn fence` runs its own transaction on the session producer"
            )
        }
        let timeout = ProducerCommands.transactionTimeout(session)
        let sessionId = try session.producerProperties()["transactional.id"].flatMap { $0.isEmpty ? nil : $0 }
        let transactionalId = sessionId ?? "kafkalab-fence-\(runId())"
        try ProduceAvailability.checkCoordinator(.transactions, key: transactionalId, connection: c, lab: ctx.path)
        let topic = try ctx.demoTopic(nil, defaultName: "txn-demo", partitions: 1)

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
            first = try Producer(
                config: c.clientProperties(
                    .producer,
                    [
                        "transactional.id": transactionalId, "statistics.interval.ms": "100",
                        "client.id": "kafkalab-fence-first",
                    ]), onStatistics: { recorder.record($0) })
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
        ctx.output.line(
            "first producer (\(sessionId != nil ? "the session's" : "demo"), transactional.id \(transactionalId)): \(firstEos?.producerIdText ?? "producer id not reported"); transaction open with 1 message"
        )

        let secondStats = StatisticsRecorder()
        try ctx.cancellation.check()
        let second = try Producer(
            config: c.clientProperties(
                .producer,
                [
                    "transactional.id": transactionalId, "statistics.interval.ms": "100",
                    "client.id": "kafkalab-fence-second",
                ]), onStatistics: { secondStats.record($0) })
        try second.initTransactions(timeoutMs: timeout, stopWhen: { ctx.isCancelled })
        let secondEos = secondStats.waitForProducerId(timeout: 1.5, cancellation: ctx.cancellation)
        try ctx.cancellation.check()
        ctx.output.line(
            "second producer, same transactional.id: init_transactions → \(secondEos?.producerIdText ?? "producer id not reported")"
        )

        // The first producer's next operation: one more message and a commit.
        var firstError: KafkaError? = nil
        do {
            try first.send(
                topic: topic.name, partition: 0, value: Array("from the first producer, after the fence".utf8))
            try first.commitTransaction(timeoutMs: timeout, stopWhen: { ctx.isCancelled })
        } catch let e as KafkaError {
            firstError = first.fatalError ?? e
        }
        firstInTransaction = false
        let fenced = firstError?.isFatal == true || first.fatalError != nil
        var secondOutcome = "committed 1 message"
        do {
            try second.beginTransaction()
            try second.send(topic: topic.name, partition: 0, value: Array("from the second producer".utf8))
            try second.commitTransaction(timeoutMs: timeout, stopWhen: { ctx.isCancelled })
        } catch {
            secondOutcome = "failed: \(describeError(error))"
        }
        if sessionId != nil {
            if fenced {
                lab.dropProducer(
                    in: session, because: "fenced by a newer producer with transactional.id \(transactionalId)")
            } else {
                lab.lastOutcome =
                    firstError == nil ? "committed 2 msgs (txn fence)" : "failed in txn fence: \(firstError!.name)"
                if firstError != nil { try? first.abortTransaction(timeoutMs: timeout) }
            }
        }
        if !c.control.isMock && !fenced {
            ctx.output.warning(
                "the first producer was not fenced: a Kafka broker bumps the epoch on the second init_transactions and should have rejected the first; check that \(c.label) is Apache Kafka 0.11 or newer"
            )
        }
        ctx.output.emit(
            TxnFenceResult(
                transactionalID: transactionalId, sessionProducer: sessionId != nil, first: firstEos?.identity,
                second: secondEos?.identity,
                firstNextOperation: .init(error: firstError?.name, message: firstError?.message, fenced: fenced),
                secondOutcome: secondOutcome, embedded: c.control.isMock))
    }
}
