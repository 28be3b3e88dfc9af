import Foundation
import Testing

@testable import Lab

/// `commit demo` (issue 23): a real crash under each commit strategy, counted from a read-back.
@Suite struct CommitDemoTests {
    @Test func countsComeFromTheProcessedOffsets() {
        let steps = CommitDemo.Steps(crashedAt: 4, committedAtCrash: 4, resumedAt: 4)
        let twice = CommitDemo.count(
            strategy: .atLeastOnce, steps: steps, expected: 6, processed: [0, 1, 2, 3, 4, 4, 5])
        #expect(twice.processed == 7 && twice.duplicates == 1 && twice.lost == 0)
        let lost = CommitDemo.count(strategy: .atMostOnce, steps: steps, expected: 6, processed: [0, 1, 2, 3, 5])
        #expect(lost.processed == 5 && lost.duplicates == 0 && lost.lost == 1)
        #expect(CommitDemo.reading(of: lost).hasPrefix("1 record(s) never processed (crashed holding 4"))
        let clean = CommitDemo.count(
            strategy: .autoCommitStoreAfter, steps: steps, expected: 3, processed: [0, 1, 2])
        #expect(CommitDemo.reading(of: clean).hasPrefix("every one of the 3 records processed exactly once"))
        #expect(CommitDemo.reading(of: clean).contains("Why: with enable.auto.offset.store=false"))
        // A run whose counts contradict its rule claims nothing for it.
        let odd = CommitDemo.count(strategy: .atMostOnce, steps: steps, expected: 3, processed: [0, 1, 2])
        #expect(
            CommitDemo.reading(of: odd).contains("shows nothing about it")
                && !CommitDemo.reading(of: odd).contains("Why:"))
        // Offsets beyond the run's range (a new group's later records) are not its responsibility.
        let late = CommitDemo.count(
            strategy: .newGroupLatest, steps: CommitDemo.Steps(resumedAt: 11, expected: 12), expected: 12,
            processed: [11])
        #expect(late.lost == 11 && late.duplicates == 0)
    }

    @Test func theAutoCommitRunsUseLibrdkafkasStoreSettings() {
        let auto = Dictionary(uniqueKeysWithValues: CommitDemo.Strategy.autoCommit.settings)
        #expect(auto["enable.auto.commit"] == "true" && auto["enable.auto.offset.store"] == "true")
        let after = Dictionary(uniqueKeysWithValues: CommitDemo.Strategy.autoCommitStoreAfter.settings)
        #expect(after["enable.auto.offset.store"] == "false")
        let latest = Dictionary(uniqueKeysWithValues: CommitDemo.Strategy.newGroupLatest.settings)
        #expect(latest["auto.offset.reset"] == "latest")
    }

    @Test func explainTeachesTheOrderTheTrapAndTheReset() throws {
        let t = try #require(Concepts.named("enable.auto.offset.store")).text.replacingOccurrences(of: "\n", with: " ")
        #expect(t.contains("Commit, then process: at-most-once"))
        #expect(t.contains("Process, then commit: at-least-once"))
        #expect(t.contains("stores a record's offset as poll hands the record out"))
        #expect(t.contains("latest, the default in both clients, skips every record already in the partition"))
        #expect(Concepts.named("commit")?.commands.contains("commit demo") == true)
    }
}
