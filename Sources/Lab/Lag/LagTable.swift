/// What the cluster said about one partition for a consumer group: the coordinator's
/// committed offset and the leader's watermarks, fetched separately.
struct PartitionOffsets: Sendable, Equatable {
    var topic: String
    var partition: Int32
    /// nil when the group has committed nothing on this partition.
    var committed: Int64?
    var logStart: Int64
    var logEnd: Int64

    init(topic: String, partition: Int32, committed: Int64?, logStart: Int64 = 0, logEnd: Int64) {
        self.topic = topic
        self.partition = partition
        self.committed = committed
        self.logStart = logStart
        self.logEnd = logEnd
    }

    /// The same facts as a sample for the lag evaluator.
    func sample(at time: Double) -> LagSample {
        LagSample(time: time, committed: committed, end: logEnd, lowWatermark: logStart)
    }
}

/// The group member that owns a partition, as DescribeGroups reports it (real Kafka only).
struct PartitionOwner: Sendable, Equatable {
    var memberId: String
    var clientId: String
    var host: String

    init(memberId: String, clientId: String, host: String) {
        self.memberId = memberId
        self.clientId = clientId
        self.host = host
    }
}

/// One row of `lag`: the columns of `kafka-consumer-groups --describe`.
struct LagRow: Sendable, Equatable {
    var topic: String
    var partition: Int32
    var committed: Int64?
    var logEnd: Int64
    /// end - committed; without a commit, the whole retained log (what a new member
    /// with auto.offset.reset=earliest would still have to read).
    var lag: Int64
    var owner: PartitionOwner?

    var hasCommit: Bool { committed != nil }
}

/// Lag of one topic, summed over its partitions.
struct TopicLagTotal: Sendable, Equatable, Encodable {
    var topic: String
    var partitions: Int
    var lag: Int64
    /// Partitions where the group has no committed offset.
    var partitionsWithoutCommit: Int
}

/// The `lag` table: rows per partition, totals per topic and for the group.
struct LagTable: Sendable, Equatable {
    var rows: [LagRow]

    /// Builds rows in topic/partition order. `owners` maps "topic/partition" owners where
    /// the cluster can describe the group; missing entries mean no owner is known.
    init(_ offsets: [PartitionOffsets], owners: [String: PartitionOwner] = [:]) {
        rows = offsets.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }.map { o in
            LagRow(
                topic: o.topic, partition: o.partition, committed: o.committed, logEnd: o.logEnd,
                lag: o.sample(at: 0).lag, owner: owners["\(o.topic)/\(o.partition)"])
        }
    }

    private init(rows: [LagRow]) { self.rows = rows }

    /// Only the partitions with lag (`--lagging`); totals follow the filter.
    var laggingOnly: LagTable { LagTable(rows: rows.filter { $0.lag > 0 }) }

    var totalLag: Int64 { rows.reduce(0) { $0 + $1.lag } }

    /// True when at least one partition carries a committed offset.
    var hasAnyCommit: Bool { rows.contains(where: \.hasCommit) }

    var topicTotals: [TopicLagTotal] {
        var order: [String] = []
        var totals: [String: TopicLagTotal] = [:]
        for row in rows {
            if totals[row.topic] == nil {
                order.append(row.topic)
                totals[row.topic] = TopicLagTotal(topic: row.topic, partitions: 0, lag: 0, partitionsWithoutCommit: 0)
            }
            totals[row.topic]!.partitions += 1
            totals[row.topic]!.lag += row.lag
            if !row.hasCommit { totals[row.topic]!.partitionsWithoutCommit += 1 }
        }
        return order.map { totals[$0]! }
    }
}

/// Whether a group name refers to a group at all. With no ListGroups on the embedded
/// cluster, "unknown" can only be inferred: nothing committed on the partitions
/// checked, and nothing else (DescribeGroups, this session's own consumers) vouching for it.
enum GroupPresence: Sendable, Equatable {
    /// The group has committed offsets on at least one partition checked.
    case hasCommits
    /// The group exists but has committed nothing on the partitions checked;
    /// `evidence` says what showed it exists.
    case noCommits(evidence: String)
    /// Nothing shows the group exists.
    case unknown

    /// What DescribeGroups said about the group.
    enum Description: Sendable, Equatable {
        /// The cluster has no DescribeGroups (the embedded cluster).
        case unsupported
        /// The coordinator's state name (librdkafka's: Stable, Empty, Dead, Unknown, ...)
        /// and how many members the group has.
        case state(String, members: Int)
        /// The call failed for another reason; the text says why.
        case failed(String)
    }

    static func decide(anyCommit: Bool, description: Description, joinedInThisSession: Bool) -> GroupPresence {
        if anyCommit { return .hasCommits }
        if case .state(let state, let members) = description, !["Dead", "Unknown"].contains(state) {
            return .noCommits(evidence: "the coordinator reports it \(state) with \(members) member(s)")
        }
        if joinedInThisSession {
            return .noCommits(evidence: "a consumer of this session joined it")
        }
        return .unknown
    }
}

/// Formatting of lag figures, shared by `lag`, `lag watch` and `lag demo`.
enum LagFormat {
    /// A message rate: "12.5 msg/s", "1.2k msg/s", "—" when unknown.
    static func rate(_ perSecond: Double?) -> String {
        guard let r = perSecond, r.isFinite else { return "—" }
        let magnitude = abs(r)
        if magnitude >= 10_000 { return String(format: "%.0fk msg/s", r / 1000) }
        if magnitude >= 1_000 { return String(format: "%.1fk msg/s", r / 1000) }
        if magnitude >= 100 || r == r.rounded() { return String(format: "%.0f msg/s", r) }
        return String(format: "%.1f msg/s", r)
    }

    /// Time to drain: "caught up", "growing" (production outpaces consumption), "not draining"
    /// (both equal, e.g. both stopped), "—" without enough samples, else a duration.
    static func drain(_ trend: LagTrend) -> String {
        switch trend.drain {
        case .caughtUp: return "caught up"
        case .growing:
            // LagTrend calls every non-shrinking lag "growing"; a flat one deserves its own word.
            if let c = trend.consumptionRate, let p = trend.productionRate, p <= c { return "not draining" }
            return "growing"
        case .unknown: return "—"
        case .inSeconds(let s): return "~" + duration(s)
        }
    }

    /// The drain state as a stable word for JSON: caught_up, draining, growing,
    /// not_draining or unknown (the seconds go in their own field).
    static func drainKeyword(_ trend: LagTrend) -> String {
        switch drain(trend) {
        case "caught up": return "caught_up"
        case "growing": return "growing"
        case "not draining": return "not_draining"
        case "—": return "unknown"
        default: return "draining"
        }
    }

    /// A duration for people: 850ms, 4.2s, 12s, 3m05s, 2h10m, "> 1 day".
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "—" }
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds < 10 { return String(format: "%.1fs", seconds) }
        if seconds < 60 { return "\(Int(seconds.rounded()))s" }
        if seconds < 3600 {
            let s = Int(seconds.rounded())
            return String(format: "%dm%02ds", s / 60, s % 60)
        }
        if seconds < 86_400 {
            let m = Int((seconds / 60).rounded())
            return String(format: "%dh%02dm", m / 60, m % 60)
        }
        return "> 1 day"
    }

    /// The committed-offset cell: the offset, or "no commits".
    static func committed(_ offset: Int64?) -> String {
        offset.map(String.init) ?? "no commits"
    }
}
