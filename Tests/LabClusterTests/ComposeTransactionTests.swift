import Foundation
import Kafka
import TestSupport
import Testing

@testable import Lab

/// Transactions in compose mode against the stand-in, whose wire proxy runs them as
/// Kafka 3.9's coordinator does (`KafkaTransactionCoordinator`): nothing here is
/// scripted per test; fencing, markers and isolation come from the protocol.
@Suite("Transactions through the stand-in's coordinator: fencing, markers, isolation")
struct ComposeTransactionTests {
    @Test func aSecondInitTransactionsFencesTheFirstProducer() throws {
        let kafka = try ScriptedKafka()
        let t = TestSession(standIn: kafka, format: .json)
        _ = try t.output(of: "topic create txn-demo --partitions 1")
        _ = try t.output(of: "set transactional.id fence-tx")
        let json = try t.json("txn fence")
        #expect(json["first_next_operation"]?["fenced"] == .bool(true), "\(json) \(t.buffer.stderr)")
        #expect(json["first_next_operation"]?["error"] == .string("_FENCED"), "\(json)")
        // Kafka keeps the producer id and bumps the epoch: twice, since the first
        // producer's transaction was ongoing (aborted with epoch + 1, then the retry).
        let first = try #require(json["first"]), second = try #require(json["second"])
        #expect(first["producer_id"] == second["producer_id"], "\(json)")
        #expect(second["epoch"]?.intValue == (first["epoch"]?.intValue ?? -9) + 2, "\(json)")
        #expect(json["second_outcome"] == .string("committed 1 message"))
        #expect(!t.buffer.stderr.contains("the first producer was not fenced"))
        // The fenced transaction was aborted with a marker; the second producer's committed,
        // its marker written once markerDelayMs passes on Kafka's clock.
        try kafka.advance(ms: kafka.markerDelayMs)
        let read = try kafka.readPartition(
            topic: "txn-demo", partition: 0,
            consumerProperties: [
                "bootstrap.servers": kafka.proxy.bootstrap, "group.id": "check", "isolation.level": "read_committed",
            ], timeoutSeconds: 10)
        #expect(read.map { String(decoding: $0.value ?? [], as: UTF8.self) } == ["from the second producer"])
        #expect(try kafka.admin.watermarks(topic: "txn-demo", partition: 0).high == 4, "data, abort, data, commit")
    }

    /// A producer without a transaction open when the second init_transactions runs:
    /// one bump, and its next AddPartitionsToTxn is refused INVALID_PRODUCER_EPOCH by the
    /// mock (Kafka 3.9's answer to v0), which librdkafka makes a fatal _FENCED.
    @Test func anIdleProducerIsFencedAtItsNextTransaction() throws {
        let kafka = try ScriptedKafka()
        try kafka.mock.createTopic("idle", partitions: 1, replicationFactor: 3)
        let config = ["bootstrap.servers": kafka.proxy.bootstrap, "transactional.id": "idle-tx", "linger.ms": "0"]
        let first = try Producer(config: config)
        try first.initTransactions(timeoutMs: 10_000)
        let firstId = try #require(kafka.transactions.snapshot.producers["idle-tx"])
        let second = try Producer(config: config)
        try second.initTransactions(timeoutMs: 10_000)
        #expect(
            kafka.transactions.snapshot.producers["idle-tx"]
                == .init(id: firstId.id, epoch: firstId.epoch + 1), "the same id, one epoch on")

        try first.beginTransaction()
        try first.send(topic: "idle", partition: 0, value: Array("zombie".utf8))
        #expect(throws: KafkaError.self) { try first.commitTransaction(timeoutMs: 10_000) }
        #expect(first.fatalError?.name == "_FENCED", "\(String(describing: first.fatalError))")

