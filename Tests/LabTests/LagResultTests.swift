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
}
