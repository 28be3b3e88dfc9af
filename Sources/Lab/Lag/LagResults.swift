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

/// The rates and drain time `lag watch` shows for a partition and for the group, as figures; the
/// text is drawn from these same figures.
protocol LagTrendFigures {
    var consumptionPerSec: Double? { get }
    var productionPerSec: Double? { get }
    /// Nil while the lag grows or too few samples were taken (`drain` says which).
    var timeToDrainMs: Double? { get }
    /// caught_up, draining, growing, not_draining or unknown (`LagFormat.drainKeyword`).
    var drain: String { get }
}

extension LagTrendFigures {
    /// The DRAIN cell: "caught up", "~4.2s", "growing", "not draining" or "—".
    var drainText: String {
        switch drain {
        case "caught_up": return "caught up"
        case "growing": return "growing"
        case "not_draining": return "not draining"
        case "draining": return timeToDrainMs.map { "~" + LagFormat.duration($0 / 1000) } ?? "—"
        default: return "—"
        }
    }
}

/// One sample of `lag watch` (and of `lag demo`'s watch): lag, rates, drain time and status per
/// partition and for the group. Streamed: a block of text, or one JSON document, per sample.
struct LagWatchSampleResult: CommandResult, LagTrendFigures {
    struct Partition: Encodable, Equatable, LagTrendFigures {
        let topic: String
        let partition: Int32
        let committed: Int64?
        let logEnd: Int64
        let lag: Int64
        let status: String
        let reason: String
        let consumptionPerSec: Double?
        let productionPerSec: Double?
        let timeToDrainMs: Double?
        let drain: String
        /// The lag over the samples so far, drawn for the text.
        let sparkline: String

        enum CodingKeys: String, CodingKey {
            case topic, partition, committed, logEnd, lag, status, reason, consumptionPerSec, productionPerSec
            case timeToDrainMs, drain
        }

        init(_ p: LagWatchReport.Partition) {
            topic = p.topic
            partition = p.partition
            committed = p.committed
            logEnd = p.logEnd
            lag = p.lag
            status = p.evaluation.status.rawValue
            reason = p.evaluation.reason
            consumptionPerSec = p.trend.consumptionRate
            productionPerSec = p.trend.productionRate
            timeToDrainMs = p.trend.secondsToDrain.map { $0 * 1000 }
            drain = LagFormat.drainKeyword(p.trend)
            sparkline = p.sparkline
        }
    }

    let group: String
    let elapsedMs: Double
    /// The sample's number, from 1.
    let sample: Int
    /// The group's status: OK, WARN or ERR.
    let status: String
    let totalLag: Int64
    let consumptionPerSec: Double?
    let productionPerSec: Double?
    let timeToDrainMs: Double?
    let drain: String
    /// `lag demo`'s phase at this sample; nil for `lag watch` (the text announces a phase once, as it starts).
    let phase: String?
    let partitions: [Partition]
    /// The group's lag over the samples so far, drawn for the text.
    let groupSparkline: String

    enum CodingKeys: String, CodingKey {
        case group, elapsedMs, sample, status, totalLag, consumptionPerSec, productionPerSec, timeToDrainMs, drain
        case phase, partitions
    }

    init(_ r: LagWatchReport, group: String, phase: String?) {
        self.group = group
        elapsedMs = r.time * 1000
        sample = r.samples
        status = r.groupStatus.rawValue
        totalLag = r.totalLag
        consumptionPerSec = r.groupTrend.consumptionRate
        productionPerSec = r.groupTrend.productionRate
        timeToDrainMs = r.groupTrend.secondsToDrain.map { $0 * 1000 }
        drain = LagFormat.drainKeyword(r.groupTrend)
        self.phase = phase
        partitions = r.partitions.map(Partition.init)
        groupSparkline = r.groupSparkline
    }

    func render(into output: Output) { output.line(block(for: output)) }

    /// The sample as one block of lines: `lag watch` redraws it in place at a terminal.
    func block(for output: Output) -> String {
        var t = TextTable(
            headers: ["TOPIC", "PARTITION", "LAG", "RECENT LAG", "CONSUMED", "PRODUCED", "DRAIN", "STATUS", "WHY"],
            alignments: [.left, .right, .right, .left, .right, .right, .right, .left, .left])
        for p in partitions {
            // No commit, nothing to judge: not OK beside a group that is ERR (issue 28 item 6).
            let judged = p.committed != nil
            t.append([
                p.topic, "\(p.partition)", "\(p.lag)" + (judged ? "" : " (no commits)"), p.sparkline,
                LagFormat.rate(p.consumptionPerSec), LagFormat.rate(p.productionPerSec), p.drainText,
                judged ? p.status : "-", judged ? p.reason : "the group has committed nothing here: nothing to judge",
            ])
        }
        t.append([
            "(group)", "", "\(totalLag)", groupSparkline, LagFormat.rate(consumptionPerSec),
            LagFormat.rate(productionPerSec), drainText, status, "",
        ])
        let coloured: String
        switch status {
        case "OK": coloured = output.green(status)
        case "WARN": coloured = output.yellow(status)
        default: coloured = output.red(status)
        }
        let header =
            "group \(group)  t=\(LagFormat.duration(elapsedMs / 1000))  sample \(sample)  status \(coloured)  lag \(totalLag)"
        return output.bold(header) + "\n" + t.render(bold: output.isTerminal)
    }
}

/// The closing summary of `lag watch`: how long it watched, the group's status per sample, and
/// what each partition went through.
struct LagWatchSummaryResult: CommandResult {
    /// How many samples the group spent in each status.
    struct StatusCounts: Encodable, Equatable {
        let ok: Int
        let warn: Int
        let err: Int
    }

