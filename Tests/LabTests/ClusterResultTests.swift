import Kafka
import Testing

@testable import Lab

/// The cluster lab's results (`cluster`, `topic`, the summaries of `produce` and `consume`): one
/// value rendered to text and to JSON carries the same figures.
@Suite("Cluster results: text and JSON from one value")
struct ClusterResultTests {
    @Test func clusterOverview() {
        let r = RenderedResult(
            ClusterOverviewResult(
                cluster: "embedded (3 brokers)", clusterID: nil, activeController: nil,
                activeControllerSource: "embedded",
                topics: 4,
                brokers: [
                    .init(id: 1, address: "127.0.0.1:9001", state: "up"), .init(id: 2, address: "-", state: "stopped"),
                ],
                controllerText: "none (embedded)"))
        #expect(
            r.text.hasPrefix(
                "cluster embedded (3 brokers)  id (not reported)  active controller none (embedded)  topics 4\n"))
        #expect(r.hasRow(["1", "127.0.0.1:9001", "up"]) && r.hasRow(["2", "-", "stopped"]), "\(r.text)")
        #expect(
            r.json.serialized()
                == #"{"cluster":"embedded (3 brokers)","cluster_id":null,"active_controller":null,"active_controller_source":"embedded","topics":4,"brokers":[{"id":1,"address":"127.0.0.1:9001","state":"up"},{"id":2,"address":"-","state":"stopped"}]}"#
        )
    }

    @Test func topicCreatedAndAlreadyThere() {
        let r = RenderedResult(
            TopicCreatedResult(
                topic: "t", partitions: 3, replicationFactor: 2,
                properties: PropertyValues(["retention.ms": "1000", "cleanup.policy": "compact"])))
        #expect(r.text == "created t: 3 partitions, replication factor 2, cleanup.policy=compact, retention.ms=1000\n")
        #expect(
            r.json.serialized()
                == #"{"topic":"t","partitions":3,"replication_factor":2,"properties":{"cleanup.policy":"compact","retention.ms":"1000"}}"#
        )
        let there = RenderedResult(TopicExistsResult(topic: "t", partitions: 1))
        #expect(there.text == "t already exists with 1 partition; --if-not-exists leaves it as it is\n")
        #expect(there.json.serialized() == #"{"topic":"t","created":false,"partitions":1}"#)
    }

    @Test func topicDescribeShowsTheLsoColumnOnlyWhenItSaysSomething() {
        let open = RenderedResult(
            TopicDescribeResult(
                topic: "t",
                partitions: [
                    .init(
                        partition: 0, leader: 1, replicas: [1, 2], isr: [1], lowWatermark: 2, highWatermark: 10,
                        lastStableOffset: 7),
                    .init(
                        partition: 1, leader: -1, replicas: [2, 3], isr: [], lowWatermark: nil, highWatermark: nil,
                        lastStableOffset: nil),
                ], showAll: false))
        #expect(open.text.hasPrefix("Topic: t  PartitionCount: 2  ReplicationFactor: 2\n"))
        #expect(open.hasRow(["PARTITION", "LEADER", "REPLICAS", "ISR", "LOW", "HIGH", "LSO", "MESSAGES"]))
        #expect(open.hasRow(["0", "1", "1,2", "1", "2", "10", "7", "8"]), "\(open.text)")
        #expect(open.hasRow(["1", "none", "2,3", "?", "?", "?", "?"]), "\(open.text)")
        #expect(
            open.json.serialized()
                == #"{"topic":"t","partitions":[{"partition":0,"leader":1,"replicas":[1,2],"isr":[1],"low_watermark":2,"high_watermark":10,"last_stable_offset":7},{"partition":1,"leader":-1,"replicas":[2,3],"isr":[],"low_watermark":null,"high_watermark":null,"last_stable_offset":null}]}"#
        )
        let closed = TopicDescribeResult(
            topic: "t",
            partitions: [
                .init(
                    partition: 0, leader: 1, replicas: [1], isr: [1], lowWatermark: 0, highWatermark: 5,
                    lastStableOffset: 5)
            ], showAll: false)
        #expect(!closed.showsLastStableOffset && !RenderedResult(closed).text.contains("LSO"))
    }

    @Test func produceSummary() {
        let r = RenderedResult(
            ProduceResult(
                topic: "t", sent: 4, delivered: 3, failed: 1,
                partitions: [
                    .init(partition: 0, firstOffset: 4, lastOffset: 5),
                    .init(partition: 2, firstOffset: 9, lastOffset: 9),
                ],
                errors: [
                    .init(error: "_MSG_TIMED_OUT", count: 1, meaning: ErrorMeanings.meaning(of: "_MSG_TIMED_OUT"))
                ],
                planned: 5, seconds: 0, verbose: false))
        let lines = r.text.split(separator: "\n")
        #expect(lines.first == "produced 3 of 4 message(s) to t: p0 @4-5, p2 @9", "\(r.text)")
        #expect(lines.contains("interrupted after 4 of 5; every message sent was reported below"))
        #expect(lines.contains { $0.hasPrefix("failed: 1 × _MSG_TIMED_OUT") }, "\(r.text)")
        #expect(r.json["delivered"]?.intValue == 3 && r.json["failed"]?.intValue == 1 && r.json["sent"]?.intValue == 4)
        #expect(r.json["partitions"]?[0]?["first_offset"]?.intValue == 4)
        #expect(r.json["partitions"]?[1]?["last_offset"]?.intValue == 9)
        #expect(r.json["errors"]?[0]?["error"] == .string("_MSG_TIMED_OUT"))
        #expect(r.json["errors"]?[0]?["count"]?.intValue == 1)
    }

    @Test func consumeSummaries() {
        let plain = RenderedResult(ConsumeSummaryResult(topic: "t", consumed: 7, stopped: "end of log"))
        #expect(plain.text == "7 message(s) from t (end of log)\n")
        #expect(plain.json.serialized() == #"{"topic":"t","consumed":7,"stopped":"end of log"}"#)

        let group = RenderedResult(
            GroupConsumeSummaryResult(
                topic: "t", group: "g", consumed: 3, stopped: "count reached", commit: "every:2",
                committed: [.init(partition: 0, offset: 3), .init(partition: 1, offset: 12)], commitsOff: false))
        #expect(
            group.text.hasPrefix(
                "consumed 3 message(s) from t as group g (count reached); the group's committed offsets: p0 @3, p1 @12\n"
            ))
        #expect(
            group.json.serialized()
                == #"{"topic":"t","group":"g","consumed":3,"stopped":"count reached","commit":"every:2","committed":[{"partition":0,"offset":3},{"partition":1,"offset":12}]}"#
        )
        let none = RenderedResult(
            GroupConsumeSummaryResult(
                topic: "t", group: "g", consumed: 0, stopped: "end of log", commit: "off", committed: [],
                commitsOff: true))
        #expect(none.text.contains("committed offsets: nothing\n--commit off: this run committed nothing"))

        // Thousands of partitions: one phrase at a terminal or in a pipe, every row with --verbose and in JSON.
        let many = (0..<3000).map {
            GroupConsumeSummaryResult.Committed(partition: Int32($0), offset: Int64($0 % 7 + 2))
        }
        var wide = GroupConsumeSummaryResult(
            topic: "big", group: "g", consumed: 30000, stopped: "end of log", commit: "auto", committed: many,
            commitsOff: false)
        let digest = RenderedResult(wide)
        #expect(
            digest.text.hasPrefix(
                "consumed 30000 message(s) from big as group g (end of log); the group's committed offsets: 3,000 partitions, offsets 2-8; --verbose lists them\n"
            ))
        #expect(digest.json["committed"]?.arrayValue?.count == 3000)
        wide.verbose = true
        #expect(RenderedResult(wide).text.contains("p2999 @5\n"))
    }
}
