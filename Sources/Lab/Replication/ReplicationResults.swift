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

extension DockerCompose.Action: Encodable {}

/// `broker stop|kill|start` on a cluster kafkalab controls: what was done and what followed. On the
/// embedded cluster kafkalab moves leadership itself (`leadershipMoves`); on compose the
/// controller does, and `composeFile` names the containers' file.
struct BrokerControlResult: CommandResult {
    struct LeadershipMove: Encodable, Equatable {
        let topic: String
        let partition: Int32
        /// Null when the partition had no leader.
        let from: Int32?
        /// Null when no live in-sync replica could lead: the partition went offline.
        let to: Int32?
    }

    let action: DockerCompose.Action
    let brokers: [Int32]
    /// Embedded: the leaderships kafkalab moved as a controller would; null on compose.
    let leadershipMoves: [LeadershipMove]?
    /// Compose: the file whose containers were stopped or started; null on the embedded cluster.
    let composeFile: String?
    /// Compose `start`: the brokers that registered within --wait; null otherwise.
    let registered: [Int32]?
    let note: String

    /// On the embedded cluster.
    init(action: DockerCompose.Action, brokers: [Int32], moves: [LeaderElection.Move], note: String) {
        self.init(
            action: action, brokers: brokers,
            leadershipMoves: moves.map {
                LeadershipMove(
                    topic: $0.topic, partition: $0.partition, from: $0.from < 0 ? nil : $0.from,
                    to: $0.to < 0 ? nil : $0.to)
            }, composeFile: nil, registered: nil, note: note)
    }

    init(
        action: DockerCompose.Action, brokers: [Int32], leadershipMoves: [LeadershipMove]?, composeFile: String?,
        registered: [Int32]?, note: String
    ) {
        self.action = action
        self.brokers = brokers
        self.leadershipMoves = leadershipMoves
        self.composeFile = composeFile
        self.registered = registered
        self.note = note
    }

    private static func id(_ b: Int32?) -> String { b.map(String.init) ?? "none" }

    func render(into out: Output) {
        guard let moves = leadershipMoves else {
            // Compose: each docker command and the registration were said as they happened.
            out.line(note)
            out.hint("`isr watch --all` shows leader changes and ISR shrinks/expands as they happen")
            return
        }
        let brokerWord = brokers.count == 1 ? "broker \(brokers[0])" : "brokers \(ReplicationCommands.ids(brokers))"
        if action == .start {
            out.line("started \(brokerWord): back in service (embedded: listener reopened)")
            if !moves.isEmpty {
                out.line(
                    "embedded: \(moves.count) offline partition(s) elected \(brokerWord) as leader again, as the controller would"
                )
                for m in moves { out.hint("  \(m.topic)/\(m.partition) leader none → \(Self.id(m.to))") }
            }
            out.hint(
                "leadership that moved away stays where it is; Kafka returns it to the preferred replica only at a preferred-leader election (auto.leader.rebalance.enable, checked every leader.imbalance.check.interval.seconds, 300 s by default: Kafka 3.9's KRaft controller then moves back every partition whose preferred replica is in sync; the old ZooKeeper controller acted only on a broker above leader.imbalance.per.broker.percentage, 10 %)"
            )
            return
        }
        out.line(
            "\(action == .kill ? "killed" : "stopped") \(brokerWord) (embedded: stop and kill are the same here; the mock closes the listener and its connections, with no controlled shutdown)"
        )
        let moved = moves.filter { $0.to != nil }
        let from = Set(moves.compactMap(\.from)).sorted()
        let fromWord =
            from.count > 1 ? "brokers \(ReplicationCommands.ids(from))" : "broker \(from.first ?? brokers[0])"
        if moves.isEmpty {
            out.line(
                "embedded: \(brokerWord) led no partitions, so no leadership moved; the embedded cluster does not model the ISR"
            )
        } else if moved.isEmpty {
            out.line(
                "embedded: no live in-sync replica could take over from \(fromWord); the embedded cluster does not model the ISR"
            )
        } else {
            out.line(
                "embedded: leadership of \(moved.count) partition\(moved.count == 1 ? "" : "s") moved from \(fromWord), as the controller would; the embedded cluster does not model the ISR"
            )
        }
        for m in moves {
            out.hint(
                m.to == nil
                    ? "  \(m.topic)/\(m.partition) offline: no live in-sync replica left (leader was \(Self.id(m.from)))"
                    : "  \(m.topic)/\(m.partition) leader \(Self.id(m.from)) → \(Self.id(m.to))")
        }
        let offline = moves.filter { $0.to == nil }
        if !offline.isEmpty {
            out.line(
                "embedded: \(offline.count) partition(s) have no live replica and are offline, as with unclean.leader.election.enable=false"
            )
        }
    }
}

