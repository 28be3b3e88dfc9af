import Testing

@testable import Lab

/// The lag lab's results: one value rendered to text and to JSON carries the same figures.
@Suite("Lag results: text and JSON from one value")
struct LagResultTests {
    @Test func groupList() {
        let r = RenderedResult(
            GroupListResult(groups: [
                .init(group: "orders", state: "Stable", members: 3, simple: false),
                .init(group: "audit", state: "Empty", members: nil, simple: true),
            ]))
        #expect(
            r.hasRow(["orders", "Stable", "3", "consumer"]) && r.hasRow(["audit", "Empty", "?", "simple"]), "\(r.text)")
        #expect(
            r.json.serialized()
                == #"{"groups":[{"group":"orders","state":"Stable","members":3,"simple":false},{"group":"audit","state":"Empty","members":null,"simple":true}]}"#
        )
        let none = RenderedResult(GroupListResult(groups: []))
        #expect(none.text == "no consumer groups on this cluster\n" && none.json.serialized() == #"{"groups":[]}"#)
    }

    @Test func lag() {
        let rows = LagTable(
            [
                PartitionOffsets(topic: "orders", partition: 0, committed: 10, logEnd: 15),
                PartitionOffsets(topic: "orders", partition: 1, committed: nil, logEnd: 7),
                PartitionOffsets(topic: "orders", partition: 2, committed: 4, logEnd: 4),
            ],
            owners: ["orders/0": PartitionOwner(memberId: "m-1", clientId: "c1", host: "/10.0.0.1")]
        ).laggingOnly
        let r = RenderedResult(
            LagResult(
                group: "billing", topics: ["orders"], topicsFrom: "topics it committed on", groupState: "Stable",
                laggingOnly: true, partitions: rows.rows.map(LagResult.Partition.init), topicTotals: rows.topicTotals,
                totalLag: rows.totalLag, partitionsChecked: 3, ownersUnknown: false, showAll: false))
        #expect(r.hasRow(["billing", "orders", "0", "10", "15", "5", "m-1", "/10.0.0.1", "c1"]), "\(r.text)")
        #expect(r.hasRow(["billing", "orders", "1", "no", "commits", "7", "7", "-", "-", "-"]), "\(r.text)")
        #expect(r.text.contains("orders: lag 12 message(s) over 2 partition(s), 1 with no commits\n"))
        #expect(r.text.contains("group billing: total lag 12 message(s) on 2 lagging of 3 partition(s)\n"))
        #expect(
            r.json.serialized()
                == #"{"group":"billing","topics":["orders"],"topics_from":"topics it committed on","group_state":"Stable","lagging_only":true,"partitions":[{"topic":"orders","partition":0,"committed":10,"log_end":15,"lag":5,"no_commits":false,"member_id":"m-1","host":"/10.0.0.1","client_id":"c1"},{"topic":"orders","partition":1,"committed":null,"log_end":7,"lag":7,"no_commits":true,"member_id":null,"host":null,"client_id":null}],"topic_totals":[{"topic":"orders","partitions":2,"lag":12,"partitions_without_commit":1}],"total_lag":12,"partitions_checked":3}"#
        )
        let none = RenderedResult(
            LagResult(
                group: "g", topics: ["t"], topicsFrom: "--topic", groupState: nil, laggingOnly: true, partitions: [],
                topicTotals: [], totalLag: 0, partitionsChecked: 4, ownersUnknown: true, showAll: false))
        #expect(none.text.contains("no partition of group g lags (4 partition(s) checked, total lag 0)\n"))
        #expect(none.text.contains("embedded: no DescribeGroups"))
        #expect(none.json["group_state"] == .null && none.json["partitions_checked"] == .int(4))
    }

    static func watchReport() -> LagWatchReport {
        let evaluator = LagEvaluator(windowSize: 3, minimumSamples: 3)
        var history = LagHistory()
        for (i, committed) in [Int64(0), 4, 8].enumerated() {
            history.record(
                [
                    PartitionOffsets(topic: "t", partition: 0, committed: committed, logEnd: 10),
                    PartitionOffsets(topic: "t", partition: 1, committed: nil, logEnd: 3 + Int64(i)),
                ], at: Double(i))
        }
        return history.report(evaluator: evaluator)
    }

    @Test func lagWatchSample() {
        let report = Self.watchReport()
        let sample = LagWatchSampleResult(report, group: "g", phase: nil)
        let r = RenderedResult(sample)
        let p0 = report.partitions[0]
        #expect(
            r.text.hasPrefix(
                "group g  t=2.0s  sample 3  status \(report.groupStatus.rawValue)  lag \(report.totalLag)\n"))
        // Partition 0: lag 2, read 4 msg/s with nothing produced, so it drains in about half a second.
        #expect(
            r.hasRow(
                ["t", "0", "2", p0.sparkline, "4", "msg/s", "0", "msg/s", "~500ms", p0.evaluation.status.rawValue]
                    + p0.evaluation.reason.split(separator: " ").map(String.init)), "\(r.text)")
        #expect(r.text.contains("the group has committed nothing here: nothing to judge"))
        let json = r.json
        #expect(json["elapsed_ms"] == .double(2000) && json["sample"] == .int(3) && json["phase"] == .null)
        #expect(json["total_lag"] == .int(report.totalLag) && json["status"] == .string(report.groupStatus.rawValue))
        #expect(json["partitions"]?[0]?["time_to_drain_ms"] == .double(500))
        #expect(json["partitions"]?[0]?["drain"] == .string("draining"))
        #expect(json["partitions"]?[0]?["consumption_per_sec"] == .double(4))
        #expect(json["partitions"]?[1]?["committed"] == .null && json["partitions"]?[1]?["lag"] == .int(5))
        #expect(json["partitions"]?[0]?["sparkline"] == nil, "a picture, not a figure")
        #expect(
            RenderedResult(LagWatchSampleResult(report, group: "g", phase: "slow")).json["phase"] == .string("slow"))
    }

    @Test func drainTextFollowsTheFigures() {
        struct Trend: LagTrendFigures {
            let consumptionPerSec: Double? = nil
            let productionPerSec: Double? = nil
            let timeToDrainMs: Double?
            let drain: String
        }
        func text(_ drain: String, _ ms: Double?) -> String { Trend(timeToDrainMs: ms, drain: drain).drainText }
        #expect(text("caught_up", 0) == "caught up")
        #expect(text("draining", 4200) == "~4.2s")
        #expect(text("growing", nil) == "growing")
        #expect(text("not_draining", nil) == "not draining")
        #expect(text("unknown", nil) == "—")
    }

    @Test func lagWatchSummary() {
        var summary = LagWatchSummary()
        summary.record(Self.watchReport())
        let r = RenderedResult(
            LagWatchSummaryResult(group: "g", durationMs: 2500, stopped: "ran for 2.5s", summary: summary))
        let last = Self.watchReport()
        #expect(r.text.hasPrefix("watched group g for 2.5s, 1 sample(s), ran for 2.5s\n"))
        #expect(
            r.text.contains(
                "group status per sample: \(last.groupStatus.rawValue) 1; max total lag \(last.totalLag); now \(last.groupStatus.rawValue) with lag \(last.totalLag)\n"
            ))
        let p0 = last.partitions[0]
        #expect(
            r.text.contains(
                "  t/0: \(p0.evaluation.status.rawValue); now \(p0.evaluation.status.rawValue) (\(p0.evaluation.reason)), lag 2\n"
            ))
        let counts = r.json["group_status_counts"]
        #expect(counts?[last.groupStatus.rawValue.lowercased()] == .int(1))
        #expect(
            r.json["summary"] == .bool(true) && r.json["samples"] == .int(1) && r.json["duration_ms"] == .double(2500))
        #expect(r.json["partitions"]?[0]?["statuses_seen"] == .array([.string(p0.evaluation.status.rawValue)]))
        #expect(r.json["final_total_lag"] == .int(last.totalLag))

        let empty = RenderedResult(
            LagWatchSummaryResult(group: "g", durationMs: 100, stopped: "interrupted (Ctrl-C)", summary: .init()))
        #expect(empty.text == "watched group g for 100ms, 0 sample(s), interrupted (Ctrl-C)\n")
        #expect(empty.json["final_status"] == .null && empty.json["final_total_lag"] == .null)
        #expect(
            empty.json["group_status_counts"]?.serialized() == #"{"ok":0,"warn":0,"err":0}"#)
    }

    @Test func lagDemo() {
        var summary = LagWatchSummary()
        summary.record(Self.watchReport())
        let watch = LagWatchSummaryResult(group: "lag-demo", durationMs: 3000, stopped: "finished", summary: summary)
        let r = RenderedResult(
            LagDemoResult(
                topic: "lag-demo", group: "lag-demo", producePerSec: 40,
                phases: [
                    .init(phase: "slow", consumePerSec: 13, groupStatusesSeen: ["OK", "WARN"], lesson: "grows"),
                    .init(phase: "stopped", consumePerSec: 0, groupStatusesSeen: [], lesson: "stuck"),
                ],
                samples: 1, maxTotalLag: 7,
                maxLagByPartition: [.init(partition: 0, maxLag: 4), .init(partition: 1, maxLag: 0)],
                finalStatus: "OK", joinedAfterMs: 3100, watch: watch, ownersVisible: true))
        #expect(r.text.hasPrefix("watched group lag-demo for 3.0s, 1 sample(s), finished\n"))
        #expect(r.text.contains("  slow: OK → WARN — grows\n  stopped: not reached — stuck\n"))
        #expect(r.text.contains("largest lag per partition: p0 4, p1 0 (1 of 2 partitions carried lag;"))
        #expect(r.text.contains("the consumer got its partitions 3.1s after the start"))
        #expect(r.text.contains("on real Kafka `lag lag-demo` also shows"))
        #expect(r.json["demo"] == .bool(true) && r.json["joined_after_ms"] == .double(3100))
        #expect(
            r.json["phases"]?[0]?.serialized()
                == #"{"phase":"slow","consume_per_sec":13.0,"group_statuses_seen":["OK","WARN"],"lesson":"grows"}"#)
        #expect(
            r.json["max_lag_by_partition"]?.serialized()
                == #"[{"partition":0,"max_lag":4},{"partition":1,"max_lag":0}]"#)
        #expect(r.json["watch"] == JSONValueEncoder.encode(watch) && r.json["watch"]?["stopped"] == .string("finished"))
    }
}
