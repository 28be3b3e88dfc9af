import Testing

@testable import Lab

@Suite struct LagTableTests {
    private let offsets = [
        PartitionOffsets(topic: "orders", partition: 1, committed: 40, logEnd: 100),
        PartitionOffsets(topic: "orders", partition: 0, committed: 100, logEnd: 100),
        PartitionOffsets(topic: "audit", partition: 0, committed: nil, logStart: 20, logEnd: 75),
        PartitionOffsets(topic: "orders", partition: 2, committed: nil, logEnd: 30),
    ]

    @Test func rowsAreSortedAndLagIsEndMinusCommitted() {
        let table = LagTable(offsets)
        #expect(table.rows.map { "\($0.topic)/\($0.partition)" } == ["audit/0", "orders/0", "orders/1", "orders/2"])
        #expect(table.rows.map(\.lag) == [55, 0, 60, 30])
    }

    @Test func noCommitsMeansTheWholeRetainedLog() {
        let row = LagTable(offsets).rows[0]
        #expect(row.committed == nil && !row.hasCommit)
        #expect(row.lag == 75 - 20)
        #expect(LagFormat.committed(row.committed) == "no commits")
        #expect(LagFormat.committed(42) == "42")
    }

    @Test func totalsPerTopicAndForTheGroup() {
        let table = LagTable(offsets)
        #expect(table.totalLag == 145)
        let totals = table.topicTotals
        #expect(totals.map(\.topic) == ["audit", "orders"])
        #expect(totals.map(\.lag) == [55, 90])
        #expect(totals.map(\.partitions) == [1, 3])
        #expect(totals.map(\.partitionsWithoutCommit) == [1, 1])
        #expect(table.hasAnyCommit)
    }

    @Test func laggingOnlyDropsCaughtUpPartitionsAndItsTotalsFollow() {
        let lagging = LagTable(offsets).laggingOnly
        #expect(!lagging.rows.contains { $0.topic == "orders" && $0.partition == 0 })
        #expect(lagging.rows.count == 3)
        #expect(lagging.totalLag == 145)
        #expect(lagging.topicTotals.first { $0.topic == "orders" }?.partitions == 2)
    }

    @Test func aCommitAheadOfAStaleEndIsNoLag() {
        let table = LagTable([PartitionOffsets(topic: "t", partition: 0, committed: 12, logEnd: 10)])
        #expect(table.rows[0].lag == 0)
        #expect(table.laggingOnly.rows.isEmpty)
    }

    @Test func ownersAttachByTopicAndPartition() {
        let owner = PartitionOwner(memberId: "m-1", clientId: "c", host: "/10.0.0.1")
        let table = LagTable(offsets, owners: ["orders/1": owner])
        #expect(table.rows.first { $0.partition == 1 }?.owner == owner)
        #expect(table.rows.filter { $0.owner != nil }.count == 1)
    }
}

@Suite struct GroupPresenceTests {
    @Test func anyCommitProvesTheGroup() {
        #expect(
            GroupPresence.decide(anyCommit: true, description: .unsupported, joinedInThisSession: false) == .hasCommits)
        #expect(
            GroupPresence.decide(anyCommit: true, description: .state("Dead", members: 0), joinedInThisSession: false)
                == .hasCommits)
    }

    @Test func withoutCommitsOnTheEmbeddedClusterOnlyThisSessionCanVouch() {
        #expect(
            GroupPresence.decide(anyCommit: false, description: .unsupported, joinedInThisSession: false) == .unknown)
        guard
            case .noCommits = GroupPresence.decide(
                anyCommit: false, description: .unsupported, joinedInThisSession: true)
        else {
            Issue.record("a group this session joined is not unknown")
            return
        }
    }

    @Test func deadOrUnknownStateIsUnknownButALiveStateIsNoCommits() {
        #expect(
            GroupPresence.decide(anyCommit: false, description: .state("Dead", members: 0), joinedInThisSession: false)
                == .unknown)
        #expect(
            GroupPresence.decide(
                anyCommit: false, description: .state("Unknown", members: 0), joinedInThisSession: false) == .unknown)
        #expect(
            GroupPresence.decide(anyCommit: false, description: .failed("timed out"), joinedInThisSession: false)
                == .unknown)
        guard
            case .noCommits(let evidence) = GroupPresence.decide(
                anyCommit: false, description: .state("Stable", members: 2), joinedInThisSession: false)
        else {
            Issue.record("a Stable group is not unknown")
            return
        }
        #expect(evidence.contains("Stable") && evidence.contains("2 member"))
    }
}

