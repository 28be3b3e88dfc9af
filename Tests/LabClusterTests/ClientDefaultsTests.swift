import Foundation
import Testing

@testable import Lab

@Suite struct ClientDefaultsTests {
    @Test func librdkafkaColumnMatchesTheLinkedLibrary() {
        for row in ClientDefaults.rows {
            #expect(ClientDefaults.liveLibrdkafkaDefault(row) == row.librdkafka, "\(row.setting)")
        }
    }

    @Test func theRowsTheIssueAsksForAreThereWithJavasValues() {
        let java = Dictionary(uniqueKeysWithValues: ClientDefaults.rows.map { ($0.javaKey, $0.java) })
        #expect(java["enable.idempotence"] == "true")
        #expect(java["acks"] == "all")
        #expect(java["linger.ms"] == "0", "Kafka 3.9's linger.ms is 0; 5 only from 4.0")
        #expect(java["batch.size"] == "16384")
        #expect(java["isolation.level"] == "read_uncommitted")
        #expect(java["partition.assignment.strategy"] == "[RangeAssignor, CooperativeStickyAssignor]")
        #expect(java["fetch.max.wait.ms"] == "500")
        #expect(java["partitioner.class"]?.contains("murmur2") == true)
    }

    @Test func explainDefaultsPrintsTheTableAndJSON() throws {
        let t = try TestSession()
        let text = try t.output(of: "explain defaults")
        #expect(text.contains("enable.idempotence=false"))
        #expect(text.contains("enable.idempotence=true"))
        #expect(text.contains("partitioner=consistent_random"))
        let doc = try t.json("explain defaults")
        guard case .array(let rows) = doc["table"] else { Issue.record("no table in JSON"); return }
        #expect(rows.count == ClientDefaults.rows.count)
        #expect(rows.contains { $0["java"] == "isolation.level=read_uncommitted" })
    }

    @Test func producerSaysJavaWouldHaveIdempotenceOn() throws {
        let t = try TestSession()
        let text = try t.output(of: "producer")
        #expect(text.contains("the Java producer"))
        #expect(text.contains("would have idempotence on by default"))
        #expect(try t.json("producer")["java_client_default_enable_idempotence"] == true)
    }
}
