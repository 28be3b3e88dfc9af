import Foundation
import Kafka
import Synchronization

/// The demos of the producers lab: `txn demo` and `txn fence` (`idempotence demo` is IdempotenceDemo).
/// Each runs its own short-lived clients, measures, and says plainly what the
/// embedded cluster cannot show.
enum ProducerDemos {
    // MARK: Shared

    /// Reads the given partitions from the given offsets to their end (for
    /// read_committed: to the last stable offset) with a throwaway consumer.
    static func readBack(
        _ topic: String, from starts: [Int32: Int64], isolation: String, session: Session,
        cancellation: Cancellation, progress: (Int) -> Void = { _ in }
    ) throws -> [ConsumedMessage] {
        let consumer = try Consumer(
            config: session.consumerProperties(
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
        details:
            "Uses its own transactional producer (a fresh transactional.id) and writes to partition 0 of the topic (default: txn-demo, created if missing). On real Kafka read_committed skips the aborted batch and the offsets of the commit and abort markers hold no message. The embedded cluster writes no markers and ignores isolation.level, so both consumers see the aborted batch there; the output says so.",
        completes: .topics
    ) { ctx in try runTxnDemo(ctx) }

    // MARK: txn fence

    static let txnFence = Command(
        "fence", summary: "start a second producer with the same transactional.id and show what happens to the first",
        usage: "txn fence",
        details:
            "The first producer is the session's (if transactional.id is set) or a demo one; it opens a transaction and writes one message. A second producer with the same transactional.id runs init_transactions; then the first tries to write and commit. On real Kafka the second init bumps the epoch and the first is fenced (fatal _FENCED; the session drops it). The embedded cluster does not model fencing: it hands the second producer a new producer id, and the first carries on; the output says so."
    ) { ctx in try runTxnFence(ctx) }
}
