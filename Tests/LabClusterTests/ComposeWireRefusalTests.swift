import Foundation
import Kafka
import Synchronization
import TestSupport
import Testing

@testable import Lab

/// What the stand-in's protocol proxy refuses below min.insync.replicas, as Kafka 3.9
/// does: every acks=all Produce (not once), never an acks=1 one, and the coordinator
/// writes (offset commits) while the group's __consumer_offsets partition is short.
@Suite("Below min.insync.replicas through the stand-in's protocol proxy")
struct ComposeWireRefusalTests {
    /// Delivery reports of one producer, collected from librdkafka's thread.
    final class Reports: Sendable {
        let all = Mutex<[DeliveryReport]>([])
        var last: DeliveryReport? { all.withLock { $0.last } }
    }

    /// One record's delivery report; `timeoutMs` bounds a write that is refused (one
    /// that is acknowledged returns at once).
    private func produceOne(
        _ bootstrap: String, topic: String, acks: String, timeoutMs: Int = 8_000
    ) throws
        -> DeliveryReport?
    {
        let reports = Reports()
        let producer = try Producer(
            config: [
                "bootstrap.servers": bootstrap, "acks": acks, "linger.ms": "0", "message.timeout.ms": "\(timeoutMs)",
                "retry.backoff.ms": "50",
            ],
            onDelivery: { r in reports.all.withLock { $0.append(r) } })
        try producer.send(topic: topic, partition: 0, value: Array("v".utf8))
        try producer.flush(timeoutMs: 10_000)
        return reports.last
    }

    @Test func anAcksAllWriteIsRefusedEveryTimeUntilTheIsrRefillsWhileAcksOneWrites() throws {
        let kafka = try ScriptedKafka()
        let t = TestSession(standIn: kafka)
        let bootstrap = try #require(t.session.connection?.bootstrap)
        #expect(bootstrap == kafka.proxy.bootstrap, "the session's clients go through the proxy")
        _ = try t.output(of: "topic create r --partitions 1")
        _ = try t.output(of: "broker stop 2 3")
        #expect(kafka.isr("r", 0) == [1])

        let refused = try #require(try produceOne(bootstrap, topic: "r", acks: "all", timeoutMs: 1_500))
        #expect(!refused.succeeded, "an acks=all write below min ISR is never acknowledged")
        let attempts = kafka.minIsrRefusal.refusals("r", 0)
        #expect(attempts >= 2, "librdkafka retried the refusal and the proxy refused again: \(attempts)")

        let acksOne = try #require(try produceOne(bootstrap, topic: "r", acks: "1"))
        #expect(acksOne.succeeded, "\(acksOne.error?.description ?? "")")
        #expect(kafka.minIsrRefusal.refusals("r", 0) == attempts, "acks=1 is never refused")

        _ = try t.output(of: "broker start 2")
        try kafka.advance(ms: 2 * kafka.fetchIntervalMs)
        #expect(kafka.isr("r", 0) == [1, 2])
        let accepted = try #require(try produceOne(bootstrap, topic: "r", acks: "all"))
        #expect(accepted.succeeded, "\(accepted.error?.description ?? "")")
        #expect(kafka.minIsrRefusal.refusals("r", 0) == attempts)
    }