/// `min-isr demo`: each produce and what came back; its steps were told as they ran, so the text
/// is the conclusion.
struct MinIsrDemoResult: CommandResult {
    let cluster: String
    let topic: String
    let partition: Int32
    /// False on the embedded cluster: the mock has no ISR and no min.insync.replicas.
    let rejectionObservable: Bool
    /// Why the rejection cannot be seen here; null where it can.
    let note: String?
    /// The demo producer's settings (`MinIsrDemo.demoProducerSettings`).
    let producerProperties: PropertyValues
    let steps: [MinIsrDemo.DemoStep]

    func render(into out: Output) {
        out.line()
        if !rejectionObservable { out.line("What real Kafka shows, and the embedded cluster could not:") }
        out.line(MinIsrDemo.tradeOff)
        out.line(MinIsrDemo.keyQuestion)
    }
}

/// `isr watch`: one event, as it is seen. Its JSON has the keys every event has, then the
/// event's own (`left` and `isr` for a shrink, `from` and `to` for a leader change, ...), then
/// its text.
struct IsrWatchEventResult: CommandResult {
    /// A change found between the previous look and this watch's first: when it happened is unknown.
    struct SincePreviousLook: Encodable, Equatable {
        /// What the previous look was (`broker stop 2`, ...).
        let reason: String
        let agoMs: Int64
    }

    /// The wall-clock time it was seen (HH:mm:ss.SSS); null for a change since the previous look.
    let time: String?
    /// Since the watch began; null for a change since the previous look.
    let elapsedMs: Int64?
    let sincePreviousLook: SincePreviousLook?
    let event: ReplicationEvent
    /// The sentence the text prints (what kafkalab saw, on the mock too).
    let text: String

    enum CodingKeys: String, CodingKey {
        case time, elapsedMs, sincePreviousLook, kind, topic, partition, brokerId
        case left, joined, isr, from, to, lastLeader, leader, replicas, text
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(time, forKey: .time)
        try c.encodeIfPresent(elapsedMs, forKey: .elapsedMs)
        try c.encodeIfPresent(sincePreviousLook, forKey: .sincePreviousLook)
        try c.encode(event.kind, forKey: .kind)
        try c.encodeIfPresent(event.topic, forKey: .topic)
        try c.encodeIfPresent(event.partition, forKey: .partition)
        try c.encodeIfPresent(event.broker, forKey: .brokerId)
        switch event {
        case let .isrShrink(_, _, left, isr):
            try c.encode(left, forKey: .left)
            try c.encode(isr, forKey: .isr)
        case let .isrExpand(_, _, joined, isr):
            try c.encode(joined, forKey: .joined)
            try c.encode(isr, forKey: .isr)
        case let .leaderChange(_, _, from, to):
            try c.encode(from, forKey: .from)
            try c.encode(to, forKey: .to)
        case let .partitionOffline(_, _, last): try c.encode(last, forKey: .lastLeader)
        case let .partitionOnline(_, _, leader): try c.encode(leader, forKey: .leader)
        case let .replicasChanged(_, _, from, to):
            try c.encode(from, forKey: .from)
            try c.encode(to, forKey: .to)
        case let .partitionAppeared(_, _, leader, replicas):
            try c.encode(leader, forKey: .leader)
            try c.encode(replicas, forKey: .replicas)
        case .brokerGone, .brokerBack, .partitionRemoved: break
        }
        try c.encode(text, forKey: .text)
    }

    func render(into out: Output) {
        out.line((time.map(out.dim) ?? "  ") + "  " + text)
    }
}