    struct Partition: Encodable, Equatable {
        let topic: String
        let partition: Int32
        /// Every status the partition had, in first-seen order.
        let statusesSeen: [String]
        let finalStatus: String
        let reason: String
        let lag: Int64
    }

    let group: String
    let summary = true
    let durationMs: Double
    let samples: Int
    /// Why the watch ended: "ran for 60s", "interrupted (Ctrl-C)", "finished".
    let stopped: String
    let groupStatusCounts: StatusCounts
    let maxTotalLag: Int64
    /// Nil when no sample was taken.
    let finalStatus: String?
    let finalTotalLag: Int64?
    let partitions: [Partition]

    init(group: String, durationMs: Double, stopped: String, summary s: LagWatchSummary) {
        self.group = group
        self.durationMs = durationMs
        self.stopped = stopped
        samples = s.samples
        groupStatusCounts = StatusCounts(
            ok: s.groupStatusCounts[.ok] ?? 0, warn: s.groupStatusCounts[.warn] ?? 0,
            err: s.groupStatusCounts[.err] ?? 0)
        maxTotalLag = s.maxTotalLag
        finalStatus = s.last?.groupStatus.rawValue
        finalTotalLag = s.last?.totalLag
        partitions = (s.last?.partitions ?? []).map { p in
            Partition(
                topic: p.topic, partition: p.partition,
                statusesSeen: (s.partitionStatusesSeen[LagHistory.Key(topic: p.topic, partition: p.partition)] ?? [])
                    .map(\.rawValue),
                finalStatus: p.evaluation.status.rawValue, reason: p.evaluation.reason, lag: p.lag)
        }
    }

    init(
        group: String, durationMs: Double, samples: Int, stopped: String, groupStatusCounts: StatusCounts,
        maxTotalLag: Int64, finalStatus: String?, finalTotalLag: Int64?, partitions: [Partition]
    ) {
        self.group = group
        self.durationMs = durationMs
        self.samples = samples
        self.stopped = stopped
        self.groupStatusCounts = groupStatusCounts
        self.maxTotalLag = maxTotalLag
        self.finalStatus = finalStatus
        self.finalTotalLag = finalTotalLag
        self.partitions = partitions
    }

    func render(into output: Output) {
        output.line(
            "watched group \(group) for \(LagFormat.duration(durationMs / 1000)), \(samples) sample(s), \(stopped)")
        guard let finalStatus else { return }
        // In severity order, statuses never seen left out.
        let counts = [("OK", groupStatusCounts.ok), ("WARN", groupStatusCounts.warn), ("ERR", groupStatusCounts.err)]
        let perSample = counts.filter { $0.1 > 0 }.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        output.line(
            "group status per sample: \(perSample); max total lag \(maxTotalLag); now \(finalStatus) with lag \(finalTotalLag ?? 0)"
        )
        for p in partitions {
            output.line(
                "  \(p.topic)/\(p.partition): \(p.statusesSeen.joined(separator: " → ")); now \(p.finalStatus) (\(p.reason)), lag \(p.lag)"
            )
        }
    }
}

/// `lag demo`: what the watch saw in each phase of the consumer (slow, fast, stopped), the
/// largest lag each partition carried, and the watch's own summary.
struct LagDemoResult: CommandResult {
    struct Phase: Encodable, Equatable {
        let phase: String
        /// Messages per second the consumer read in this phase; 0 when it stopped.
        let consumePerSec: Double
        /// The group statuses the samples of this phase showed, in first-seen order.
        let groupStatusesSeen: [String]
        let lesson: String
    }

    struct PartitionMaximum: Encodable, Equatable {
        let partition: Int32
        let maxLag: Int64
    }

    let demo = true
    let topic: String
    let group: String
    let producePerSec: Double
    let phases: [Phase]
    let samples: Int
    let maxTotalLag: Int64
    let maxLagByPartition: [PartitionMaximum]
    let finalStatus: String?
    /// When the consumer got its partitions, since the start; nil if it never did.
    let joinedAfterMs: Double?
    /// The watch's closing summary, as `lag watch` reports it.
    let watch: LagWatchSummaryResult
    /// The cluster can describe groups, so `lag <group>` would name each partition's owner.
    let ownersVisible: Bool

    enum CodingKeys: String, CodingKey {
        case demo, topic, group, producePerSec, phases, samples, maxTotalLag, maxLagByPartition, finalStatus
        case joinedAfterMs, watch
    }

    func render(into output: Output) {
        watch.render(into: output)
        output.line("what each phase showed (group status per sample):")
        for p in phases {
            output.line(
                "  \(p.phase): \(p.groupStatusesSeen.isEmpty ? "not reached" : p.groupStatusesSeen.joined(separator: " → ")) — \(p.lesson)"
            )
        }
        let lagging = maxLagByPartition.filter { $0.maxLag > 0 }
        output.line(
            "largest lag per partition: "
                + maxLagByPartition.map { "p\($0.partition) \($0.maxLag)" }.joined(separator: ", ")
                + " (\(lagging.count) of \(maxLagByPartition.count) partitions carried lag; the keys decide how much each gets)"
        )
        if let joinedAfterMs {
            output.hint(
                "the consumer got its partitions \(LagFormat.duration(joinedAfterMs / 1000)) after the start (group join)"
            )
        }
        if ownersVisible {
            output.hint(
                "on real Kafka `lag \(group)` also shows the member, host and client id owning each partition while the demo runs"
            )
        }
    }
}
