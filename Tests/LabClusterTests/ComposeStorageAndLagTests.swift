import Foundation
import Kafka
import Testing

@testable import Lab

/// The storage and lag labs' compose-mode paths against the stand-in: segment
/// files through `docker compose exec`, the compaction demo against a log cleaner,
/// and lag with the members DescribeGroups names.
@Suite("Storage and lag in compose mode against the stand-in")
struct ComposeStorageAndLagTests {
    @Test func segmentsListsEachReplicaThroughComposeExec() throws {
        let kafka = try ScriptedKafka()
        let t = TestSession(standIn: kafka)
        _ = try t.output(of: "topic create logs --partitions 2")
        _ = try t.output(of: "produce --topic logs --count 10 r{i}")
        let json = try t.json("segments logs")
        guard case .array(let rows)? = json["segments"] else { throw TestFailure("no segments: \(json)") }
        // Two partitions × three replicas, one active segment each, leaders marked.
        #expect(rows.count == 6, "\(rows)")
        #expect(rows.filter { $0["role"] == .string("leader") }.count == 2)
        #expect(rows.allSatisfy { $0["active"] == .bool(true) && $0["index_bytes"] == .integer(10_485_760) })
        #expect(kafka.composeCalls == ["exec kafka-1", "exec kafka-2", "exec kafka-3"])

        // A stopped broker's container cannot run ls: its replicas are left out with a warning.
        _ = try t.output(of: "broker stop 3")
        let errBefore = t.buffer.stderr.count
        let text = try t.output(of: "segments logs 0")
        #expect(
            t.buffer.stderr.dropFirst(errBefore).contains(
                "warning: broker 3: `docker compose -f /stand-in/docker-compose.yml exec kafka-3` failed"))
        #expect(text.contains("SEGMENT (BASE OFFSET)"))
        #expect(!text.split(separator: "\n").contains { $0.split(separator: " ").dropFirst().first == "3" }, "\(text)")
    }

    @Test func compactionDemoShowsWhatTheCleanerLeft() throws {
        let kafka = try ScriptedKafka()
        let t = TestSession(standIn: kafka)
        let text = try t.output(of: "compaction demo --keys 3")
        #expect(text.contains("cleanup.policy=compact"))
        #expect(text.contains("Compacted: 11 records became"), "\(text)")
        let cleaned = try #require(kafka.cleaners.values.first)
        #expect(cleaned.cleaner.passes >= 1)
        // One record per live key (user-0, user-1) with its latest value, the roll record,
        // and the tombstone of user-2 if its delete.retention.ms has not passed.
        #expect(text.contains("user-0 v3") && text.contains("user-1 v3") && !text.contains("user-0 v1"))
        #expect(!text.contains("user-2 v"))
    }

    @Test func topicDeleteGoesThroughTheClusterSeam() throws {
        let kafka = try ScriptedKafka()
        let t = TestSession(standIn: kafka)
        _ = try t.output(of: "topic create gone --partitions 1")
        #expect(try t.output(of: "topic delete gone").contains("deleted gone"))
        #expect(kafka.deletedTopics == ["gone"])
        #expect(try t.failure(of: "topic describe gone").contains("gone"))
    }

    @Test(.timeLimit(.minutes(1))) func lagNamesTheMembersDescribeGroupsReports() throws {
        let kafka = try ScriptedKafka()
        let t = TestSession(standIn: kafka)
        _ = try t.output(of: "topic create orders --partitions 2")
        _ = try t.output(of: "produce --topic orders --count 20 o{i}")
        _ = try t.output(of: "consume orders --group billing --count 6 --commit every:3")
        kafka.groupDescriptions["billing"] = GroupDescription(
            id: "billing", state: "Stable", partitionAssignor: "range", isSimple: false, coordinator: 1,
            members: [
                GroupMember(
                    memberId: "billing-1-5f2c", clientId: "billing-1", host: "/10.0.0.7", groupInstanceId: nil,
                    assignment: [
                        TopicPartition(topic: "orders", partition: 0), TopicPartition(topic: "orders", partition: 1),
                    ])
            ])
        let json = try t.json("lag billing")
        guard case .array(let rows)? = json["partitions"] else { throw TestFailure("no partitions: \(json)") }
        #expect(rows.count == 2)
        #expect(rows.allSatisfy { $0["client_id"] == .string("billing-1") }, "\(rows)")
        // The stand-in knows nothing of `auditors` (Dead, no members): only this session vouches for it.
        _ = try t.output(of: "consume orders --group auditors --count 2 --commit off")
        let errBefore = t.buffer.stderr.count
        let auditors = try t.output(of: "lag auditors")
        let warning = t.buffer.stderr.dropFirst(errBefore)
        #expect(warning.contains("a consumer of this session joined it"), "\(auditors) \(warning)")
    }
}

/// Kafka's log cleaner rules as the stand-in applies them (pure).
@Suite("The stand-in's log cleaner")
struct ScriptedLogCleanerTests {
    typealias Entry = ScriptedLogCleaner.Entry
    func entry(_ offset: Int64, _ key: String, tombstone: Bool = false, at ms: Int64) -> Entry {
        Entry(offset: offset, key: Array(key.utf8), isTombstone: tombstone, timestamp: ms)
    }

    @Test func aSegmentRollsWhenARecordIsMoreThanSegmentMsAfterTheSegmentsFirst() {
        let log = [entry(0, "a", at: 0), entry(1, "a", at: 1_000), entry(2, "a", at: 1_001), entry(3, "a", at: 2_001)]
        #expect(ScriptedLogCleaner.segmentBases(log, segmentMs: 1_000) == [0, 2])
    }

    @Test func theActiveSegmentIsNeverCleaned() {
        var cleaner = ScriptedLogCleaner(segmentMs: 1_000, deleteRetentionMs: 0)
        let log = [entry(0, "a", at: 0), entry(1, "a", at: 10), entry(2, "a", at: 20)]
        cleaner.clean(log, nowMs: 100)
        #expect(cleaner.view(log) == log && cleaner.passes == 0)
    }

    @Test func onlyTheLatestValueOfAKeyBelowTheActiveSegmentStaysAtItsOffset() {
        var cleaner = ScriptedLogCleaner(segmentMs: 1_000, deleteRetentionMs: 1_000)
        let log = [
            entry(0, "a", at: 0), entry(1, "b", at: 1), entry(2, "a", at: 2), entry(3, "b", at: 3),
            entry(4, "a", at: 5_000),
        ]
        cleaner.clean(log, nowMs: 6_000)
        // a@2 stays although a newer a sits in the active segment (outside the offset map).
        #expect(cleaner.view(log).map(\.offset) == [2, 3, 4])
    }

    @Test func aTombstoneOutlivesItsFirstCleaningByDeleteRetentionMs() {
        var cleaner = ScriptedLogCleaner(segmentMs: 1_000, deleteRetentionMs: 1_000)
        let log = [entry(0, "a", at: 0), entry(1, "a", tombstone: true, at: 1), entry(2, "z", at: 5_000)]
        cleaner.clean(log, nowMs: 6_000)
        #expect(cleaner.view(log).map(\.offset) == [1, 2])
        cleaner.clean(log, nowMs: 6_500)
        #expect(cleaner.view(log).map(\.offset) == [1, 2])
        cleaner.clean(log, nowMs: 7_000)
        #expect(cleaner.view(log).map(\.offset) == [2])
    }
}
