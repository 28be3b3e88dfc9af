import Foundation
import Kafka
import Testing

@testable import Lab

/// What only real Kafka can show: group listing, and the member owning each partition.
/// Runs when KAFKALAB_TEST_BOOTSTRAP names a cluster (e.g. the compose one).
extension RealClusterOnlyWithBootstrap {
    @Suite("Lag on a real cluster", .enabled(if: ProcessInfo.processInfo.environment["KAFKALAB_TEST_BOOTSTRAP"] != nil))
    struct LagRealClusterTests {
        @Test func lagNamesTheOwningMemberAndGroupsListsTheGroup() throws {
            let buffer = OutputBuffer()
            let session = Session(output: .capturing(format: .table, into: buffer), isScript: true)
            let dispatcher = CommandCatalog.dispatcher()
            session.dispatcher = dispatcher
            let bootstrap = ProcessInfo.processInfo.environment["KAFKALAB_TEST_BOOTSTRAP"]!
            session.connect(try ClusterConnection(bootstrap: bootstrap))
            defer { session.disconnect() }
            let suffix = UUID().uuidString.prefix(8)
            let topic = "lag-real-\(suffix)", group = "lag-real-\(suffix)"
            #expect(dispatcher.execute("topic create \(topic) --partitions 2", in: session) == .succeeded)
            #expect(dispatcher.execute("produce --topic \(topic) --count 20 \"r{i}\"", in: session) == .succeeded)

            let consumer = try Consumer(
                config: try session.consumerProperties(
                    group: group,
                    [
                        "auto.offset.reset": "earliest", "enable.auto.commit": "false", "session.timeout.ms": "6000",
                    ]))
            try consumer.subscribe([topic])
            var read = 0
            let deadline = Date().addingTimeInterval(30)
            while read < 5 && Date() < deadline {
                if case .message? = consumer.poll(timeoutMs: 200) { read += 1 }
            }
            try consumer.commit()
            defer { consumer.close() }

            let before = buffer.stdout.count
            #expect(dispatcher.execute("lag \(group) --json", in: session) == .succeeded)
            let doc = try JSONValue.parse(
                String(buffer.stdout.dropFirst(before)).split(separator: "\n").last.map(String.init) ?? "")
            guard case .array(let rows)? = doc["partitions"] else { Issue.record("no partitions"); return }
            #expect(rows.count == 2)
            #expect(rows.allSatisfy { $0["member_id"] != .null })
            #expect(doc["total_lag"] == .int(15))

            let listed = buffer.stdout.count
            #expect(dispatcher.execute("groups", in: session) == .succeeded)
            #expect(buffer.stdout.dropFirst(listed).contains(group))

            let unknown = dispatcher.execute("lag never-used-\(suffix)", in: session)
            guard case .failed(let message) = unknown else { Issue.record("unknown group accepted"); return }
            #expect(message.contains("unknown group"))
        }
    }
}  // extension RealClusterOnlyWithBootstrap