    /// Brokers stop (in another terminal) while `consume --group --follow` reads: the
    /// group's next commit is refused, and the command ends in one line saying why.
    /// The stand-in is touched by one thread at a time: the test thread stops the
    /// brokers while the command reads (it calls the stand-in only before it joins and
    /// when a commit fails), and the command's explanation comes after the last record.
    @Test func aCommitRefusedWhileReadingEndsTheCommandInOneLineSayingWhy() throws {
        let kafka = try ScriptedKafka()
        let t = TestSession(standIn: kafka)
        _ = try t.output(of: "topic create c --partitions 1")
        _ = try t.output(of: "seed c --count 3")
        let run = BackgroundRun(t, "consume c --group billing --commit every:1 --follow")
        #expect(BackgroundRun.await(20) { t.buffer.stdout.contains("p0 @2") }, "\(t.buffer.stdout)")
        // Its commit of the third record is through before the brokers stop.
        let c0 = TopicPartition(topic: "c", partition: 0)
        #expect(
            BackgroundRun.await(10) {
                (try? kafka.admin.committedOffsets(group: "billing", partitions: [c0]))?.first?.offset == 3
            })
        try kafka.perform(.stop, broker: 2)
        try kafka.perform(.stop, broker: 3)
        let partition = KafkaMinIsrRefusal.coordinatorPartition(for: "billing", partitions: 50)
        #expect(kafka.isr("__consumer_offsets", partition) == [1])
        // One more record (acks=1 is not refused): reading it makes the next commit.
        let producer = try Producer(config: ["bootstrap.servers": kafka.proxy.bootstrap, "acks": "1"])
        try producer.send(topic: "c", partition: 0, value: Array("late".utf8))
        try producer.flush(timeoutMs: 5_000)
        guard let end = run.wait(timeout: 30) else {
            run.cancel()
            _ = run.wait(timeout: 10)
            Issue.record("consume did not end on the refused commit: \(t.buffer.stdout.suffix(400))")
            return
        }
        #expect(
            end.outcome
                == .failed(
                    "consume --group billing: a commit was answered COORDINATOR_NOT_AVAILABLE: __consumer_offsets partition 9 (ISR [1]), where group billing's coordinator writes, is below min.insync.replicas 2: the group coordinator cannot write, so offset commits are answered COORDINATOR_NOT_AVAILABLE and retried, and a rebalance cannot complete (reading without a group still works); `broker start <id>` restores the ISR"
                ), "\(end.outcome)")
        #expect(t.buffer.stdout.contains("p0 @3  late"))
        // librdkafka retried the refused commit (twice, its default for requests) before it
        // gave up; the error the lab caught is the code the proxy answered (15, checked in
        // KafkaWireMessagesTests), as librdkafka names it.
        #expect(kafka.minIsrRefusal.refusals("__consumer_offsets", partition) >= 2)
    }

    /// A transactional producer's calls go to the transaction coordinator, which writes
    /// each to its __transaction_state partition: short, InitProducerId and EndTxn are
    /// answered COORDINATOR_NOT_AVAILABLE and librdkafka retries them until its time-out.
    @Test func transactionalCallsWaitWhileTheirTransactionStatePartitionIsShort() throws {
        let kafka = try ScriptedKafka()
        let t = TestSession(standIn: kafka)
        _ = try t.output(of: "topic create tx --partitions 1")
        let partition = KafkaMinIsrRefusal.coordinatorPartition(for: "orders-tx", partitions: 50)
        let producer = try Producer(config: [
            "bootstrap.servers": kafka.proxy.bootstrap, "transactional.id": "orders-tx", "linger.ms": "0",
        ])
        _ = try t.output(of: "broker stop 2 3")
        #expect(kafka.isr("__transaction_state", partition) == [1])
        let initRefused = #expect(throws: KafkaError.self) { try producer.initTransactions(timeoutMs: 2_500) }
        #expect(
            initRefused?.description.contains("Coordinator not available") == true, "\(String(describing: initRefused))"
        )
        let initRefusals = kafka.minIsrRefusal.refusals("__transaction_state", partition)
        #expect(initRefusals >= 1)

        // Back in the ISR: the same producer's init (retried) and a transaction go through.
        _ = try t.output(of: "broker start 2")
        try kafka.advance(ms: 2 * kafka.fetchIntervalMs)
        #expect(kafka.isr("__transaction_state", partition)?.count == 2)
        try producer.initTransactions(timeoutMs: 10_000)
        try producer.beginTransaction()
        try producer.send(topic: "tx", partition: 0, value: Array("a".utf8))
        try producer.flush(timeoutMs: 10_000)

        // Short again before the commit: EndTxn is refused until the commit times out.
        _ = try t.output(of: "broker stop 2")
        let commitRefused = #expect(throws: KafkaError.self) { try producer.commitTransaction(timeoutMs: 1_500) }
        #expect(commitRefused != nil)
        #expect(kafka.minIsrRefusal.refusals("__transaction_state", partition) > initRefusals)
    }

    /// The session's transaction commands while __transaction_state is short: each stops
    /// in one line before a call that would be retried until it times out, and the open
    /// transaction stays open until the ISR is back.
    @Test func theSessionsTransactionCommandsStopInOneLineWhileTheCoordinatorCannotWrite() throws {
        let kafka = try ScriptedKafka()
        let t = TestSession(standIn: kafka)
        _ = try t.output(of: "topic create tx --partitions 1")
        _ = try t.output(of: "set transactional.id orders-tx")
        _ = try t.output(of: "txn begin")
        #expect(try t.output(of: "produce --topic tx a").contains("produced 1 of 1"))
        _ = try t.output(of: "broker stop 2 3")

        let log =
            "__transaction_state partition 48 (ISR [1]), where transactional.id orders-tx's coordinator writes, is below min.insync.replicas 2: the transaction coordinator cannot write"
        let commit = try t.failure(of: "txn commit")
        #expect(commit.hasPrefix("txn commit: \(log)"), "\(commit)")
        let produce = try t.failure(of: "produce --topic tx b")
        #expect(produce.hasPrefix("produce: \(log)"), "\(produce)")
        #expect(try t.output(of: "txn status").contains("open"))

        _ = try t.output(of: "broker start 2")
        try kafka.advance(ms: 2 * kafka.fetchIntervalMs)
        #expect(try t.output(of: "txn commit").contains("committed 1"))
        _ = try t.output(of: "broker stop 2")
        let begin = try t.failure(of: "txn begin")
        #expect(begin.hasPrefix("txn begin: \(log)"), "\(begin)")
    }
}
