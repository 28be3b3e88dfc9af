import Foundation
import Kafka

/// The typed results of the cluster lab's commands (`cluster`, `topic`, the summaries of `produce`
/// and `consume`): each renders its own text, and its JSON is its encoding (`CommandResult`), so
/// the two carry the same figures. Properties left out of `CodingKeys` only word the text.

/// `cluster`: the brokers and what can truthfully be said about the active controller.
struct ClusterOverviewResult: CommandResult {
    struct Broker: Encodable, Equatable {
        let id: Int32
        let address: String
        /// "up", or "stopped" for a broker kafkalab stopped on the mock.
        let state: String
    }

    let cluster: String
    let clusterID: String?
    let activeController: Int32?
    let activeControllerSource: String
    let topics: Int
    let brokers: [Broker]
    /// The header's controller words: `102 (KRaft quorum leader)`, `none (embedded)`, ...
    let controllerText: String

    enum CodingKeys: String, CodingKey {
        case cluster, clusterID, activeController, activeControllerSource, topics, brokers
    }

    func render(into output: Output) {
        output.line(
            "cluster \(cluster)  id \(clusterID ?? "(not reported)")  active controller \(controllerText)  topics \(topics)"
        )
        var table = TextTable(headers: ["BROKER", "ADDRESS", "STATE"])
        for b in brokers { table.append(["\(b.id)", b.address, b.state]) }
        output.table(table)
    }
}

/// `topic create`: the topic as created.
struct TopicCreatedResult: CommandResult {
    let topic: String
    let partitions: Int
    let replicationFactor: Int
    /// The topic configs given with --config, by property name.
    let properties: PropertyValues

    func render(into output: Output) {
        output.line(
            "created \(topic): \(partitions) partitions, replication factor \(replicationFactor)"
                + (properties.pairs.isEmpty
                    ? "" : ", " + properties.pairs.map { "\($0.name)=\($0.value)" }.joined(separator: ", "))
        )
    }
}

/// `topic create --if-not-exists` on a topic that is already there: nothing changed.
struct TopicExistsResult: CommandResult {
    let topic: String
    let created: Bool
    let partitions: Int

    init(topic: String, partitions: Int) {
        self.topic = topic
        created = false
        self.partitions = partitions
    }

    func render(into output: Output) {
        output.line(
            "\(topic) already exists with \(partitions) partition\(partitions == 1 ? "" : "s"); --if-not-exists leaves it as it is"
        )
    }
}

/// `topic describe`: per partition, leader, replicas, ISR and offsets.
struct TopicDescribeResult: CommandResult {
    struct Partition: Encodable, Equatable {
        let partition: Int32
        /// -1 when the partition has no leader.
        let leader: Int32
        let replicas: [Int32]
        let isr: [Int32]
        /// Nil when the leader did not answer.
        let lowWatermark: Int64?
        let highWatermark: Int64?
        /// Nil where it was not asked (the mock) or not answered.
        let lastStableOffset: Int64?
    }

    let topic: String
    let partitions: [Partition]
    /// --all: the whole table at a terminal, however long.
    let showAll: Bool

    enum CodingKeys: String, CodingKey {
        case topic, partitions
    }

    /// Whether the LSO column says something: some partition's LSO is below its high watermark.
    var showsLastStableOffset: Bool {
        partitions.contains { $0.lastStableOffset != nil && $0.lastStableOffset != $0.highWatermark }
    }

    func render(into output: Output) {
        let showLso = showsLastStableOffset
        let headers: [String] =
            ["PARTITION", "LEADER", "REPLICAS", "ISR", "LOW", "HIGH"] + (showLso ? ["LSO"] : []) + ["MESSAGES"]
        let alignments: [TextTable.Alignment] = headers.map { ["REPLICAS", "ISR"].contains($0) ? .left : .right }
        var table = TextTable(headers: headers, alignments: alignments)
        for p in partitions {
            var cells: [String] = [
                "\(p.partition)", p.leader < 0 ? "none" : "\(p.leader)",
                p.replicas.map(String.init).joined(separator: ","), p.isr.map(String.init).joined(separator: ","),
            ]
            cells.append(p.lowWatermark.map { "\($0)" } ?? "?")
            cells.append(p.highWatermark.map { "\($0)" } ?? "?")
            if showLso { cells.append(p.lastStableOffset.map { "\($0)" } ?? "?") }
            if let low = p.lowWatermark, let high = p.highWatermark {
                cells.append("\(Watermarks(low: low, high: high).messageCount)")
            } else {
                cells.append("?")
            }
            table.append(cells)
        }
        output.line(
            "Topic: \(topic)  PartitionCount: \(partitions.count)  ReplicationFactor: \(partitions.map(\.replicas.count).max() ?? 0)"
        )
        if partitions.count > PartitionDigest.threshold {
            output.line(
                PartitionDigest.line(
                    partitions.map {
                        PartitionDigest.Row(
                            leader: $0.leader, replicas: $0.replicas.count, isr: $0.isr.count, low: $0.lowWatermark,
                            high: $0.highWatermark)
                    }))
        }
        output.longTable(table, all: showAll, noun: "partitions")
    }
}

