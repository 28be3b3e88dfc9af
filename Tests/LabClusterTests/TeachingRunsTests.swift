import Foundation
import Kafka
import Testing

@testable import Lab

/// Issue 23's lessons and corrections shown by runs on the embedded cluster (the pure
/// pins live in LabTests: CommitDemoTests, OrderingDemoTests, TeachingTruthRoundThreeTests).
@Suite struct TeachingRunsTests {
    /// On the embedded cluster: each strategy's crash costs what the rule says, read back.
    @Test func eachStrategyLosesOrRepeatsWhatItsOrderAllows() throws {
        let t = try TestSession()
        let doc = try t.json("commit demo --count 8 --crash-at 3")
        guard case .array(let runs) = doc["runs"] else {
            Issue.record("no runs: \(doc)")
            return
        }
        var by: [String: JSONValue] = [:]
        for r in runs { if case .string(let s)? = r["strategy"] { by[s] = r } }
        func counts(_ s: String) -> [Int64?] {
            [by[s]?["processed"]?.intValue, by[s]?["duplicates"]?.intValue, by[s]?["lost"]?.intValue]
        }
        #expect(counts("at-most-once") == [7, 0, 1])
        #expect(counts("at-least-once") == [9, 1, 0])
        #expect(counts("auto-commit") == [7, 0, 1], "the auto commit covered the record in hand")
        #expect(counts("auto-commit-store-after") == [8, 0, 0])
        let latest = counts("new-group-latest")
        #expect(latest[0] == 1 && latest[1] == 0 && (latest[2] ?? 0) >= 8, "\(latest)")
        #expect(by["auto-commit"]?["committed_at_crash"]?.intValue == 4)
        #expect(by["auto-commit-store-after"]?["committed_at_crash"]?.intValue == 3)
        let text = try t.output(of: "commit demo --count 4 --crash-at 1")
        #expect(text.contains("at-least-once: 1 processed twice (crashed holding 1 with 1 committed"))
        #expect(try t.failure(of: "commit demo --count 4 --crash-at 4").contains("--crash-at 4 must name one of"))
    }

    /// Both lessons are reachable like every command: help lists them, TAB completes them.
    @Test func helpAndCompletionKnowBothLessons() throws {
        let c = Completer(dispatcher: CommandCatalog.dispatcher(), topics: { ["orders"] })
        #expect(c.candidates(for: "comm") == ["commit"])
        #expect(c.candidates(for: "commit ") == ["demo"])
        #expect(c.candidates(for: "orde") == ["ordering"])
        #expect(c.candidates(for: "ordering demo --c") == ["--count"])
        #expect(c.candidates(for: "commit demo --cr") == ["--crash-at"])
        #expect(c.candidates(for: "explain delivery") == ["delivery-guarantees"])
        let t = try TestSession()
        let help = try t.output(of: "help")
        #expect(help.contains("commit") && help.contains("ordering"))
        #expect(try t.output(of: "help commit demo").contains("auto-commit-store-after"))
        #expect(try t.output(of: "help ordering demo").contains("max.in.flight=1"))
    }

    /// On the embedded cluster: the injected, late refusal reorders without idempotence, even at
    /// max.in.flight=1 in librdkafka 2.0.2, and not with idempotence.
    @Test func aRetriedBatchLandsLateUnlessTheProducerIsIdempotent() throws {
        let t = try TestSession()
        let doc = try t.json("ordering demo --count 200")
        guard case .array(let runs) = doc["runs"], runs.count == 3 else {
            Issue.record("runs: \(doc)")
            return
        }
        #expect(doc["injected_error"] == .string("NOT_ENOUGH_REPLICAS"))
        for r in runs {
            #expect(r["read"]?.intValue == 200 && r["missing"]?.intValue == 0, "\(r)")
            #expect((r["msgs_per_sec"]?.doubleValue ?? 0) > 0)
        }
        #expect((runs[0]["out_of_order"]?.intValue ?? 0) > 0, "max.in.flight=5 without idempotence: \(runs[0])")
        #expect(runs[1]["out_of_order"]?.intValue == 0, "idempotence: \(runs[1])")
        #expect(runs[1]["duplicates"]?.intValue == 0)
        #expect((runs[2]["out_of_order"]?.intValue ?? 0) > 0, "max.in.flight=1 in librdkafka 2.0.2: \(runs[2])")
        #expect(runs[0]["settings"] == .string("enable.idempotence=false max.in.flight=5"))
    }

    /// 1, shown: what the lesson says is what a run on the embedded cluster does.
    @Test func keylessProduceLandsOnOnePartitionUnlessLingerIsZero() throws {
        let t = try TestSession()
        try t.output(of: "topic create clicks --partitions 6")
        func partitions(_ line: String) throws -> Int {
            let out = try t.output(of: line)
            let produced = try #require(out.split(separator: "\n").first { $0.hasPrefix("produced 50 of 50") })
            return produced.components(separatedBy: " @").count - 1
        }
        // Sticky for 2 × linger.ms: 200 ms here, so that a busy test machine cannot split the run.
        try t.output(of: "set linger.ms 100")
        let sticky = try partitions("produce --topic clicks --count 50 \"click {i}\"")
        #expect(sticky == 1, "\(sticky) partitions")
        try t.output(of: "set linger.ms 0")
        // Random per message: 50 picks over 6 partitions land on at least 3 (all on ≤ 2: p < 1e-20).
        let random = try partitions("produce --topic clicks --count 50 \"click {i}\"")
        #expect(random >= 3, "\(random) partitions")
    }

    /// 5, on the embedded cluster: the demo's closing line says the same.
    @Test func embeddedCompactionDemoNoLongerTiesTheKeyToTheTombstonesExpiry() throws {
        let t = try TestSession()
        let out = try t.output(of: "compaction demo --keys 2").replacingOccurrences(of: "\n", with: " ")
        #expect(!out.contains("gone once its tombstone expires"))
        #expect(out.contains("earlier values go at the first cleaning that reaches its tombstone"))
    }
}
