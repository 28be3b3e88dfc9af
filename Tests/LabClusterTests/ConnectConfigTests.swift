import Foundation
import Kafka
import Testing

@testable import Lab

/// `connect --config FILE [bootstrap]` at the prompt.
@Suite("connect --config")
struct ConnectConfigTests {
    func file(_ text: String) -> String {
        let path = NSTemporaryDirectory() + "kafkalab-connect-\(UUID().uuidString).properties"
        FileManager.default.createFile(
            atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        return path
    }

    @Test func connectsWithTheFilesPropertiesAndStatusNamesThem() throws {
        // A cluster of its own: `connect` releases the session's previous one.
        let cluster = try EmbeddedCluster(brokers: 1)
        let t = try TestSession(brokers: 1)
        let path = file(
            """
            bootstrap.servers=\(cluster.bootstrap)
            sasl.mechanism=SCRAM-SHA-256
            sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="ann" password="pw-123";
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let connected = try t.json("connect --config \(path)")
        #expect(connected["bootstrap"]?.stringValue == cluster.bootstrap)
        let rows = connected["properties"]?.arrayValue ?? []
        #expect(rows.count == 4)
        #expect(
            rows.contains { $0["property"]?.stringValue == "sasl.password" && $0["value"]?.stringValue == "********" })
        #expect(t.session.connection?.profile.properties["sasl.password"]?.value == "pw-123")

        let status = try t.output(of: "status")
        #expect(status.contains("sasl.mechanisms") && status.contains("\(path):2"))
        #expect(!t.buffer.stdout.contains("pw-123") && !t.buffer.stderr.contains("pw-123"))
        let statusJSON = try t.json("status")
        let origins = (statusJSON["connection_properties"]?.arrayValue ?? []).compactMap { row in
            row["property"]?.stringValue.map { ($0, row["set_by"]?.stringValue ?? "", row["value"]?.stringValue ?? "") }
        }
        #expect(origins.contains { $0 == ("sasl.username", "\(path):3", "ann") })
        #expect(origins.contains { $0 == ("sasl.password", "\(path):3", "********") })
        let shown = try t.output(of: "show config")
        #expect(shown.contains("connection") && shown.contains("sasl.username") && shown.contains("********"))
        #expect(!shown.contains("pw-123"))
        // The session producer and consumers carry them.
        #expect(try t.session.producerProperties()["sasl.username"] == "ann")
        #expect(try t.session.consumerProperties(group: "g")["sasl.password"] == "pw-123")
    }

    @Test func anExplicitBootstrapWinsOverTheFiles() throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        let t = try TestSession(brokers: 1)
        let path = file("bootstrap.servers=localhost:1\nclient.id=mine\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try t.output(of: "connect --config \(path) \(cluster.bootstrap)")
        #expect(t.session.connection?.bootstrap == cluster.bootstrap)
        #expect(t.session.connection?.profile.properties["client.id"]?.value == "mine")
    }

    @Test func refusalsLeaveTheSessionConnectedAsItWas() throws {
        let t = try TestSession(brokers: 1)
        let before = t.session.connection.map(ObjectIdentifier.init)
        let noBootstrap = file("client.id=x\n")
        let refused = file("bootstrap.servers=localhost:1\nssl.keystore.location=client.jks\n")
        defer {
            for p in [noBootstrap, refused] { try? FileManager.default.removeItem(atPath: p) }
        }
        #expect(try t.failure(of: "connect --config \(noBootstrap)").contains("names no bootstrap.servers"))
        #expect(try t.failure(of: "connect --config \(refused)").contains("ssl.certificate.location"))
        #expect(try t.failure(of: "connect embedded --config \(noBootstrap)").contains("neither TLS nor SASL"))
        #expect(try t.failure(of: "connect").contains("usage"))
        #expect(try t.failure(of: "connect nosuchname").contains("no cluster named 'nosuchname'"))
        #expect(t.session.connection.map(ObjectIdentifier.init) == before)
    }
}
