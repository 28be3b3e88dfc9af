import Foundation
import Kafka
import Testing

@testable import Lab

/// The compose-mode code paths against `ScriptedKafka`, a stand-in that behaves
/// as Kafka 3.9 does where the embedded mock cannot (see its doc comment).
@Suite("Compose paths against a scripted Kafka 3.9 stand-in")
struct ComposeStandInTests {
    func partitions(_ json: JSONValue) throws -> [JSONValue] {
        guard case .array(let rows)? = json["partitions"] else { throw TestFailure("no partitions in \(json)") }
        return rows
    }

    @Test func topicCreateWaitsUntilTheTopicIsInMetadata() throws {
        let kafka = try ScriptedKafka()
        let t = TestSession(standIn: kafka)
        _ = try t.output(of: "topic create payments --partitions 2")
        // The brokers apply a new topic asynchronously: right after CreateTopics it is
        // invisible for a poll. `topic create` returns only once it is listed.
        let text = try t.output(of: "isr payments")
        #expect(text.contains("Topic: payments  partitions 2"))
    }

    @Test func stopsShrinkTheIsrAndStartWaitsUntilTheBrokerRegisters() throws {
        let kafka = try ScriptedKafka()
        let t = TestSession(standIn: kafka)
        _ = try t.output(of: "topic create payments --partitions 1")
        #expect(ids(try partitions(t.json("isr payments")).first?["isr"]) == [1, 2, 3])
        _ = try t.output(of: "broker stop 2")
        #expect(ids(try partitions(t.json("isr payments")).first?["isr"]) == [1, 3])
        _ = try t.output(of: "broker stop 3")
        #expect(ids(try partitions(t.json("isr payments")).first?["isr"]) == [1])
        #expect(kafka.composeCalls == ["stop kafka-2", "stop kafka-3"])

        let started = try t.output(of: "broker start 2 3")
        #expect(started.contains("brokers 2,3 registered and listed in metadata after"))
        let brokers = try t.json("broker list")
        guard case .array(let rows)? = brokers["brokers"] else { throw TestFailure("no brokers") }
        #expect(rows.allSatisfy { $0["state"] == .string("up") }, "\(rows)")
    }

