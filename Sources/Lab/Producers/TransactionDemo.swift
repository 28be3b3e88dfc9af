import Foundation
import Kafka

/// `txn demo`: one committed and one aborted transaction of three messages each
/// on partition 0, read back with read_committed and read_uncommitted side by side.
///
/// The coordinator answers EndTxn before the markers are written, so the end of
/// the log is read only once the high watermark has reached it (bounded): on real
/// Kafka start + 3 + 1 (commit marker) + 3 + 1 (abort marker); the embedded mock
/// writes no markers.
struct TransactionDemo {
    let session: Session
    let topicName: String?
    let ctx: CommandContext

    /// Messages per transaction.
    static let batch = 3
    /// How long to wait for the abort marker to reach the high watermark.
    static let markerWaitSeconds = 10.0

    /// The offset the high watermark reaches once both transactions and their markers are in the log.
    static func expectedEnd(start: Int64, markersWritten: Bool) -> Int64 {
        start + Int64(2 * batch) + (markersWritten ? 2 : 0)
    }

    func run() throws {
        let out = ctx.output
        let c = try session.requireConnection()
        if let open = session.openTransactionDescription {
            throw LabError.invalid(
                "a session transaction is open (\(open)); `txn commit` or `txn abort` it first: the demo's reads and its own transactions would mix with it on the same topic"
            )
        }
        let transactionalId = "kafkalab-txn-demo-\(ProducerDemos.runId())"
        try ProduceAvailability.checkCoordinator(.transactions, key: transactionalId, connection: c, lab: ctx.path)
        let topic = try ctx.demoTopic(topicName, defaultName: "txn-demo", partitions: 1)
        let partition: Int32 = 0
        let stats = StatisticsRecorder()
        let producer = try Producer(
            config: c.clientProperties(
                .producer,
                [
                    "transactional.id": transactionalId, "statistics.interval.ms": "100",
                    "client.id": "kafkalab-txn-demo",
                ]), onStatistics: { stats.record($0) })
        let timeout = ProducerCommands.transactionTimeout(session)
        let start = try c.client.watermarks(topic: topic.name, partition: partition).high
        try producer.initTransactions(timeoutMs: timeout, stopWhen: { ctx.isCancelled })
        let eos = stats.waitForProducerId(timeout: 1.5, cancellation: ctx.cancellation)
        out.line(
            "transactional producer \(transactionalId) (\(eos?.producerIdText ?? "producer id not reported")), writing to \(topic.name) partition \(partition) from offset \(start)"
        )

        try producer.beginTransaction()
        for i in 1...Self.batch {
            try producer.send(
                topic: topic.name, partition: partition, key: Array("demo".utf8), value: Array("committed \(i)".utf8))
        }
        try producer.commitTransaction(timeoutMs: timeout, stopWhen: { ctx.isCancelled })
        out.line("transaction 1: \(Self.batch) messages, committed")
        try producer.beginTransaction()
        for i in 1...Self.batch {
            try producer.send(
                topic: topic.name, partition: partition, key: Array("demo".utf8), value: Array("aborted \(i)".utf8))
        }
        try producer.flush(timeoutMs: timeout)
        try producer.abortTransaction(timeoutMs: timeout, stopWhen: { ctx.isCancelled })
        out.line("transaction 2: \(Self.batch) messages, written to the log, then aborted")

        let expected = Self.expectedEnd(start: start, markersWritten: c.can(.transactionMarkers))
        let reached = try waitForHighWatermark(expected, topic: topic.name, partition: partition, client: c.client)
        let end = reached.high
        if end < expected {
            out.warning(
                "the high watermark reached \(end), not \(expected), within \(Int(Self.markerWaitSeconds)) s: the table shows what the log held then"
            )
        } else if reached.waited > 0 {
            out.line(
                String(
                    format: "waited %.1f s for the abort marker: the coordinator writes it after answering EndTxn",
                    reached.waited))
        }
        let lso = try? c.client.lastStableOffset(topic: topic.name, partition: partition, timeoutMs: 3_000)

        // Through the cluster seam, so that the stand-in behind it can answer as a broker
        // would: read_committed stops at the LSO and skips aborted batches.
        func read(_ isolation: String) throws -> [ConsumedMessage] {
            let props = try session.consumerProperties(
                group: "kafkalab-readback-\(UUID().uuidString.prefix(8))", ["isolation.level": isolation])
            return try c.client.readPartition(
                topic: topic.name, partition: partition, consumerProperties: props, timeoutSeconds: 10
            ).filter { $0.offset >= start }
        }
        let committed = try read("read_committed")
        try ctx.cancellation.check()
        let uncommitted = try read("read_uncommitted")
        try ctx.cancellation.check()
        let result = TxnDemoResult(
            topic: topic.name, partition: partition, transactionalID: transactionalId, startOffset: start,
            endOffset: end, expectedEndOffset: expected, lastStableOffset: lso,
            readCommitted: .init(committed), readUncommitted: .init(uncommitted), embedded: c.control.isMock,
            values: Dictionary(uncommitted.map { ($0.offset, ProducerDemos.text($0.value)) }) { a, _ in a })
        if !result.embedded && result.readCommitted.abortedSeen > 0 {
            out.warning(
                "read_committed returned \(result.readCommitted.abortedSeen) aborted message(s); a Kafka broker should have filtered them"
            )
        }
        out.emit(result)
    }

    /// Polls the high watermark until it reaches `expected` or the bound passes.
    private func waitForHighWatermark(
        _ expected: Int64, topic: String, partition: Int32,
        client: any ClusterClient
    ) throws -> (high: Int64, waited: Double) {
        let clock = client.clock
        let started = clock.now
        while true {
            let high = try client.watermarks(topic: topic, partition: partition, timeoutMs: 3_000).high
            let waited = clock.now - started
            if high >= expected || waited > Self.markerWaitSeconds {
                return (high, high >= expected && waited < 0.01 ? 0 : waited)
            }
            try ctx.cancellation.check()
            ctx.output.progress(
                String(
                    format: "waiting for the high watermark to reach %lld (now %lld): %.1f s", expected, high, waited))
            clock.sleep(0.1)
        }
    }
}

extension TxnDemoResult.Isolation {
    /// What a read of the demo's range returned: its offsets, and how many came from the aborted transaction.
    init(_ messages: [ConsumedMessage]) {
        self.init(
            offsets: messages.map(\.offset),
            abortedSeen: messages.filter { ProducerDemos.text($0.value).hasPrefix("aborted") }.count)
    }
}
