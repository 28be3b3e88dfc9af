import Foundation
import Kafka
import Testing

@testable import Lab

/// The foundation against a real cluster (the project's docker-compose.yml).
/// Runs only when KAFKALAB_TEST_BOOTSTRAP names one; nobody here can start Kafka.
extension RealClusterOnlyWithBootstrap {
    @Suite(
        "Real cluster: foundation", .enabled(if: ProcessInfo.processInfo.environment["KAFKALAB_TEST_BOOTSTRAP"] != nil))
    struct RealClusterFoundationTests {
        let bootstrap = ProcessInfo.processInfo.environment["KAFKALAB_TEST_BOOTSTRAP"] ?? ""

        func session() throws -> (Session, OutputBuffer, Dispatcher) {
            let buffer = OutputBuffer()
            let s = Session(output: .capturing(into: buffer), isScript: true)
            let d = CommandCatalog.dispatcher()
            s.dispatcher = d
            s.connect(try ClusterConnection(bootstrap: bootstrap))
            return (s, buffer, d)
        }

        @Test func createDescribeProduceConsumeDelete() throws {
            let (s, buffer, d) = try session()
            let topic = "kafkalab-test-\(UUID().uuidString.prefix(8).lowercased())"
            #expect(
                d.execute(
                    "topic create \(topic) --partitions 3 --replication-factor 3 --config min.insync.replicas=2", in: s)
                    == .succeeded)
            let configs = try s.connection!.admin.describeTopicConfig(topic)
            #expect(configs.first { $0.name == "min.insync.replicas" }?.value == "2")
            let md = try s.connection!.admin.metadata()
            let info = try #require(md.topic(topic))
            for p in info.partitions {
                #expect(p.replicas.count == 3)
                #expect(Set(p.isr) == Set(p.replicas))
            }
            #expect(d.execute("set acks all", in: s) == .succeeded)
            #expect(
                d.execute("produce --topic \(topic) --count 100 --key k{i} --header h=v \"v {i}\"", in: s) == .succeeded
            )
            #expect(buffer.stdout.contains("produced 100 of 100"))
            #expect(d.execute("consume \(topic)", in: s) == .succeeded)
            #expect(buffer.stdout.contains("100 message(s) from \(topic)"))
            #expect(d.execute("topic delete \(topic)", in: s) == .succeeded)
        }

        @Test func clusterReportsThreeBrokersAndAController() throws {
            let (s, buffer, d) = try session()
            #expect(d.execute("cluster", in: s) == .succeeded)
            let md = try s.connection!.admin.metadata()
            #expect(md.brokers.map(\.id).sorted() == [1, 2, 3])
            #expect(s.connection!.admin.clusterId() != nil)
            // The active controller is a KRaft controller (101-103), from the quorum tool,
            // never the Metadata response's controller id (a random live broker).
            #expect(d.execute("cluster --json", in: s) == .succeeded)
            let json = try JSONValue.parse(String(buffer.stdout.split(separator: "\n").last ?? ""))
            if case .compose = s.connection!.control {
                guard case .int(let id)? = json["active_controller"] else {
                    throw TestFailure("no active controller: \(json)")
                }
                #expect((101...103).contains(id))
            } else {
                #expect(json["active_controller"] == .null)
            }
        }
    }
}  // extension RealClusterOnlyWithBootstrap
