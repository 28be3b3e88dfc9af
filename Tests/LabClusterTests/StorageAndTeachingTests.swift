import Foundation
import Testing

@testable import Lab

@Suite("Storage lab and teaching texts")
struct StorageAndTeachingTests {
    @Test func segmentsOnTheEmbeddedClusterSaysThereAreNoFilesAndShowsOffsets() throws {
        let t = try TestSession()
        try t.output(of: "topic create seg --partitions 2")
        try t.output(of: "produce --count 5 x{i}")
        let out = try t.output(of: "segments seg")
        #expect(out.contains("there are no segment files here"))
        #expect(out.contains("PARTITION  LOW  HIGH"))
        let doc = try t.json("segments seg 1")
        #expect(doc["segment_files"] == JSONValue.null)
        #expect(try t.failure(of: "segments seg 7").contains("no partition 7"))
        #expect(try t.failure(of: "segments nosuch").contains("unknown topic"))
    }

    @Test func compactionDemoOnTheEmbeddedClusterShowsNothingWasCompacted() throws {
        let t = try TestSession()
        let doc = try t.json("compaction demo --keys 3")
        #expect(doc["compacted"] == false)
        #expect(doc["written"]?.intValue == 10)
        #expect(doc["remaining"]?.intValue == 10)
        let out = try t.output(of: "compaction demo --keys 2")
        #expect(out.contains("no log cleaner"))
        #expect(out.contains("(tombstone)"))
        #expect(try t.failure(of: "compaction demo --keys 1").contains("--keys must be between"))
    }

    @Test func compactionPlanRecognisesACompactedLog() {
        let plan = CompactionPlan(keys: 3)
        #expect(plan.writes.count == 10)
        #expect(plan.tombstoned == "user-2")
        let raw = plan.writes.map { ($0.key, $0.value) }
        #expect(!plan.isCompacted(raw))
        let compacted: [(key: String, value: String?)] = [
            ("user-0", "user-0 v3"), ("user-1", "user-1 v3"), ("user-2", nil), ("roll", "x"),
        ]
        #expect(plan.isCompacted(compacted))
        let withoutTombstone = compacted.filter { $0.key != "user-2" }
        #expect(plan.isCompacted(withoutTombstone))
        let stale: [(key: String, value: String?)] = [("user-0", "user-0 v2"), ("user-1", "user-1 v3")]
        #expect(!plan.isCompacted(stale))
        let duplicate = compacted + [("user-1", "user-1 v3")]
        #expect(!plan.isCompacted(duplicate))
    }

    @Test func everyRequiredConceptExistsAndNamesItsKeyQuestion() throws {
        let required = [
            "isr", "hw", "leo", "leader-epoch", "unclean-election", "min-isr", "acks", "segments", "compaction",
            "idempotence", "transactions", "compression", "batching", "fetch", "poll-interval", "assignment",
            "rebalancing", "static-membership", "lag",
        ]
        for name in required {
            let concept = try #require(Concepts.named(name), "missing concept \(name)")
            #expect(concept.text.contains("Key question"), "\(name) does not name its key question")
        }
    }

    @Test func explainListsConceptsAndSuggestsTheNearest() throws {
        let t = try TestSession()
        let list = try t.output(of: "explain")
        #expect(list.contains("compaction"))
        #expect(list.contains("static-membership"))
        let text = try t.output(of: "explain linger.ms")
        #expect(text.contains("Batching"))
        #expect(try t.failure(of: "explain compacton").contains("compaction"))
    }
}

@Suite("help config")
struct HelpConfigTests {
    /// The properties the labs turn each say what changing them does.
    @Test func everyLabPropertyHasANote() throws {
        let t = try TestSession()
        for key in [
            "acks", "linger.ms", "batch.size", "compression.type", "enable.idempotence", "transactional.id",
            "isolation.level", "fetch.min.bytes", "fetch.wait.max.ms", "max.partition.fetch.bytes",
            "session.timeout.ms", "max.poll.interval.ms", "partition.assignment.strategy", "group.instance.id",
        ] {
            #expect(PropertyNotes.note(for: key) != nil, "no note for \(key)")
            let out = try t.output(of: "help config \(key)")
            #expect(out.contains("in the labs"), "\(key)")
            #expect(out.contains("default"))
        }
    }

    @Test func showsLibrdkafkasTextAndTheSessionValue() throws {
        let t = try TestSession()
        try t.output(of: "set linger.ms 42")
        let doc = try t.json("help config linger.ms")
        #expect(doc["scope"]?.stringValue == "producer")
        #expect(doc["default"]?.stringValue == "5")
        #expect(doc["value"]?.stringValue == "42")
        #expect(doc["description"]?.stringValue?.contains("queue.buffering.max.ms") == true)
        try t.output(of: "set sasl.password hunter2")
        #expect(!(try t.output(of: "help config sasl.password")).contains("hunter2"))
    }

    @Test func unknownPropertySuggestsTheNearest() throws {
        let t = try TestSession()
        let message = try t.failure(of: "help config linger.mz")
        #expect(message.contains("unknown property 'linger.mz'"))
        #expect(message.contains("linger.ms"))
    }
}
