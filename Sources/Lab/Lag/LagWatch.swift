/// Per-partition lag history gathered by `lag watch`, and what it says at each sample.
///
/// The evaluator is handed each partition's whole history (not just the window) so that
/// STOP can see how long a committed offset has been stuck; `now` is the time of the
/// latest sample, so a verdict never depends on how late the screen is redrawn.
struct LagHistory: Sendable {
    struct Key: Sendable, Hashable, Comparable {
        var topic: String
        var partition: Int32
        init(topic: String, partition: Int32) {
            self.topic = topic
            self.partition = partition
        }
        static func < (a: Key, b: Key) -> Bool { (a.topic, a.partition) < (b.topic, b.partition) }
    }

    /// Samples kept per partition; about two hours at the default 2 s interval, which is
    /// far longer than any window, so dropping older ones cannot change a verdict except
    /// how long a STOP has lasted.
    static let retainedSamples = 4_096

    private(set) var samples: [Key: [LagSample]] = [:]
    private(set) var sampleTimes: [Double] = []

    init() {}

    var keys: [Key] { samples.keys.sorted() }

    mutating func record(_ offsets: [PartitionOffsets], at time: Double) {
        sampleTimes.append(time)
        if sampleTimes.count > Self.retainedSamples { sampleTimes.removeFirst() }
        for o in offsets {
            let key = Key(topic: o.topic, partition: o.partition)
            samples[key, default: []].append(o.sample(at: time))
            if samples[key]!.count > Self.retainedSamples { samples[key]!.removeFirst() }
        }
    }

    /// The group's samples as one partition: offsets summed at each sample time, so the
    /// group's rates and drain time come from the same arithmetic as a partition's.
    /// A partition without a commit counts from its log start, as its lag does.
    var groupSamples: [LagSample] {
        let series = samples.values
        return sampleTimes.map { time in
            var committed: Int64 = 0, end: Int64 = 0, low: Int64 = 0
            var anyCommit = false
            for history in series {
                guard let s = history.last(where: { $0.time == time }) else { continue }
                anyCommit = anyCommit || s.committed != nil
                committed += s.committed ?? s.lowWatermark
                end += s.end
                low += s.lowWatermark
            }
            return LagSample(time: time, committed: anyCommit ? committed : nil, end: end, lowWatermark: low)
        }
    }

    /// What the history says as of its latest sample.
    func report(evaluator: LagEvaluator, sparklineWidth: Int = 20) -> LagWatchReport {
        let partitions = keys.map { key -> LagWatchReport.Partition in
            let history = samples[key]!
            let now = history.last?.time ?? 0
            let recent = Array(history.suffix(evaluator.windowSize))
            return LagWatchReport.Partition(
                topic: key.topic, partition: key.partition,
                committed: history.last?.committed, logEnd: history.last?.end ?? 0,
                lag: history.last?.lag ?? 0,
                sparkline: Sparkline.render(history.map { Double($0.lag) }, width: sparklineWidth),
                trend: LagTrend(recent),
                evaluation: evaluator.evaluation(of: history, now: now))
        }
        let group = groupSamples
        return LagWatchReport(
            time: sampleTimes.last ?? 0,
            samples: sampleTimes.count,
            partitions: partitions,
            groupStatus: evaluator.groupStatus(partitions.map(\.evaluation.status)),
            totalLag: partitions.reduce(0) { $0 + $1.lag },
            groupSparkline: Sparkline.render(group.map { Double($0.lag) }, width: sparklineWidth),
            groupTrend: LagTrend(Array(group.suffix(evaluator.windowSize))))
    }
}

/// One sample of `lag watch`: per partition and for the group.
struct LagWatchReport: Sendable, Equatable {
    struct Partition: Sendable, Equatable {
        var topic: String
        var partition: Int32
        var committed: Int64?
        var logEnd: Int64
        var lag: Int64
        var sparkline: String
        var trend: LagTrend
        var evaluation: LagEvaluation
    }

    /// Seconds since the watch started.
    var time: Double
    var samples: Int
    var partitions: [Partition]
    var groupStatus: GroupLagStatus
    var totalLag: Int64
    var groupSparkline: String
    var groupTrend: LagTrend
}

/// What a whole `lag watch` run saw, for its closing summary.
struct LagWatchSummary: Sendable, Equatable {
    private(set) var samples = 0
    private(set) var maxTotalLag: Int64 = 0
    /// How many samples the group spent in each status.
    private(set) var groupStatusCounts: [GroupLagStatus: Int] = [:]
    /// Every partition status seen at least once, per partition, in first-seen order.
    private(set) var partitionStatusesSeen: [LagHistory.Key: [PartitionLagStatus]] = [:]
    private(set) var last: LagWatchReport?

    init() {}

    mutating func record(_ report: LagWatchReport) {
        samples += 1
        maxTotalLag = max(maxTotalLag, report.totalLag)
        groupStatusCounts[report.groupStatus, default: 0] += 1
        for p in report.partitions {
            let key = LagHistory.Key(topic: p.topic, partition: p.partition)
            if !(partitionStatusesSeen[key] ?? []).contains(p.evaluation.status) {
                partitionStatusesSeen[key, default: []].append(p.evaluation.status)
            }
        }
        last = report
    }

    /// "OK 12, WARN 5, ERR 3" in severity order, statuses never seen left out.
    var groupStatusLine: String {
        GroupLagStatus.allCases.compactMap { s in groupStatusCounts[s].map { "\(s.rawValue) \($0)" } }
            .joined(separator: ", ")
    }
}
