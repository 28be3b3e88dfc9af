import Testing

@testable import Lab

private func state(_ topic: String, _ partition: Int32, isr: [Int32]) -> PartitionState {
    PartitionState(topic: topic, partition: partition, leader: isr.first ?? -1, replicas: [1, 2, 3], isr: isr)
}

/// Feeds snapshots the way `isr watch` would: each one diffed against the one before.
private func watch(_ snapshots: [ReplicationSnapshot]) -> ReplicationWatchSummary {
    var summary = ReplicationWatchSummary()
    var previous: ReplicationSnapshot?
    for snapshot in snapshots {
        let events = previous.map { replicationEvents(from: $0, to: snapshot) } ?? []
        summary.record(snapshot: snapshot, events: events)
        previous = snapshot
    }
    return summary
}

@Suite struct ReplicationWatchSummaryTests {
    @Test func countsEventsByKind() {
        let summary = watch([
            ReplicationSnapshot(
                time: 0, brokers: [1, 2, 3],
                partitions: [state("a", 0, isr: [1, 2, 3]), state("a", 1, isr: [1, 2, 3])]),
            ReplicationSnapshot(
                time: 5, brokers: [1, 3], partitions: [state("a", 0, isr: [1, 3]), state("a", 1, isr: [1, 3])]),
            ReplicationSnapshot(
                time: 10, brokers: [1, 2, 3], partitions: [state("a", 0, isr: [1, 2, 3]), state("a", 1, isr: [1, 3])]),
        ])
        #expect(summary.eventCounts == ["broker-gone": 1, "isr-shrink": 2, "broker-back": 1, "isr-expand": 1])
        #expect(summary.totalEvents == 5)
        #expect(summary.orderedEventCounts.map(\.kind) == ["broker-gone", "broker-back", "isr-shrink", "isr-expand"])
        #expect(summary.snapshotsRecorded == 3)
        #expect(summary.watchedSeconds == 10)
    }

    @Test func reportsLongestOfSeveralPeriodsAndOmitsHealthyPartitions() {
        let isrOverTime: [(Double, [Int32])] = [
            (0, [1, 2, 3]), (2, [1, 3]), (4, [1, 2, 3]),  // 2 s under-replicated
            (6, [1]), (9, [1, 3]), (13, [1, 2, 3]), (15, [1, 2, 3]),  // 7 s under-replicated
        ]
        let summary = watch(
            isrOverTime.map { time, isr in
                ReplicationSnapshot(
                    time: time, brokers: [1, 2, 3],
                    partitions: [state("a", 0, isr: isr), state("b", 0, isr: [1, 2, 3])])
            })
        #expect(
            summary.underReplicated == [
                .init(topic: "a", partition: 0, longestSeconds: 7, periods: 2, stillUnderReplicated: false)
            ])
    }

    @Test func openPeriodCountsUpToFinishTime() {
        var summary = watch([
            ReplicationSnapshot(time: 0, brokers: [1, 2, 3], partitions: [state("a", 0, isr: [1, 2, 3])]),
            ReplicationSnapshot(time: 10, brokers: [1, 3], partitions: [state("a", 0, isr: [1, 3])]),
            ReplicationSnapshot(time: 20, brokers: [1, 3], partitions: [state("a", 0, isr: [1, 3])]),
        ])
        // Before finishing, an open period is measured up to the latest snapshot.
        #expect(summary.underReplicated.first?.longestSeconds == 10)

        summary.finish(at: 32.5)
        #expect(
            summary.underReplicated == [
                .init(topic: "a", partition: 0, longestSeconds: 22.5, periods: 1, stillUnderReplicated: true)
            ])
        #expect(summary.watchedSeconds == 32.5)
    }

    @Test func openPeriodShorterThanAnEarlierClosedOneDoesNotWin() {
        var summary = watch([
            ReplicationSnapshot(time: 0, brokers: [1, 2, 3], partitions: [state("a", 0, isr: [1, 3])]),
            ReplicationSnapshot(time: 30, brokers: [1, 2, 3], partitions: [state("a", 0, isr: [1, 2, 3])]),
            ReplicationSnapshot(time: 40, brokers: [1, 2, 3], partitions: [state("a", 0, isr: [1])]),
        ])
        summary.finish(at: 45)
        #expect(
            summary.underReplicated == [
                .init(topic: "a", partition: 0, longestSeconds: 30, periods: 2, stillUnderReplicated: true)
            ])
    }

    @Test func partitionDroppedFromMetadataEndsItsPeriod() {
        var summary = watch([
            ReplicationSnapshot(time: 0, brokers: [1, 2, 3], partitions: [state("a", 0, isr: [1])]),
            ReplicationSnapshot(time: 4, brokers: [1, 2, 3], partitions: []),
            ReplicationSnapshot(time: 50, brokers: [1, 2, 3], partitions: []),
        ])
        summary.finish(at: 60)
        #expect(
            summary.underReplicated == [
                .init(topic: "a", partition: 0, longestSeconds: 4, periods: 1, stillUnderReplicated: false)
            ])
    }

    @Test func emptySummaryReportsNothing() {
        let summary = ReplicationWatchSummary()
        #expect(summary.totalEvents == 0)
        #expect(summary.underReplicated.isEmpty)
        #expect(summary.watchedSeconds == 0)
    }
}
