import Foundation

/// The typed results of the replication lab: each renders its own text, and its JSON is its
/// encoding (`CommandResult`), so the two carry the same figures. Properties left out of
/// `CodingKeys` only word the text.

/// `isr`: per partition, leader, replicas, ISR, offline replicas, offsets and state.
struct IsrResult: CommandResult {
    struct Partition: Encodable, Equatable {
        let partition: Int32
        /// Nil when the partition has no leader.
        let leader: Int32?
        let replicas: [Int32]
        let isr: [Int32]
        let offlineReplicas: [Int32]
        /// Nil when the leader was not asked (stopped) or did not answer.
        let lowWatermark: Int64?
        let highWatermark: Int64?
        /// librdkafka 2.0.2's metadata has no leader epoch (`leaderEpochNote` says so): always nil.
        let leaderEpoch: Int32?
        /// `ok`, or the marks: offline, under-replicated, at min ISR, not modelled.
        let state: [String]
    }

    let topic: String
    let replicationFactor: Int
    let minInsyncReplicas: Int?
    /// The value or why it is unknown, as the header shows it.
    let minInsyncReplicasSource: String
    let underReplicatedOrAtMinIsr: Int
    let leaderEpochNote: String
    /// The rows shown (only the troubled ones with --under-replicated).
    let partitions: [Partition]
    /// All partitions of the topic, shown or not.
    let partitionCount: Int
    let onlyTroubled: Bool
    /// --all: the whole table at a terminal, however long.
    let showAll: Bool

    enum CodingKeys: String, CodingKey {
        case topic, replicationFactor, minInsyncReplicas, minInsyncReplicasSource, underReplicatedOrAtMinIsr
        case leaderEpochNote, partitions
    }

    static let notModelledNote =
        "not modelled: the ISR still lists a stopped broker because the mock runs no replication; Kafka drops it at once (controlled shutdown) or when the controller fences it (broker.session.timeout.ms); `sim` models that step by step (`sim scenario leader-failover`)"

    func render(into output: Output) {
        output.line(
            "Topic: \(topic)  partitions \(partitionCount)  replication factor \(replicationFactor)  min.insync.replicas \(minInsyncReplicasSource)"
        )
        if partitionCount > PartitionDigest.threshold {
            output.line(
                PartitionDigest.line(
                    partitions.map {
                        PartitionDigest.Row(
                            leader: $0.leader ?? -1, replicas: $0.replicas.count, isr: $0.isr.count,
                            low: $0.lowWatermark,
                            high: $0.highWatermark)
                    }) + "; offline, under-replicated or at min ISR: \(TextTable.grouped(underReplicatedOrAtMinIsr))")
        }
        if onlyTroubled && partitions.isEmpty {
            output.line("no partition of \(topic) is offline, under-replicated or at min ISR")
        } else {
            var table = TextTable(
                headers: ["PARTITION", "LEADER", "REPLICAS", "ISR", "OFFLINE", "LOW", "HIGH", "STATE"],
                alignments: [.right, .right, .left, .left, .left, .right, .right, .left])
            for p in partitions {
                table.append([
                    "\(p.partition)", p.leader.map { "\($0)" } ?? "none", ReplicationCommands.ids(p.replicas),
                    ReplicationCommands.ids(p.isr),
                    p.offlineReplicas.isEmpty ? "-" : ReplicationCommands.ids(p.offlineReplicas),
                    p.lowWatermark.map { "\($0)" } ?? "?", p.highWatermark.map { "\($0)" } ?? "?",
                    p.state.joined(separator: ","),
                ])
            }
            output.longTable(table, all: showAll, noun: "partitions")
        }
        if partitions.contains(where: { $0.state.contains("not modelled") }) {
            output.line(Self.notModelledNote)
        }
    }
}

/// `isr watch`: the summary after the events.
struct IsrWatchSummaryResult: CommandResult {
    struct EventCount: Encodable, Equatable {
        let kind: String
        let count: Int
    }

    struct UnderReplicated: Encodable, Equatable {
        let topic: String
        let partition: Int32
        let longestMs: Int64
        let periods: Int
        let stillUnderReplicated: Bool
        /// Unrounded, for the text's one decimal.
        let longestSeconds: Double

        enum CodingKeys: String, CodingKey {
            case topic, partition, longestMs, periods, stillUnderReplicated
        }
    }

    /// Marks the document that ends a stream of events.
    let summary: Bool
    /// "interrupted" or "time up".
    let stopped: String
    let watchedMs: Int64
    let polls: Int
    let events: [EventCount]
    let underReplicated: [UnderReplicated]
    /// Unrounded, for the text's one decimal.
    let watchedSeconds: Double

    enum CodingKeys: String, CodingKey {
        case summary, stopped, watchedMs, polls, events, underReplicated
    }

    func render(into out: Output) {
        let total = events.reduce(0) { $0 + $1.count }
        out.line(
            String(format: "watched %.1f s (%d polls, %@): ", watchedSeconds, polls, stopped)
                + (events.isEmpty
                    ? "no events"
                    : "\(total) event(s): " + events.map { "\($0.kind) \($0.count)" }.joined(separator: ", ")))
        if underReplicated.isEmpty {
            out.line("no partition was under-replicated")
        } else {
            var table = TextTable(
                headers: ["PARTITION", "LONGEST UNDER-REPLICATED", "PERIODS", "AT END"],
                alignments: [.left, .right, .right, .left])
            for u in underReplicated {
                table.append([
                    "\(u.topic)/\(u.partition)", String(format: "%.1f s", u.longestSeconds), "\(u.periods)",
                    u.stillUnderReplicated ? "still under-replicated" : "in sync",
                ])
            }
            out.table(table)
        }
    }
}

/// `broker list`: every broker kafkalab knows of, its state, and the partitions it leads and hosts.
struct BrokerListResult: CommandResult {
    struct Broker: Encodable, Equatable {
        let id: Int32
        let address: String
        let state: String
        /// Partitions of non-internal topics this broker leads.
        let leads: Int
        /// Partitions of non-internal topics with a replica on this broker.
        let replicas: Int
    }

    let cluster: String
    let brokers: [Broker]

    func render(into output: Output) {
        var table = TextTable(
            headers: ["BROKER", "ADDRESS", "STATE", "LEADS", "REPLICAS"],
            alignments: [.right, .left, .left, .right, .right])
        for b in brokers { table.append(["\(b.id)", b.address, b.state, "\(b.leads)", "\(b.replicas)"]) }
        output.table(table)
    }
}

/// `broker stop|kill|start` on a cluster kafkalab does not control: what to do on the host instead.
struct BrokerInstructionsResult: CommandResult {
    let action: String
    let brokers: [Int32]
    /// Always false: nothing was done.
    let performed: Bool
    let instructions: String

    func render(into output: Output) { output.line(instructions) }
}

extension IsrWatchSummaryResult {
    init(_ s: ReplicationWatchSummary, interrupted: Bool) {
        summary = true
        stopped = interrupted ? "interrupted" : "time up"
        watchedSeconds = s.watchedSeconds
        watchedMs = Int64((s.watchedSeconds * 1000).rounded())
        polls = s.snapshotsRecorded
        events = s.orderedEventCounts.map { EventCount(kind: $0.kind, count: $0.count) }
        underReplicated = s.underReplicated.map {
            UnderReplicated(
                topic: $0.topic, partition: $0.partition, longestMs: Int64(($0.longestSeconds * 1000).rounded()),
                periods: $0.periods, stillUnderReplicated: $0.stillUnderReplicated, longestSeconds: $0.longestSeconds)
        }
    }
}
