import Foundation
import Kafka
import Testing

@testable import Lab

/// What only real Kafka shows: transaction markers that read_committed obeys,
/// and fencing of a zombie producer. Skipped unless KAFKALAB_TEST_BOOTSTRAP
/// names a cluster (e.g. the compose one: localhost:19092,localhost:29092,localhost:39092).
extension RealClusterOnlyWithBootstrap {
    @Suite(
        "Producers lab (real cluster)",
        .enabled(if: ProcessInfo.processInfo.environment["KAFKALAB_TEST_BOOTSTRAP"] != nil))
    struct ProducersRealClusterTests {
        static func session() throws -> (Session, Dispatcher, OutputBuffer) {
            let buffer = OutputBuffer()
            let session = Session(output: .capturing(format: .table, into: buffer), isScript: true)
            let dispatcher = CommandCatalog.dispatcher()
            session.dispatcher = dispatcher
            session.connect(
                try ClusterConnection(
                    bootstrap: ProcessInfo.processInfo.environment["KAFKALAB_TEST_BOOTSTRAP"]!,
                    timeoutMs: 15_000))
            return (session, dispatcher, buffer)
        }

        static func json(_ line: String, _ s: (Session, Dispatcher, OutputBuffer)) throws -> JSONValue {
            let before = s.2.stdout.count
            let outcome = s.1.execute(line + " --json", in: s.0)
            guard outcome == .succeeded else { throw TestFailure("`\(line)` failed: \(outcome)") }
            let text = String(s.2.stdout.dropFirst(before))
            return try JSONValue.parse(text.split(separator: "\n").last.map(String.init) ?? "")
        }

        @Test func txnDemoReadCommittedSkipsTheAbortedBatchAndMarkersTakeOffsets() throws {
            let s = try Self.session()
            defer { s.0.disconnect() }
            let topic = "kafkalab-txn-demo-\(UUID().uuidString.prefix(6))"
            #expect(s.1.execute("topic create \(topic) --partitions 1", in: s.0) == .succeeded)
            let r = try Self.json("txn demo --topic \(topic)", s)
            #expect(r["embedded"] == false)
            #expect(r["read_uncommitted"]?["aborted_seen"] == 3)
            #expect(r["read_committed"]?["aborted_seen"] == 0)
            guard case .array(let markers) = r["marker_offsets"] else { Issue.record("no marker offsets"); return }
            #expect(markers.count == 2, "one commit and one abort marker")
            // The demo waited until the high watermark covered the abort marker.
            #expect(r["end_offset"] == r["expected_end_offset"])
            _ = s.1.execute("topic delete \(topic)", in: s.0)
        }

        @Test func txnFenceFencesTheSessionProducerAndTheNextCommandGetsAFreshOne() throws {
            let s = try Self.session()
            defer { s.0.disconnect() }
            #expect(
                s.1.execute("set transactional.id kafkalab-fence-test-\(UUID().uuidString.prefix(6))", in: s.0)
                    == .succeeded)
            let r = try Self.json("txn fence", s)
            #expect(r["session_producer"] == true)
            #expect(r["first_next_operation"]?["fenced"] == true)
            #expect(r["second_outcome"] == "committed 1 message")
            guard case .int(let firstEpoch) = r["first"]?["epoch"], case .int(let secondEpoch) = r["second"]?["epoch"]
            else {
                Issue.record("epochs not reported"); return
            }
            #expect(r["first"]?["producer_id"] == r["second"]?["producer_id"])
            #expect(secondEpoch > firstEpoch)
            let begin = try Self.json("txn begin", s)
            #expect(begin["initialized"] == true)
            #expect(s.1.execute("txn abort", in: s.0) == .succeeded)
        }
    }
}  // extension RealClusterOnlyWithBootstrap