    @Test func eligibilityComesFromTheContainersNotFromMetadata() throws {
        let kafka = try ScriptedKafka()
        let t = TestSession(standIn: kafka)
        _ = try t.output(of: "topic create orders --partitions 1")
        _ = try t.output(of: "broker kill 2")
        // Killed: still listed until fenced, but the container is gone.
        let listed = try t.json("broker list")
        guard case .array(let rows)? = listed["brokers"] else { throw TestFailure("no brokers") }
        #expect(
            rows.first { $0["id"] == .integer(2) }?["state"]
                == .string("down (container exited); still in metadata until fenced"))
        let again = try t.failure(of: "broker kill 2")
        #expect(again.contains("broker 2 is not running (`docker compose ps` says kafka-2 is exited)"))
        // ...and it can be started although metadata still lists it.
        let text = try t.output(of: "broker start 2")
        #expect(text.contains("broker 2 registered and listed in metadata"))
        #expect(kafka.composeCalls == ["kill kafka-2", "start kafka-2"])
        let running = try t.failure(of: "broker start 2")
        #expect(running.contains("broker 2 is already running (`docker compose ps` says kafka-2 is running)"))
    }

    @Test func aWatchSeesAKilledBrokerFencedNineSecondsLater() throws {
        let kafka = try ScriptedKafka()
        let t = TestSession(standIn: kafka, format: .json)
        _ = try t.output(of: "topic create w --partitions 1")
        _ = try t.output(of: "isr watch w --interval 100ms --for 200ms")
        _ = try t.output(of: "broker kill 3")
        // broker.session.timeout.ms (9 s) of the stand-in's time pass during the watch.
        let text = try t.output(of: "isr watch w --interval 100ms --for 10s")
        let events = try text.split(separator: "\n").map { try JSONValue.parse(String($0)) }.filter {
            $0["kind"] != nil
        }
        let gone = try #require(events.first { $0["kind"] == .string("broker-gone") }, "\(text)")
        // Seen by a poll of this watch (timestamped), not in the "since" block: the kill
        // left broker 3 listed until its session expired.
        #expect(gone["time"] != .null)
        let at = try #require(gone["elapsed_ms"]?.intValue, "\(gone)")
        #expect(at >= 8_900 && at <= 9_300, "\(gone)")
        let shrink = try #require(events.first { $0["kind"] == .string("isr-shrink") }, "\(text)")
        #expect(ids(shrink["isr"]) == [1, 2])
    }

    @Test func minIsrDemoWaitsForThreeBrokersAndShowsTheRejection() throws {
        let kafka = try ScriptedKafka()
        let t = TestSession(standIn: kafka, format: .json)
        // A broker started moments ago has not registered yet: the demo waits for it.
        try kafka.perform(.stop, broker: 2)
        try kafka.perform(.start, broker: 2)
        let text = try t.output(of: "min-isr demo --wait 10s")
        let json = try JSONValue.parse(String(text.split(separator: "\n").last ?? ""))
        guard case .array(let steps)? = json["steps"] else { throw TestFailure("no steps: \(text)") }
        #expect(
            steps.map { $0["outcome"] } == [
                .string("delivered"), .string("delivered"), .string("NOT_ENOUGH_REPLICAS"),
                .string("delivered"), .string("delivered"),
            ], "\(text)")
        if case .array(let isr)? = steps[2]["isr"] {
            #expect(isr.count == 1, "\(steps[2])")
        } else {
            Issue.record("no isr in \(steps[2])")
        }
        #expect(kafka.composeCalls.suffix(4).map { $0.prefix(5) } == ["stop ", "stop ", "start", "start"])
    }

    @Test func txnDemoWaitsForTheAbortMarkerBeforeBuildingTheTable() throws {
        let kafka = try ScriptedKafka()
        kafka.markerDelayMs = 1_500
        let t = TestSession(standIn: kafka, format: .json)
        _ = try t.output(of: "topic create txn-demo --partitions 1")
        let json = try t.json("txn demo")
        #expect(json["expected_end_offset"] == .integer(8))
        #expect(json["end_offset"] == .integer(8), "\(json)")
        // The markers the coordinator wrote, where Kafka writes them: after each transaction's data.
        #expect(json["marker_offsets"] == .ints([3, 7]), "\(json)")
        #expect(json["last_stable_offset"] == .integer(8))
        // read_committed skips the aborted batch, as a broker serves it; read_uncommitted sees it.
        #expect(json["read_committed"]?["aborted_seen"] == .integer(0), "\(json)")
        #expect(json["read_committed"]?["offsets"] == .ints([0, 1, 2]))
        #expect(json["read_uncommitted"]?["aborted_seen"] == .integer(3))
        #expect(json["read_uncommitted"]?["offsets"] == .ints([0, 1, 2, 4, 5, 6]))
        // Both markers are control batches in the mock's log, one record each.
        #expect(try kafka.admin.watermarks(topic: "txn-demo", partition: 0).high == 8)
    }

    @Test func describeShowsTheLastStableOffsetBehindTheHighWatermarkUntilTheMarkerIsWritten() throws {
        let kafka = try ScriptedKafka()
        kafka.markerDelayMs = 500
        let t = TestSession(standIn: kafka)
        _ = try t.output(of: "topic create t --partitions 1")
        _ = try t.output(of: "produce --topic t --count 2 plain{i}")
        _ = try t.output(of: "set transactional.id describe-tx")
        _ = try t.output(of: "txn begin")
        _ = try t.output(of: "produce --topic t --count 3 x{i}")
        func p0() throws -> JSONValue {
            guard case .array(let rows)? = try t.json("topic describe t")["partitions"], let first = rows.first else {
                throw TestFailure("no partitions")
            }
            return first
        }
        // Open: the LSO is the transaction's first offset, the HW past its data.
        #expect(try p0()["last_stable_offset"] == .integer(2))
        #expect(try p0()["high_watermark"] == .integer(5))
        #expect(
            try t.output(of: "topic describe t").contains("LSO below HIGH: a transaction on that partition is open"))
        _ = try t.output(of: "txn commit")
        // Committed, but the marker is not written until markerDelayMs passes on Kafka's clock.
        #expect(try p0()["last_stable_offset"] == .integer(2))
        #expect(try p0()["high_watermark"] == .integer(5))
        try kafka.advance(ms: 500)
        #expect(try p0()["high_watermark"] == .integer(6), "the commit marker takes offset 5")
        #expect(try p0()["last_stable_offset"] == .integer(6))
    }

    @Test(.timeLimit(.minutes(1))) func describeDoesNotWaitOnAKilledLeader() throws {
        let kafka = try ScriptedKafka()
        let t = TestSession(standIn: kafka)
        _ = try t.output(of: "topic create k --partitions 6")
        _ = try t.output(of: "produce --topic k --count 12 m{i}")
        let leaders = try partitions(t.json("topic describe k")).compactMap { $0["leader"] }
        guard case .int(let victim)? = leaders.first else { throw TestFailure("no leader") }
        _ = try t.output(of: "broker kill \(victim)")
        // Still listed and leading until fenced; a watermark query to it would hang.
        let started = Date()
        let text = try t.output(of: "topic describe k")
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(text.contains("?: the leader refused the connection"))
    }

    @Test func clusterNamesTheQuorumLeaderNeverTheMetadataControllerId() throws {
        let kafka = try ScriptedKafka()
        let t = TestSession(standIn: kafka)
        let text = try t.output(of: "cluster")
        #expect(text.contains("active controller 102 (KRaft quorum leader)"))
        #expect(text.contains("controller id (3) is a random live broker in KRaft, not the active controller"))
        let json = try t.json("cluster")
        #expect(json["active_controller"] == .integer(102))
        kafka.activeControllerId = nil
        #expect(try t.output(of: "cluster").contains("active controller unknown"))
    }

    @Test func groupsKeepsWhatTheOtherBrokersListed() throws {
        let kafka = try ScriptedKafka()
        kafka.groupsByBroker = [
            1: [GroupListing(id: "billing", state: "Stable", isSimple: false)],
            2: [GroupListing(id: "audit", state: "Empty", isSimple: false)],
        ]
        kafka.groupListingFailures = [3: 15]  // COORDINATOR_NOT_AVAILABLE
        let t = TestSession(standIn: kafka)
        let text = try t.output(of: "groups")
        #expect(text.contains("billing"))
        #expect(text.contains("audit"))
        // A warning: stderr, so stdout holds only the result.
        #expect(!text.contains("could not list"))
        #expect(t.buffer.stderr.contains("warning: one broker could not list its groups (COORDINATOR_NOT_AVAILABLE"))
    }

    @Test func acksAllBelowMinIsrFailsFastAndAcksOneWrites() throws {
        let kafka = try ScriptedKafka()
        let t = TestSession(standIn: kafka)
        _ = try t.output(of: "topic create payments --partitions 2")
        _ = try t.output(of: "broker stop 2 3")
        let started = Date()
        let refusal = try t.failure(of: "produce --topic payments x")
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(refusal.contains("below min.insync.replicas 2"))
        #expect(refusal.contains("`set acks 1`"))
        _ = try t.output(of: "set acks 1")
        #expect(try t.output(of: "produce --topic payments --count 3 y{i}").contains("produced 3 of 3"))
    }

    /// Replays an example script on a fresh stand-in session.
    func replay(_ example: String) throws -> (ScriptedKafka, TestSession, ScriptRunner.Result) {
        let kafka = try ScriptedKafka()
        let (t, result) = try replayInComposeMode(example, on: kafka)
        return (kafka, t, result)
    }

    // 03 to 07 replay in their own suites (ComposeProducersExampleTests and
    // ComposeExampleReplayTests.swift), so that the test shards run them side by side;
    // 08 (the model) touches no cluster but replays here all the same.
    /// Twice in a row on one stand-in, each time from a fresh shell: a real cluster
    /// keeps its topics and groups, so the second run must not trip over the first.
    @Test(arguments: ["01-cluster.kl", "08-replication-model.kl"])
    func examplesReplayTwiceInComposeMode(_ example: String) throws {
        _ = try replayInComposeMode(example, on: try ScriptedKafka(), times: 2)
    }

    @Test func theReplicationExampleReplaysTwiceInComposeMode() throws {
        let kafka = try ScriptedKafka()
        for out in try replayInComposeMode("02-replication.kl", on: kafka, times: 2) {
            #expect(out.contains("stop kafka-2: done"))
            #expect(out.contains("produced 5 of 5 message(s) to payments"))
            #expect(out.contains("failed with NOT_ENOUGH_REPLICAS"))
        }
        let calls = ["stop kafka-2", "kill kafka-1", "start kafka-1", "start kafka-2"]
        #expect(kafka.composeCalls.prefix(4).elementsEqual(calls))
    }
}