/// `produce`: what the delivery reports said.
struct ProduceResult: CommandResult {
    struct PartitionRange: Encodable, Equatable {
        let partition: Int32
        let firstOffset: Int64
        let lastOffset: Int64
    }

    struct Failure: Encodable, Equatable {
        /// librdkafka's error name.
        let error: String
        let count: Int
        /// What the error means for a producer; nil where kafkalab has no words for it.
        let meaning: String?
    }

    let topic: String
    let sent: Int
    let delivered: Int
    let failed: Int
    let partitions: [PartitionRange]
    let errors: [Failure]
    /// How many were to be sent (more than `sent` when interrupted).
    let planned: Int
    /// From the first send to the last delivery report.
    let seconds: Double
    /// --verbose: list every partition's offsets, however many.
    let verbose: Bool

    enum CodingKeys: String, CodingKey {
        case topic, sent, delivered, failed, partitions, errors
    }

    func render(into out: Output) {
        var line = "produced \(delivered) of \(sent) message(s) to \(topic)"
        if partitions.count > DataCommands.listedPartitions && !verbose {
            line +=
                ": " + PartitionDigest.offsets(partitions.map { ($0.partition, $0.firstOffset, $0.lastOffset) })
                + "; --verbose lists them"
        } else if !partitions.isEmpty {
            line +=
                ": "
                + partitions.map {
                    "p\($0.partition) \($0.firstOffset == $0.lastOffset ? "@\($0.firstOffset)" : "@\($0.firstOffset)-\($0.lastOffset)")"
                }.joined(separator: ", ")
        }
        if delivered > 1 && seconds > 0 { line += String(format: " (%.0f msgs/s)", Double(delivered) / seconds) }
        out.line(line)
        if sent < planned { out.line("interrupted after \(sent) of \(planned); every message sent was reported below") }
        for f in errors {
            out.line("failed: \(f.count) × \(f.error)" + (f.meaning.map { ": \($0)" } ?? ""))
        }
    }
}

/// `consume` without a group: how many records and why it stopped (the records came before).
struct ConsumeSummaryResult: CommandResult {
    let topic: String
    let consumed: Int
    let stopped: String

    func render(into output: Output) {
        output.hint("\(consumed) message(s) from \(topic) (\(stopped))")
    }
}

/// `consume --group`: how many records, and what the group has committed now as the
/// coordinator reports it (not what this consumer believes it sent).
struct GroupConsumeSummaryResult: CommandResult {
    struct Committed: Encodable, Equatable {
        let partition: Int32
        let offset: Int64
    }

    let topic: String
    let group: String
    let consumed: Int
    let stopped: String
    /// auto, every:N or off.
    let commit: String
    let committed: [Committed]
    /// --commit off: this run committed nothing on purpose.
    let commitsOff: Bool
    /// --verbose: list every partition's committed offset, however many (a 3,000-partition group
    /// read otherwise printed one 30,000-character line).
    var verbose = false

    enum CodingKeys: String, CodingKey {
        case topic, group, consumed, stopped, commit, committed
    }

    func render(into output: Output) {
        let text: String
        if committed.isEmpty {
            text = "nothing"
        } else if committed.count > DataCommands.listedPartitions && !verbose {
            text =
                PartitionDigest.offsets(committed.map { ($0.partition, $0.offset, $0.offset) })
                + "; --verbose lists them"
        } else {
            text = committed.map { "p\($0.partition) @\($0.offset)" }.joined(separator: ", ")
        }
        output.line(
            "consumed \(consumed) message(s) from \(topic) as group \(group) (\(stopped)); the group's committed offsets: \(text)"
        )
        if commitsOff {
            output.hint(
                "--commit off: this run committed nothing; `lag \(group) --topic \(topic)` shows the group's lag")
        } else {
            output.hint("`lag \(group)` shows the lag these commits leave")
        }
    }
}

extension ProduceResult {
    init(_ s: DeliverySummary, topic: String, sent: Int, planned: Int, seconds: Double, verbose: Bool) {
        self.topic = topic
        self.sent = sent
        delivered = s.delivered
        failed = s.failed
        partitions = s.offsetRanges.map {
            PartitionRange(partition: $0.partition, firstOffset: $0.first, lastOffset: $0.last)
        }
        errors = s.failuresByName.map {
            Failure(error: $0.name, count: $0.count, meaning: ErrorMeanings.meaning(of: $0.name))
        }
        self.planned = planned
        self.seconds = seconds
        self.verbose = verbose
    }
}
