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

    private func produceOne(_ bootstrap: String, topic: String, acks: String) throws -> DeliveryReport? {
        let reports = Reports()
        let producer = try Producer(
            config: [
                "bootstrap.servers": bootstrap, "acks": acks, "linger.ms": "0", "message.timeout.ms": "1500",
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

        let refused = try #require(try produceOne(bootstrap, topic: "r", acks: "all"))
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

    @Test func anOffsetCommitForAGroupWhoseCoordinatorLogIsShortIsRefused() throws {
        let kafka = try ScriptedKafka()
        let t = TestSession(standIn: kafka)
        let bootstrap = try #require(t.session.connection?.bootstrap)
        _ = try t.output(of: "topic create c --partitions 1")
        _ = try t.output(of: "seed c --count 3")
        let consumer = try Consumer(config: [
            "bootstrap.servers": bootstrap, "group.id": "billing", "enable.auto.commit": "false",
        ])
        try consumer.assign([TopicPartitionOffset(topic: "c", partition: 0, offset: 0)])
        try consumer.commit([TopicPartitionOffset(topic: "c", partition: 0, offset: 1)])

        _ = try t.output(of: "broker stop 2 3")
        let partition = KafkaMinIsrRefusal.coordinatorPartition(for: "billing", partitions: 50)
        #expect(kafka.isr("__consumer_offsets", partition) == [1])
        #expect(throws: KafkaError.self) {
            try consumer.commit([TopicPartitionOffset(topic: "c", partition: 0, offset: 2)])
        }
        do {
            try consumer.commit([TopicPartitionOffset(topic: "c", partition: 0, offset: 2)])
        } catch let e as KafkaError {
            #expect(e.code == 15 && e.name == "COORDINATOR_NOT_AVAILABLE", "\(e)")
        }
        #expect(kafka.minIsrRefusal.refusals("__consumer_offsets", partition) >= 2)
        consumer.close()
    }
}