/// Example 03 in compose mode against the stand-in: its own suite (about 20 s: the
/// idempotence demo's real-cluster runs are timed) so that it runs beside the others.
@Suite("examples/03-producers.kl in compose mode against the stand-in")
struct ComposeProducersExampleTests {
    @Test func theProducersExampleReplaysInComposeMode() throws {
        let kafka = try ScriptedKafka()
        // Nothing scripted: the stand-in's coordinator writes the markers and fences.
        let (t, result) = try replayInComposeMode("03-producers.kl", on: kafka)
        #expect(result.succeeded, "\(result.failures) stderr: \(t.buffer.stderr)")
        let out = t.buffer.stdout
        // txn demo takes the real-cluster branches: both markers arrive, read_committed filters.
        #expect(!out.contains("the high watermark reached"), "\(out)")
        #expect(!out.contains("a Kafka broker should have filtered them"))
        #expect(out.contains("read_committed skipped the aborted batch: the abort marker told it to"))
        // Markers written by the stand-in's coordinator, at Kafka's positions: after each transaction.
        #expect(out.contains("offsets 3, 7 hold the commit and abort markers"), "\(out)")
        // The session's aborted transaction (`txn abort`): read_committed skips it, read_uncommitted shows it.
        let reads = out.components(separatedBy: "orders> consume --isolation read_uncommitted")
        let committedRead = reads.first?.components(separatedBy: "orders> consume --isolation read_committed").last
        #expect(committedRead?.contains("order 0") == true && committedRead?.contains("cancelled") == false, "\(out)")
        #expect(reads.count == 2 && reads[1].contains("cancelled 0"))
        #expect(!out.contains("embedded cluster:") && !out.contains("the mock writes no abort marker"))
        // txn fence: the second init_transactions bumps the epoch and the first producer is fenced.
        #expect(!t.buffer.stderr.contains("the first producer was not fenced"))
        #expect(out.contains("first producer's next operation (produce + commit): fatal _FENCED"), "\(out)")
        #expect(out.contains("the session dropped its fenced producer"), "\(out)")
        // No lab fell back to a warning about what the cluster did.
        #expect(!t.buffer.stderr.contains("warning:"), "\(t.buffer.stderr)")
        // The real-cluster path of the idempotence demo: nothing injected, the learner pauses the leader.
        #expect(out.contains("docker compose pause kafka-"), "\(out.suffix(3000))")
        #expect(!out.contains("INJECTED") && !out.contains("injected through the mock"))
        // The ordering demo injects nothing on a real cluster, and says what that means.
        #expect(out.contains("nothing was injected on this cluster"))
        #expect(!out.contains("this run has a transactional.id"))
    }
}
