/// The typed results of the lag lab: each renders its own text, and its JSON is its encoding
/// (`CommandResult`), so the two carry the same figures.

/// `groups`: the cluster's consumer groups, with their state and member count.
struct GroupListResult: CommandResult {
    struct Group: Encodable, Equatable {
        let group: String
        let state: String
        /// Nil where DescribeGroups did not answer for this group.
        let members: Int?
        /// A "simple" group only commits offsets (no members, no assignment).
        let simple: Bool
    }

    let groups: [Group]

    func render(into output: Output) {
        guard !groups.isEmpty else {
            output.line("no consumer groups on this cluster")
            return
        }
        var t = TextTable(headers: ["GROUP", "STATE", "MEMBERS", "TYPE"], alignments: [.left, .left, .right, .left])
        for g in groups {
            t.append([g.group, g.state, g.members.map(String.init) ?? "?", g.simple ? "simple" : "consumer"])
        }
        output.table(t)
    }
}

/// `lag <group>`: committed offset, log end and lag per partition (with the owning member where
/// the cluster can describe the group), the totals per topic and for the group.
struct LagResult: CommandResult {
    struct Partition: Encodable, Equatable {
        let topic: String
        let partition: Int32
        /// Nil: the group has committed nothing here, and the lag is the whole retained log.
        let committed: Int64?
        let logEnd: Int64
        let lag: Int64
        let noCommits: Bool
        /// The owner, where DescribeGroups named one.
        let memberID: String?
        let host: String?
        let clientID: String?

        init(_ row: LagRow) {
            topic = row.topic
            partition = row.partition
            committed = row.committed
            logEnd = row.logEnd
            lag = row.lag
            noCommits = !row.hasCommit
            memberID = row.owner?.memberId
            host = row.owner?.host
            clientID = row.owner?.clientId
        }
    }

    let group: String
    let topics: [String]
    /// Where the topics came from (--topic, the group's commits, its members' assignment).
    let topicsFrom: String
    /// DescribeGroups' state; nil where the cluster cannot describe groups or the call failed.
    let groupState: String?
    /// --lagging: `partitions` and the totals hold only the partitions with lag.
    let laggingOnly: Bool
    let partitions: [Partition]
    let topicTotals: [TopicLagTotal]
    let totalLag: Int64
    /// Every partition looked at, lagging or not.
    let partitionsChecked: Int
    /// The cluster has no DescribeGroups (the embedded cluster), so no owner can be known.
    let ownersUnknown: Bool
    /// --all: the whole table at a terminal, however long.
    let showAll: Bool

    enum CodingKeys: String, CodingKey {
        case group, topics, topicsFrom, groupState, laggingOnly, partitions, topicTotals, totalLag, partitionsChecked
    }

    func render(into output: Output) {
        output.hint("group \(group): \(topicsFrom)")
        if partitions.isEmpty {
            output.line("no partition of group \(group) lags (\(partitionsChecked) partition(s) checked, total lag 0)")
        } else {
            var t = TextTable(
                headers: [
                    "GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST",
                    "CLIENT-ID",
                ],
                alignments: [.left, .left, .right, .right, .right, .right, .left, .left, .left])
            for r in partitions {
                t.append([
                    group, r.topic, "\(r.partition)", LagFormat.committed(r.committed), "\(r.logEnd)", "\(r.lag)",
                    r.memberID ?? "-", r.host ?? "-", r.clientID ?? "-",
                ])
            }
            output.longTable(t, all: showAll, noun: "partitions")
            for total in topicTotals {
                var line = "\(total.topic): lag \(total.lag) message(s) over \(total.partitions) partition(s)"
                if total.partitionsWithoutCommit > 0 { line += ", \(total.partitionsWithoutCommit) with no commits" }
                output.line(line)
            }
            output.line(
                "group \(group): total lag \(totalLag) message(s)"
                    + (laggingOnly ? " on \(partitions.count) lagging of \(partitionsChecked) partition(s)" : ""))
        }
        if ownersUnknown {
            output.hint(
                "embedded: no DescribeGroups, so member, host and client id are unknown (\"-\"); the compose cluster shows them"
            )
        }
    }
}