@Suite struct LagFormatTests {
    @Test func ratesCarryTheirUnit() {
        #expect(LagFormat.rate(nil) == "—")
        #expect(LagFormat.rate(.nan) == "—")
        #expect(LagFormat.rate(0) == "0 msg/s")
        #expect(LagFormat.rate(13.333) == "13.3 msg/s")
        #expect(LagFormat.rate(250) == "250 msg/s")
        #expect(LagFormat.rate(1_500) == "1.5k msg/s")
        #expect(LagFormat.rate(-4.5) == "-4.5 msg/s")
    }

    @Test func durations() {
        #expect(LagFormat.duration(0.25) == "250ms")
        #expect(LagFormat.duration(4.25) == "4.2s" || LagFormat.duration(4.25) == "4.3s")
        #expect(LagFormat.duration(42) == "42s")
        #expect(LagFormat.duration(185) == "3m05s")
        #expect(LagFormat.duration(7_800) == "2h10m")
        #expect(LagFormat.duration(200_000) == "> 1 day")
        #expect(LagFormat.duration(.infinity) == "—")
    }

    private func samples(committed: [Int64?], end: [Int64]) -> [LagSample] {
        zip(committed, end).enumerated().map {
            LagSample(time: Double($0.offset), committed: $0.element.0, end: $0.element.1)
        }
    }

    @Test func drainWords() {
        #expect(LagFormat.drain(LagTrend(samples(committed: [100, 100], end: [100, 100]))) == "caught up")
        // Consumes 20/s, produces 10/s, 100 behind: 10 s.
        #expect(LagFormat.drain(LagTrend(samples(committed: [0, 20], end: [110, 120]))) == "~10s")
        #expect(LagFormat.drain(LagTrend(samples(committed: [0, 5], end: [100, 120]))) == "growing")
        #expect(LagFormat.drain(LagTrend(samples(committed: [7, 7], end: [50, 50]))) == "not draining")
        #expect(LagFormat.drain(LagTrend(samples(committed: [nil], end: [50]))) == "—")
        #expect(LagFormat.drainKeyword(LagTrend(samples(committed: [nil], end: [50]))) == "unknown")
        #expect(LagFormat.drainKeyword(LagTrend(samples(committed: [0, 20], end: [110, 120]))) == "draining")
        #expect(LagFormat.drainKeyword(LagTrend(samples(committed: [7, 7], end: [50, 50]))) == "not_draining")
    }
}

@Suite struct LagHistoryTests {
    private func record(_ history: inout LagHistory, at time: Double, _ p0: (Int64?, Int64), _ p1: (Int64?, Int64)) {
        history.record(
            [
                PartitionOffsets(topic: "t", partition: 0, committed: p0.0, logEnd: p0.1),
                PartitionOffsets(topic: "t", partition: 1, committed: p1.0, logEnd: p1.1),
            ], at: time)
    }

    @Test func eachPartitionGetsItsOwnVerdictAndTheGroupItsWorst() {
        var history = LagHistory()
        // p0 keeps up; p1's offset is stuck at 10 while its log grows.
        for i in 0..<6 {
            let t = Double(i)
            record(&history, at: t, (Int64(10 * i), Int64(10 * i)), (10, 20 + Int64(5 * i)))
        }
        let report = history.report(evaluator: LagEvaluator(windowSize: 4, minimumSamples: 3))
        #expect(report.samples == 6)
        #expect(report.partitions.map(\.evaluation.status) == [.ok, .stop])
        #expect(report.groupStatus == .err)
        #expect(report.totalLag == 0 + (45 - 10))
        #expect(report.partitions[1].trend.consumptionRate == 0)
        #expect(report.partitions[1].trend.productionRate == 5)
        #expect(report.partitions[1].sparkline.count == 6)
    }