        try second.beginTransaction()
        try second.send(topic: "idle", partition: 0, value: Array("current".utf8))
        try second.commitTransaction(timeoutMs: 10_000)
        try kafka.advance(ms: kafka.markerDelayMs)
        #expect(try kafka.admin.watermarks(topic: "idle", partition: 0).high == 2, "its record and its marker only")
    }

    /// A marker whose leader is down stays pending (the LSO with it) without holding up
    /// the stand-in, and is written once the leader is back.
    @Test func aMarkerWaitsForItsLeaderAndIsWrittenWhenItIsBack() throws {
        let kafka = try ScriptedKafka()
        try kafka.mock.createTopic("down", partitions: 1, replicationFactor: 3)
        let config = ["bootstrap.servers": kafka.proxy.bootstrap, "transactional.id": "down-tx", "linger.ms": "0"]
        let producer = try Producer(config: config)
        try producer.initTransactions(timeoutMs: 10_000)
        try producer.beginTransaction()
        try producer.send(topic: "down", partition: 0, value: Array("v".utf8))
        try producer.commitTransaction(timeoutMs: 10_000)
        let leader = try #require(kafka.admin.metadata().topic("down")?.partitions.first?.leader)
        try kafka.mock.stopBroker(leader)
        let started = Date()
        kafka.scriptedClock.advance(ms: kafka.markerDelayMs)
        #expect(Date().timeIntervalSince(started) < 5, "a failed write is bounded")
        #expect(kafka.transactions.snapshot.pending.count == 1)
        try kafka.mock.startBroker(leader)
        let written = BackgroundRun.await(10) {
            kafka.transactions.writeDueMarkers()
            return kafka.transactions.snapshot.pending.isEmpty
        }
        #expect(written)
        #expect(try kafka.admin.watermarks(topic: "down", partition: 0).high == 2)
        #expect(try kafka.lastStableOffset(topic: "down", partition: 0, timeoutMs: nil) == 2)
    }

    /// A committed transaction of n records moves each partition's HW by its records plus
    /// one commit marker, once markerDelayMs has passed on Kafka's clock.
    @Test func aCommittedTransactionLeavesOneMarkerPerPartitionAfterTheMarkerDelay() throws {
        let kafka = try ScriptedKafka()
        kafka.markerDelayMs = 300
        let t = TestSession(standIn: kafka)
        _ = try t.output(of: "topic create two --partitions 2")
        _ = try t.output(of: "set transactional.id counts-tx")
        _ = try t.output(of: "txn begin")
        _ = try t.output(of: "produce --topic two --partition 0 --count 3 a{i}")
        _ = try t.output(of: "produce --topic two --partition 1 --count 2 b{i}")
        _ = try t.output(of: "txn commit")
        func high(_ p: Int32) throws -> Int64 { try kafka.admin.watermarks(topic: "two", partition: p).high }
        #expect(try [high(0), high(1)] == [3, 2], "no marker before the delay")
        #expect(try kafka.lastStableOffset(topic: "two", partition: 0, timeoutMs: nil) == 0)
        try kafka.advance(ms: 299)
        #expect(try [high(0), high(1)] == [3, 2])
        try kafka.advance(ms: 1)
        #expect(try [high(0), high(1)] == [4, 3], "3 + 1 and 2 + 1")
        #expect(try kafka.lastStableOffset(topic: "two", partition: 0, timeoutMs: nil) == 4)
        #expect(try kafka.lastStableOffset(topic: "two", partition: 1, timeoutMs: nil) == 3)
        #expect(kafka.transactions.snapshot.pending.isEmpty)

        // The log as the leader serves it, straight from the mock: librdkafka's batch of 3
        // decodes with our reader (CRC checked), and our marker after it is what Kafka writes.
        let data = try rawBatch(kafka, topic: "two", partition: 0, offset: 0)
        #expect(data.isTransactional && !data.isControl && data.recordCount == 3 && data.lastOffset == 2)
        #expect(data.records.map { String(decoding: $0.value ?? [], as: UTF8.self) } == ["a0", "a1", "a2"])
        let marker = try rawBatch(kafka, topic: "two", partition: 0, offset: 3)
        #expect(marker.isControl && marker.isTransactional && marker.baseOffset == 3)
        #expect(marker.producerId == data.producerId && marker.producerEpoch == data.producerEpoch)
        let control = try KafkaControlRecord(key: marker.records[0].key ?? [], value: marker.records[0].value ?? [])
        #expect(control.type == .commit)
    }

    /// The first batch at `offset` of a partition, fetched (v4, read_uncommitted) from its leader on the mock.
    private func rawBatch(
        _ kafka: ScriptedKafka, topic: String, partition: Int32, offset: Int64
    ) throws
        -> KafkaRecordBatch
    {
        let md = try kafka.admin.metadata()
        let leader = try #require(md.topic(topic)?.partitions.first { $0.id == partition }?.leader)
        let broker = try #require(md.brokers.first { $0.id == leader })
        let client = try KafkaWireClient(host: broker.host, port: broker.port)
        var w = KafkaWireWriter()
        w.int32(-1)  // replica_id
        w.int32(0)  // max_wait_ms
        w.int32(1)  // min_bytes
        w.int32(1 << 20)  // max_bytes
        w.int8(0)  // isolation_level
        w.array([topic]) { w, name in
            w.string(name)
            w.array([partition]) { w, p in
                w.int32(p)
                w.int64(offset)
                w.int32(1 << 20)
            }
        }
        try client.send(.fetch, version: 4, correlationId: 1, body: w.bytes)
        let response = try KafkaWireResponse(frame: try client.receive(), apiKey: 1, apiVersion: 4)
        let fetched = try KafkaFetchResponse.read(response.body, version: 4)
        let records = try #require(fetched.topics.first?.partitions.first?.records)
        return try KafkaRecordBatch.decode(records)
    }

    /// read_committed through the proxy: stops at the LSO while a transaction is open,
    /// skips an aborted one, and reads a committed one once its marker is written.
    @Test func readCommittedStopsAtTheLsoAndSkipsAbortedRecords() throws {
        let kafka = try ScriptedKafka()
        let t = TestSession(standIn: kafka)
        _ = try t.output(of: "topic create iso --partitions 1")
        _ = try t.output(of: "produce --topic iso --count 2 plain{i}")
        _ = try t.output(of: "set transactional.id iso-tx")
        _ = try t.output(of: "txn begin")
        _ = try t.output(of: "produce --topic iso --count 3 open{i}")
        func read(_ isolation: String) throws -> [String] {
            try kafka.readPartition(
                topic: "iso", partition: 0,
                consumerProperties: [
                    "bootstrap.servers": kafka.proxy.bootstrap, "group.id": "iso-\(UUID().uuidString.prefix(6))",
                    // librdkafka verifies each batch's CRC-32C, the markers' included.
                    "isolation.level": isolation, "check.crcs": "true",
                ], timeoutSeconds: 10
            ).map { String(decoding: $0.value ?? [], as: UTF8.self) }
        }
        // Open: read_committed ends at the LSO (2), read_uncommitted at the HW.
        #expect(try read("read_committed") == ["plain0", "plain1"])
        #expect(try read("read_uncommitted") == ["plain0", "plain1", "open0", "open1", "open2"])
        _ = try t.output(of: "txn abort")
        _ = try t.output(of: "txn begin")
        _ = try t.output(of: "produce --topic iso --count 1 kept{i}")
        _ = try t.output(of: "txn commit")
        try kafka.advance(ms: kafka.markerDelayMs)
        // Log: plain 0-1, aborted 2-4, abort marker 5, kept 6, commit marker 7.
        #expect(try kafka.admin.watermarks(topic: "iso", partition: 0).high == 8)
        #expect(try read("read_committed") == ["plain0", "plain1", "kept0"])
        #expect(try read("read_uncommitted") == ["plain0", "plain1", "open0", "open1", "open2", "kept0"])
    }

    /// A read_committed consumer at the LSO of an open transaction is answered after
    /// fetch.wait.max.ms, as Kafka's leader answers it, not at once again and again.
    @Test func aReadCommittedConsumerAtTheLsoWaitsBetweenFetches() throws {
        let kafka = try ScriptedKafka()
        try kafka.mock.createTopic("wait", partitions: 1, replicationFactor: 3)
        let producer = try Producer(
            config: ["bootstrap.servers": kafka.proxy.bootstrap, "transactional.id": "wait-tx", "linger.ms": "0"])
        try producer.initTransactions(timeoutMs: 10_000)
        try producer.beginTransaction()
        try producer.send(topic: "wait", partition: 0, value: Array("open".utf8))
        try producer.flush(timeoutMs: 10_000)
        let consumer = try Consumer(config: [
            "bootstrap.servers": kafka.proxy.bootstrap, "group.id": "wait", "isolation.level": "read_committed",
            "enable.partition.eof": "true", "fetch.wait.max.ms": "500",
        ])
        defer { consumer.close() }
        try consumer.assign([TopicPartitionOffset(topic: "wait", partition: 0, offset: TopicPartitionOffset.beginning)])
        var atLso = false
        let deadline = Date().addingTimeInterval(10)
        while !atLso && Date() < deadline {
            if case .partitionEOF? = consumer.poll(timeoutMs: 100) { atLso = true }
        }
        #expect(atLso)
        // Two seconds at the LSO: about four fetches of 500 ms each; without the wait, thousands.
        let before = kafka.proxy.requestCount(.fetch)
        let window = Date().addingTimeInterval(2)
        while Date() < window {
            if case .message? = consumer.poll(timeoutMs: 100) { Issue.record("read past the LSO") }
        }
        let fetches = kafka.proxy.requestCount(.fetch) - before
        #expect(fetches <= 12, "\(fetches) fetches in 2 s")
    }

    /// A transaction open longer than transaction.timeout.ms on Kafka's clock is aborted by
    /// the coordinator at its next 10 s check, with a bumped epoch: the lab's commit fails
    /// fenced and names the time-out as the cause; the records are aborted.
    @Test func aTransactionOpenPastItsTimeoutIsAbortedAndItsProducerFenced() throws {
        let kafka = try ScriptedKafka()
        let t = TestSession(standIn: kafka)
        _ = try t.output(of: "topic create slow --partitions 1")
        _ = try t.output(of: "set transactional.id slow-tx")
        _ = try t.output(of: "set transaction.timeout.ms 60000")
        _ = try t.output(of: "txn begin")
        _ = try t.output(of: "produce --topic slow --count 2 late{i}")
        try kafka.advance(ms: 50_000)
        #expect(try t.output(of: "txn status").contains("10 s of transaction.timeout.ms (60 s)"))
        #expect(kafka.transactions.snapshot.pending.isEmpty, "not timed out yet")
        try kafka.advance(ms: 20_000)
        #expect(try t.output(of: "txn status").contains("none: open longer than transaction.timeout.ms (60 s)"))
        let refusal = try t.failure(of: "txn commit")
        #expect(refusal.contains("fatal _FENCED"), "\(refusal)")
        #expect(refusal.contains("the time-out, not another producer, fenced it"), "\(refusal)")
        try kafka.advance(ms: kafka.markerDelayMs)
        #expect(try kafka.admin.watermarks(topic: "slow", partition: 0).high == 3, "2 records and the abort marker")
        let committed = try kafka.readPartition(
            topic: "slow", partition: 0,
            consumerProperties: [
                "bootstrap.servers": kafka.proxy.bootstrap, "group.id": "slow", "isolation.level": "read_committed",
            ], timeoutSeconds: 10)
        #expect(committed.isEmpty)
    }
}
