import Foundation
import Kafka
import Testing

@testable import Lab

// Examples 04-07 replayed unchanged in compose mode against the stand-in: every
// command takes its compose-cluster path (real-cluster session timeouts, DescribeGroups,
// `docker compose exec` for segment files, a log cleaner to wait for), with the
// mock carrying the data. One suite per example, so that the test shards
// (scripts/test-shards.sh) can run the long ones beside each other.

@Suite("examples/04-compression-and-batching.kl in compose mode against the stand-in, twice in a row")
struct ComposeBenchExampleTests {
    @Test func theBenchExampleReplaysTwiceInComposeMode() throws {
        for out in try replayInComposeMode("04-compression-and-batching.kl", on: try ScriptedKafka(), times: 2) {
            #expect(out.contains("lz4") && out.contains("msgs/s"))
            // No embedded or served caveat: on the compose cluster the figures are the brokers' own.
            #expect(!out.contains("embedded cluster: the broker runs in this process"))
            #expect(!out.contains("served cluster:"))
        }
    }
}

@Suite("examples/05-consumers.kl in compose mode against the stand-in")
struct ComposeConsumersExampleTests {
    @Test func theConsumersExampleReplaysInComposeMode() throws {
        let (t, result) = try replayInComposeMode("05-consumers.kl", on: try ScriptedKafka())
        #expect(result.succeeded, "\(result.failures) stderr: \(t.buffer.stderr)")
        let out = t.buffer.stdout
        // Real brokers refuse session timeouts below 6 s: the example's 3 s are raised, with a warning.
        #expect(t.buffer.stderr.contains("raised to 6s"))
        #expect(out.contains("session.timeout.ms=6000"))
        // Static membership is not called unsupported on a real cluster: the reading is what was measured.
        #expect(!out.contains("ignores group.instance.id") && !t.buffer.stderr.contains("ignores group.instance.id"))
        #expect(out.contains("Reading: with group.instance.id the restart"))
        #expect(out.contains("got _MAX_POLL_EXCEEDED"))
        // commit demo takes the real-cluster path (no embedded note) and counts the same.
        #expect(
            out.contains("at-least-once: 1 processed twice")
                && out.contains("at-most-once: 1 record(s) never processed"))
        #expect(!out.contains("embedded: commits and committed offsets are real here"))
    }
}

@Suite("examples/06-lag.kl and 07-storage.kl in compose mode against the stand-in, twice in a row")
struct ComposeLagAndStorageExampleTests {
    @Test func theLagExampleReplaysTwiceInComposeMode() throws {
        let kafka = try ScriptedKafka()
        kafka.groupsByBroker = [1: [GroupListing(id: "billing", state: "Empty", isSimple: false)]]
        // The example no longer runs `groups` (the mock cannot answer it); the lag lines name billing.
        for out in try replayInComposeMode("06-lag.kl", on: kafka, times: 2) {
            #expect(out.contains("billing"))
            #expect(!out.contains("embedded: no DescribeGroups"))
            #expect(out.contains("on real Kafka `lag "))
        }
    }

    @Test func theStorageExampleReplaysTwiceInComposeMode() throws {
        let kafka = try ScriptedKafka()
        for out in try replayInComposeMode("07-storage.kl", on: kafka, times: 2) {
            // Segment files come from `docker compose exec` on each replica, not the embedded explanation.
            #expect(out.contains("SEGMENT (BASE OFFSET)") && !out.contains("there are no segment files here"))
            #expect(out.contains("Compacted: "), "\(out.suffix(2000))")
        }
        #expect(kafka.composeCalls.contains("exec kafka-1"))
    }
}