    @Test func groupSamplesSumThePartitionsAndCountUncommittedFromLogStart() {
        var history = LagHistory()
        record(&history, at: 0, (nil, 10), (nil, 4))
        record(&history, at: 1, (5, 20), (nil, 8))
        let group = history.groupSamples
        #expect(group.count == 2)
        #expect(group[0].committed == nil)
        #expect(group[0].lag == 14)
        #expect(group[1].committed == 5)
        #expect(group[1].end == 28)
        #expect(group[1].lag == 23)
    }

    @Test func summaryCountsGroupStatusesAndRemembersEachPartitionsPath() {
        var history = LagHistory()
        var summary = LagWatchSummary()
        let evaluator = LagEvaluator(windowSize: 3, minimumSamples: 3)
        // Lag grows for four samples (WARN once three are in), then the offset freezes.
        let committed: [Int64] = [0, 5, 10, 15, 15, 15, 15]
        for (i, c) in committed.enumerated() {
            record(&history, at: Double(i), (c, 20 * Int64(i + 1)), (0, 0))
            summary.record(history.report(evaluator: evaluator))
        }
        #expect(summary.samples == 7)
        let path = summary.partitionStatusesSeen[LagHistory.Key(topic: "t", partition: 0)] ?? []
        #expect(path.first == .ok)
        #expect(path.contains(.warn))
        #expect(path.last == .stop)
        #expect(summary.groupStatusCounts[.ok] == 2)
        #expect(summary.groupStatusLine.hasPrefix("OK 2, WARN"))
        #expect(summary.maxTotalLag == 140 - 15)
    }
}

@Suite struct LagDemoScriptTests {
    @Test func phasesFollowEachOtherAndTheLastOneHolds() {
        let script = LagDemoScript(rate: 30, phaseLength: 10, stopLength: 5)
        #expect(script.phases.map(\.name) == ["slow", "fast", "stopped"])
        #expect(script.phases.map(\.consumeRate) == [10, 150, 0])
        #expect(script.totalLength == 25)
        #expect(script.phase(at: 0).name == "slow")
        #expect(script.phase(at: 10).name == "fast")
        #expect(script.phase(at: 24.9).name == "stopped")
        #expect(script.phase(at: 99).name == "stopped")
        #expect(script.start(of: 2) == 20)
        #expect(script.joining.consumeRate == script.phases[0].consumeRate)
    }
}

@Suite struct LagDemoProgressTests {
    static func report(_ status: GroupLagStatus, lag: Int64) -> LagWatchReport {
        LagWatchReport(
            time: 0, samples: 1, partitions: [], groupStatus: status, totalLag: lag, groupSparkline: "",
            groupTrend: LagTrend([]))
    }

    /// A phase ends once its lesson held for `hold` samples in a row, or at its length.
    @Test func aPhaseEndsOnceItsLessonHeldForAWindowOrAtItsLength() {
        let script = LagDemoScript(rate: 30, phaseLength: 10, stopLength: 5)
        var p = LagDemoScript.Progress(script: script, hold: 3, startedAt: 0)
        #expect(p.phase.name == "slow")
        p.sampled(Self.report(.warn, lag: 5), at: 1)
        p.sampled(Self.report(.warn, lag: 6), at: 2)
        p.sampled(Self.report(.ok, lag: 7), at: 3)  // broken: counts again from 0
        p.sampled(Self.report(.warn, lag: 8), at: 4)
        p.sampled(Self.report(.warn, lag: 9), at: 5)
        #expect(p.phase.name == "slow")
        p.sampled(Self.report(.warn, lag: 10), at: 6)
        #expect(p.phase.name == "fast")
        // OK with lag left to read is not yet the fast phase's lesson.
        for t in 7...9 { p.sampled(Self.report(.ok, lag: 4), at: Double(t)) }
        #expect(p.phase.name == "fast")
        p.tick(at: 15.9)
        #expect(p.phase.name == "fast")
        p.tick(at: 16)  // its length, 10 s since 6
        #expect(p.phase.name == "stopped" && !p.isOver)
        p.tick(at: 21)
        #expect(p.isOver)
    }
}
