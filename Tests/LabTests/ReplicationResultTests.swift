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

    @Test func brokerStopAndStartOnTheEmbeddedCluster() {
        let stop = RenderedResult(
            BrokerControlResult(
                action: .stop, brokers: [2],
                moves: [
                    .init(topic: "t", partition: 0, from: 2, to: 3),
                    .init(topic: "t", partition: 1, from: 2, to: -1),
                ], note: "embedded: the ISR is not modelled"))
        #expect(
            stop.text.hasPrefix(
                "stopped broker 2 (embedded: stop and kill are the same here; the mock closes the listener and its connections, with no controlled shutdown)\nembedded: leadership of 1 partition moved from broker 2, as the controller would"
            ), "\(stop.text)")
        #expect(
            stop.text.contains("t/0 leader 2 → 3")
                && stop.text.contains("t/1 offline: no live in-sync replica left (leader was 2)"))
        #expect(stop.text.contains("embedded: 1 partition(s) have no live replica and are offline"))
        #expect(
            stop.json.serialized()
                == #"{"action":"stop","brokers":[2],"leadership_moves":[{"topic":"t","partition":0,"from":2,"to":3},{"topic":"t","partition":1,"from":2,"to":null}],"compose_file":null,"registered":null,"note":"embedded: the ISR is not modelled"}"#
        )
        let start = RenderedResult(
            BrokerControlResult(
                action: .start, brokers: [2, 3], moves: [.init(topic: "t", partition: 1, from: -1, to: 2)],
                note: "embedded: leadership does not move back"))
        #expect(
            start.text.hasPrefix(
                "started brokers 2,3: back in service (embedded: listener reopened)\nembedded: 1 offline partition(s) elected brokers 2,3 as leader again"
            ))
        #expect(start.text.contains("t/1 leader none → 2"))
        #expect(start.json["leadership_moves"]?[0]?["from"] == .null && start.json["leadership_moves"]?[0]?["to"] == 2)
    }

    @Test func brokerStartOnCompose() {
        let r = RenderedResult(
            BrokerControlResult(
                action: .start, brokers: [2], leadershipMoves: nil, composeFile: "/x/docker-compose.yml",
                registered: [2], note: ReplicationCommands.composeConsequence(.start)))
        #expect(r.text.hasPrefix(ReplicationCommands.composeConsequence(.start) + "\n"), "\(r.text)")
        #expect(!r.text.contains("embedded"))
        #expect(
            r.json.serialized()
                == #"{"action":"start","brokers":[2],"leadership_moves":null,"compose_file":"/x/docker-compose.yml","registered":[2],"note":""#
                + ReplicationCommands.composeConsequence(.start) + #""}"#)
    }

    @Test func minIsrDemoStepsAndConclusion() {
        let steps = [
            MinIsrDemo.DemoStep(
                label: "all replicas in sync", acks: "all", isr: [1, 2, 3], outcome: "delivered", offset: 4,
                error: nil, meaning: nil, expectedOnRealKafka: "delivered"),
            MinIsrDemo.DemoStep(
                label: "follower(s) 2,3 down", acks: "all", isr: [1], outcome: "NOT_ENOUGH_REPLICAS", offset: nil,
                error: "NOT_ENOUGH_REPLICAS", meaning: "too few in-sync replicas",
                expectedOnRealKafka: "NOT_ENOUGH_REPLICAS (ISR of 1 < min.insync.replicas 2)"),
        ]
        let real = RenderedResult(
            MinIsrDemoResult(
                cluster: "compose", topic: "mi", partition: 0, rejectionObservable: true, note: nil,
                producerProperties: PropertyValues(ordered: [("acks", "all"), ("retries", "0")]), steps: steps))
        #expect(real.text == "\n" + MinIsrDemo.tradeOff + "\n" + MinIsrDemo.keyQuestion + "\n")
        #expect(
            real.json.serialized()
                == #"{"cluster":"compose","topic":"mi","partition":0,"rejection_observable":true,"note":null,"producer_properties":{"acks":"all","retries":"0"},"steps":[{"step":"all replicas in sync","acks":"all","isr":[1,2,3],"outcome":"delivered","offset":4,"error":null,"meaning":null,"expected_on_real_kafka":"delivered"},{"step":"follower(s) 2,3 down","acks":"all","isr":[1],"outcome":"NOT_ENOUGH_REPLICAS","offset":null,"error":"NOT_ENOUGH_REPLICAS","meaning":"too few in-sync replicas","expected_on_real_kafka":"NOT_ENOUGH_REPLICAS (ISR of 1 < min.insync.replicas 2)"}]}"#
        )
        let mock = RenderedResult(
            MinIsrDemoResult(
                cluster: "embedded", topic: "mi", partition: 0, rejectionObservable: false, note: "no ISR here",
                producerProperties: PropertyValues(ordered: []), steps: []))
        #expect(mock.text.hasPrefix("\nWhat real Kafka shows, and the embedded cluster could not:\n"))
        #expect(mock.json["note"] == "no ISR here" && mock.json["rejection_observable"] == false)
    }

    @Test func isrWatchEvents() {
        let shrink = RenderedResult(
            IsrWatchEventResult(
                time: "10:00:01.250", elapsedMs: 1_250, sincePreviousLook: nil,
                event: .isrShrink(topic: "t", partition: 0, left: [3], isr: [1, 2]), text: "t/0 ISR shrank"))
        #expect(shrink.text == "10:00:01.250  t/0 ISR shrank\n")
        #expect(
            shrink.json.serialized()
                == #"{"time":"10:00:01.250","elapsed_ms":1250,"since_previous_look":null,"kind":"isr-shrink","topic":"t","partition":0,"broker_id":null,"left":[3],"isr":[1,2],"text":"t/0 ISR shrank"}"#
        )
        let gone = RenderedResult(
            IsrWatchEventResult(
                time: nil, elapsedMs: nil, sincePreviousLook: .init(reason: "broker stop 2", agoMs: 800),
                event: .brokerGone(2), text: "broker 2 gone"))
        #expect(gone.text == "    broker 2 gone\n")
        #expect(
            gone.json.serialized()
                == #"{"time":null,"elapsed_ms":null,"since_previous_look":{"reason":"broker stop 2","ago_ms":800},"kind":"broker-gone","topic":null,"partition":null,"broker_id":2,"text":"broker 2 gone"}"#
        )
        let moved = RenderedResult(
            IsrWatchEventResult(
                time: "10:00:02.000", elapsedMs: 2_000, sincePreviousLook: nil,
                event: .replicasChanged(topic: "t", partition: 1, from: [1, 2], to: [2, 3]), text: "t/1 replicas"))
        #expect(moved.json["from"] == .array([1, 2]) && moved.json["to"] == .array([2, 3]))
    }
}
