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
}
