import Testing

@testable import Lab

/// The replication lab's results: one value rendered to text and to JSON carries the same figures.
@Suite("Replication results: text and JSON from one value")
struct ReplicationResultTests {
    static let rows = [
        IsrResult.Partition(
            partition: 0, leader: 2, replicas: [1, 2, 3], isr: [2, 3], offlineReplicas: [1], lowWatermark: 0,
            highWatermark: 42, leaderEpoch: nil, state: ["under-replicated"]),
        IsrResult.Partition(
            partition: 1, leader: nil, replicas: [1], isr: [1], offlineReplicas: [1], lowWatermark: nil,
            highWatermark: nil, leaderEpoch: nil, state: ["offline", "not modelled"]),
    ]

    @Test func isrRowsAndHeader() {
        let r = RenderedResult(
            IsrResult(
                topic: "t", replicationFactor: 3, minInsyncReplicas: 2, minInsyncReplicasSource: "2 (topic config)",
                underReplicatedOrAtMinIsr: 2, leaderEpochNote: "no epoch", partitions: Self.rows, partitionCount: 2,
                onlyTroubled: false, showAll: false))
        #expect(
            r.text.hasPrefix("Topic: t  partitions 2  replication factor 3  min.insync.replicas 2 (topic config)\n"))
        #expect(r.hasRow(["0", "2", "1,2,3", "2,3", "1", "0", "42", "under-replicated"]), "\(r.text)")
        #expect(r.hasRow(["1", "none", "1", "1", "1", "?", "?", "offline,not", "modelled"]), "\(r.text)")
        #expect(r.text.contains(IsrResult.notModelledNote))
        #expect(
            r.json.serialized()
                == #"{"topic":"t","replication_factor":3,"min_insync_replicas":2,"min_insync_replicas_source":"2 (topic config)","under_replicated_or_at_min_isr":2,"leader_epoch_note":"no epoch","partitions":[{"partition":0,"leader":2,"replicas":[1,2,3],"isr":[2,3],"offline_replicas":[1],"low_watermark":0,"high_watermark":42,"leader_epoch":null,"state":["under-replicated"]},{"partition":1,"leader":null,"replicas":[1],"isr":[1],"offline_replicas":[1],"low_watermark":null,"high_watermark":null,"leader_epoch":null,"state":["offline","not modelled"]}]}"#
        )
        let calm = RenderedResult(
            IsrResult(
                topic: "t", replicationFactor: 3, minInsyncReplicas: nil, minInsyncReplicasSource: "unknown",
                underReplicatedOrAtMinIsr: 0, leaderEpochNote: "", partitions: [], partitionCount: 3,
                onlyTroubled: true,
                showAll: false))
        #expect(calm.text.contains("no partition of t is offline, under-replicated or at min ISR"))
        #expect(calm.json["min_insync_replicas"] == .null && calm.json["partitions"] == .array([]))
    }

    @Test func isrWatchSummary() {
        let r = RenderedResult(
            IsrWatchSummaryResult(
                summary: true, stopped: "time up", watchedMs: 2_049, polls: 5,
                events: [.init(kind: "isr_shrink", count: 2), .init(kind: "leader_change", count: 1)],
                underReplicated: [
                    .init(
                        topic: "t", partition: 0, longestMs: 1_250, periods: 1, stillUnderReplicated: true,
                        longestSeconds: 1.25)
                ], watchedSeconds: 2.049))
        #expect(r.text.hasPrefix("watched 2.0 s (5 polls, time up): 3 event(s): isr_shrink 2, leader_change 1\n"))
        #expect(
            r.hasRow(["t/0", "1.2", "s", "1", "still", "under-replicated"])
                || r.hasRow(["t/0", "1.3", "s", "1", "still", "under-replicated"]), "\(r.text)")
        #expect(
            r.json.serialized()
                == #"{"summary":true,"stopped":"time up","watched_ms":2049,"polls":5,"events":[{"kind":"isr_shrink","count":2},{"kind":"leader_change","count":1}],"under_replicated":[{"topic":"t","partition":0,"longest_ms":1250,"periods":1,"still_under_replicated":true}]}"#
        )
    }

    @Test func brokerListAndInstructions() {
        let r = RenderedResult(
            BrokerListResult(
                cluster: "compose",
                brokers: [.init(id: 1, address: "localhost:19092", state: "up", leads: 4, replicas: 9)]))
        #expect(r.hasRow(["1", "localhost:19092", "up", "4", "9"]), "\(r.text)")
        #expect(
            r.json.serialized()
                == #"{"cluster":"compose","brokers":[{"id":1,"address":"localhost:19092","state":"up","leads":4,"replicas":9}]}"#
        )
        let i = RenderedResult(
            BrokerInstructionsResult(
                action: "stop", brokers: [2], performed: false, instructions: "stop it on its host"))
        #expect(i.text == "stop it on its host\n")
        #expect(
            i.json.serialized()
                == #"{"action":"stop","brokers":[2],"performed":false,"instructions":"stop it on its host"}"#)
    }
}
