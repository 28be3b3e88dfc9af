import Foundation
import Kafka
import Testing

@testable import Lab

/// Kafka refuses every acks=all write while a partition's ISR is below
/// min.insync.replicas, internal topics included (the coordinators write to
/// __consumer_offsets and __transaction_state with acks=all). librdkafka retries
/// the refusal for minutes; each lab that writes says so in one line instead.
@Suite("Below min.insync.replicas on the compose stand-in: what each lab does")
struct ComposeMinIsrTests {
    @Test func theInternalTopicsFollowTheBrokersByTheSameRules() throws {
        let kafka = try ScriptedKafka()
        let t = TestSession(standIn: kafka)
        _ = try t.output(of: "broker stop 2 3")
        for topic in ScriptedKafka.internalTopics {
            #expect(kafka.isr(topic, 0) == [1] && kafka.isr(topic, 1) == [1], "\(topic)")
        }
        _ = try t.output(of: "broker start 2")
        #expect(
            ids(
                try t.json("isr __transaction_state")["partitions"].flatMap { v -> JSONValue? in
                    if case .array(let rows) = v { return rows.first?["isr"] }
                    return nil
                }) == [1, 2])
    }

    @Test func everyLabThatWritesWithAcksAllStopsInOneLineWithTwoBrokersDown() throws {
        let kafka = try ScriptedKafka()
        let t = TestSession(standIn: kafka)
        _ = try t.output(of: "topic create p --partitions 3")
        _ = try t.output(of: "broker stop 2 3")

        let seed = try t.failure(of: "seed p --count 10")
        #expect(
            seed.hasPrefix(
                "seed: acks=all: p partition(s) 0 (ISR [1]), 1 (ISR [1]), 2 (ISR [1]) are below min.insync.replicas 2"),
            "\(seed)")
        #expect(
            seed.contains(
                "retries until message.timeout.ms (300 s) before failing; `broker start <id>` restores the ISR"))

        let bench = try t.failure(of: "bench --topic p --count 100")
        #expect(bench.hasPrefix("bench: acks=all: p partition(s) 0 (ISR [1])"), "\(bench)")

        // The demo's transactional.id is made up per run: the check names its partition.
        let txn = try t.failure(of: "txn demo")
        #expect(txn.hasPrefix("txn demo: __transaction_state partition "), "\(txn)")
        #expect(
            txn.contains(
                " (ISR [1]), where transactional.id kafkalab-txn-demo-"),
            "\(txn)")
        #expect(
            txn.contains(
                "'s coordinator writes, is below min.insync.replicas 2: the transaction coordinator cannot write"),
            "\(txn)")

        // Its group could not settle either: the group coordinator's log is checked first.
        let lag = try t.failure(of: "lag demo")
        let lagPartition = ProduceAvailability.CoordinatorLog.partition(for: "lag-demo", partitions: 50)
        #expect(
            lag.hasPrefix(
                "lag demo: __consumer_offsets partition \(lagPartition) (ISR [1]), where group lag-demo's coordinator writes, is below min.insync.replicas 2"
            ), "\(lag)")
        for demo in [
            "group strategies --topic p --consumers 1", "group static --topic p --consumers 1", "group max-poll",
        ] {
            let refusal = try t.failure(of: demo)
            #expect(refusal.contains(": __consumer_offsets partition(s) "), "\(demo): \(refusal)")
        }
        let member = try t.failure(of: "consume p --group billing")
        #expect(
            member.hasPrefix(
                "consume --group billing: __consumer_offsets partition 9 (ISR [1]), where group billing's coordinator writes, is below min.insync.replicas 2"
            ), "\(member)")
        #expect(member.contains("a rebalance cannot complete (reading without a group still works)"))

        // commit demo's groups commit (the coordinator's log is checked first); ordering demo
        // writes with acks=all to a topic it creates.
        for (demo, prefix) in [
            ("commit demo", "commit demo: __consumer_offsets partition(s) "),
            ("ordering demo --count 20", "ordering demo: acks=all: ordering-demo-"),
        ] {
            let refusal = try t.failure(of: demo)
            #expect(refusal.hasPrefix(prefix), "\(refusal)")
        }

        let compaction = try t.failure(of: "compaction demo")
        #expect(
            compaction.contains(": acks=all: ") && compaction.contains("below min.insync.replicas 2"), "\(compaction)")

        // acks=1 does not look at the ISR.
        _ = try t.output(of: "set acks 1")
        #expect(try t.output(of: "seed p --count 10").contains("10"))
        // Reads without a group need no coordinator.
        let read = try t.output(of: "consume p --count 2 --idle 1s")
        #expect(read.contains("2 message"), "\(read)")
    }

    @Test func aWriteThatStallsIsCheckedAgainOnceTheKilledLeaderIsFenced() throws {
        let kafka = try ScriptedKafka()
        // The mock keeps the dead leader until the stand-in fences it: the write stalls until then.
        kafka.fenceSeconds = 20
        let t = TestSession(standIn: kafka)
        _ = try t.output(of: "topic create s --partitions 1")
        _ = try t.output(of: "set message.timeout.ms 3000")
        let leader = try #require(kafka.model["s"]?[0]?.leader)
        let followers = [Int32(1), 2, 3].filter { $0 != leader }
        _ = try t.output(of: "broker stop \(followers[0])")
        // Killed, the leader stays in the ISR (2 of 3, at min ISR) until fenced: the check
        // before sending lets the write go.
        _ = try t.output(of: "broker kill \(leader)")
        #expect(kafka.isr("s", 0)?.count == 2)
        // While the write waits, Kafka's 9 s pass: the next look at the ISR sees the fence.
        kafka.advanceAtPoll[kafka.metadataPolls + 2] = 9_000
        let before = t.buffer.stderr.count
        // Refused every time from then on (the proxy in front of the mock), so the write
        // ends at message.timeout.ms as librdkafka's _MSG_TIMED_OUT.
        let outcome = t.run("produce --topic s x")
        #expect(outcome == .failed("no message was delivered (_MSG_TIMED_OUT)"), "\(outcome)")
        #expect(kafka.minIsrRefusal.refusals("s", 0) >= 2)
        // A warning: on stderr (issue 28 item 5).
        let text = String(t.buffer.stderr.dropFirst(before))
        #expect(
            text.contains(
                "warning: 1 delivery report(s) outstanding after 2 s: s partition(s) 0 (ISR [\(followers[1])]) are now below min.insync.replicas 2 (a broker went down after the check before sending), so the leader refuses these acks=all writes and librdkafka retries them until message.timeout.ms (3000 ms, as you set it)"
            ), "\(text)")
    }

    @Test func theMinIsrDemoRefusesABrokerThatIsDownButNotYetFenced() throws {
        let kafka = try ScriptedKafka()
        let t = TestSession(standIn: kafka)
        _ = try t.output(of: "broker kill 2")
        // Still listed and in every ISR for 9 s: metadata alone would let the demo start.
        #expect(kafka.registered.contains(2))
        let refusal = try t.failure(of: "min-isr demo")
        #expect(
            refusal
                == "the demo needs three running brokers and broker 2 is not running (`docker compose ps` says kafka-2 is exited); `broker start 2` first"
        )
    }

    @Test func aWriteHeldByAKilledFollowerIsExplainedWhileItWaits() throws {
        let kafka = try ScriptedKafka()
        kafka.killedFollowerHoldsWritesMs = 3_000
        let t = TestSession(standIn: kafka)
        _ = try t.output(of: "topic create h --partitions 1")
        let leader = try #require(kafka.model["h"]?[0]?.leader)
        let follower = [Int32(1), 2, 3].first { $0 != leader }!
        _ = try t.output(of: "broker kill \(follower)")
        var errBefore = t.buffer.stderr.count
        let text = try t.output(of: "produce --topic h x")
        // Warnings go to stderr (issue 28 item 5).
        let warning = String(t.buffer.stderr.dropFirst(errBefore))
        #expect(
            warning.contains(
                "warning: 1 delivery report(s) outstanding after 2 s: broker \(follower), in the ISR of h partition(s) 0, is down (kafka-\(follower) exited) but not yet fenced"
            ), "\(warning)")
        #expect(text.contains("produced 1 of 1"))
        // seed looks again the same way while its reports are outstanding.
        _ = try t.output(of: "broker start \(follower)")
        try kafka.advance(ms: 2 * kafka.fetchIntervalMs)
        #expect(kafka.isr("h", 0)?.contains(follower) == true, "caught up and back in the ISR")
        _ = try t.output(of: "broker kill \(follower)")
        errBefore = t.buffer.stderr.count
        let seeded = try t.output(of: "seed h --count 5")
        let seedWarning = String(t.buffer.stderr.dropFirst(errBefore))
        #expect(
            seedWarning.contains("warning: 5 delivery report(s) outstanding after 2 s: broker \(follower)"),
            "\(seeded) \(seedWarning)")
    }

    /// Only the group's own __consumer_offsets partition decides (its coordinator writes
    /// there): with a third of the partitions short, a group elsewhere still reads.
    @Test func aGroupIsRefusedOnlyWhenItsOwnCoordinatorPartitionIsShort() throws {
        let kafka = try ScriptedKafka()
        let t = TestSession(standIn: kafka)
        _ = try t.output(of: "topic create g --partitions 1")
        _ = try t.output(of: "seed g --count 2")
        // Broker 2 stops and broker 3 stops fetching: the partitions broker 1 leads
        // (every third) lose both followers; those broker 3 now leads keep broker 1.
        _ = try t.output(of: "broker stop 2")
        try kafka.stallFetches(of: 3)
        try kafka.advance(ms: 46_000)
        typealias Log = ProduceAvailability.CoordinatorLog
        let short = (0..<50).filter { kafka.isr("__consumer_offsets", Int32($0))?.count == 1 }
        #expect(short.count == 17 && short.allSatisfy { $0 % 3 == 0 }, "\(short)")
        #expect(Log.partition(for: "billing", partitions: 50) == 9)
        let refused = try t.failure(of: "consume g --group billing --count 1")
        #expect(
            refused.hasPrefix(
                "consume --group billing: __consumer_offsets partition 9 (ISR [1]), where group billing's coordinator writes"
            ), "\(refused)")
        let fine = try #require(
            (0..<100).map { "reports-\($0)" }.first { Log.partition(for: $0, partitions: 50) % 3 != 0 })
        #expect(
            try t.output(of: "consume g --group \(fine) --count 1").contains(
                "consumed 1 message(s) from g as group \(fine)"))
    }
}
