/// What an `isr watch` session saw, built up one poll at a time: how many events of
/// each kind, and for each partition how long it stayed under-replicated.
///
/// Durations come from snapshot times, so they are only as precise as the polling
/// interval: a period starts at the first snapshot that shows the partition
/// under-replicated and ends at the first snapshot that shows it healthy again (or
/// no longer lists it). The real change happened somewhere in the preceding interval.
struct ReplicationWatchSummary: Sendable {
    /// How one partition fared over the watch.
    struct UnderReplication: Sendable, Equatable {
        var topic: String
        var partition: Int32
        /// The longest continuous stretch under-replicated, in seconds. An open period
        /// counts up to the latest snapshot, or up to the time given to `finish(at:)`.
        var longestSeconds: Double
        /// How many separate under-replicated periods began.
        var periods: Int
        /// Whether the partition was still under-replicated when the summary was taken.
        var stillUnderReplicated: Bool

        init(topic: String, partition: Int32, longestSeconds: Double, periods: Int, stillUnderReplicated: Bool) {
            self.topic = topic
            self.partition = partition
            self.longestSeconds = longestSeconds
            self.periods = periods
            self.stillUnderReplicated = stillUnderReplicated
        }
    }

    private struct PartitionKey: Hashable {
        var topic: String
        var partition: Int32
    }

    private struct Tracking {
        var longestClosed: Double = 0
        var periods = 0
        var openSince: Double?

        mutating func close(at time: Double) {
            guard let openSince else { return }
            longestClosed = max(longestClosed, time - openSince)
            self.openSince = nil
        }
    }

    /// Events counted by `ReplicationEvent.kind`.
    private(set) var eventCounts: [String: Int] = [:]
    private(set) var snapshotsRecorded = 0
    /// Time of the first snapshot recorded, nil before any.
    private(set) var startTime: Double?
    /// Time of the latest snapshot, or the time given to `finish(at:)` if later.
    private(set) var endTime: Double?
    private var tracking: [PartitionKey: Tracking] = [:]

    init() {}

    /// Total events of every kind.
    var totalEvents: Int { eventCounts.values.reduce(0, +) }

    /// Seconds between the first snapshot and `endTime`.
    var watchedSeconds: Double {
        guard let startTime, let endTime else { return 0 }
        return endTime - startTime
    }

    /// Feeds one poll: the snapshot just taken and the events diffed against the previous one.
    /// Snapshots are expected in time order.
    mutating func record(snapshot: ReplicationSnapshot, events: [ReplicationEvent]) {
        snapshotsRecorded += 1
        if startTime == nil { startTime = snapshot.time }
        endTime = max(endTime ?? snapshot.time, snapshot.time)
        for event in events {
            eventCounts[event.kind, default: 0] += 1
        }

        var seen = Set<PartitionKey>()
        for state in snapshot.partitions {
            let key = PartitionKey(topic: state.topic, partition: state.partition)
            seen.insert(key)
            var entry = tracking[key] ?? Tracking()
            if state.isUnderReplicated {
                if entry.openSince == nil {
                    entry.openSince = snapshot.time
                    entry.periods += 1
                }
            } else {
                entry.close(at: snapshot.time)
            }
            // Partitions that were never under-replicated stay out of the report.
            if entry.periods > 0 { tracking[key] = entry }
        }
        // A partition missing from metadata cannot be shown as under-replicated any longer.
        for key in tracking.keys where !seen.contains(key) {
            tracking[key]?.close(at: snapshot.time)
        }
    }

    /// Marks when the watch ended (typically when the user stops it), so periods still
    /// open are measured up to `time` rather than only up to the last snapshot.
    /// Open periods stay open: recording may continue, and `stillUnderReplicated`
    /// keeps saying which partitions never recovered.
    mutating func finish(at time: Double) {
        endTime = max(endTime ?? time, time)
    }

    /// Every partition that was under-replicated at some point, by topic then partition.
    var underReplicated: [UnderReplication] {
        tracking
            .map { key, entry in
                var longest = entry.longestClosed
                if let openSince = entry.openSince, let endTime {
                    longest = max(longest, endTime - openSince)
                }
                return UnderReplication(
                    topic: key.topic, partition: key.partition,
                    longestSeconds: longest, periods: entry.periods,
                    stillUnderReplicated: entry.openSince != nil)
            }
            .sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
    }

    /// Event counts in the canonical order of `ReplicationEvent.allKinds`, skipping zeros.
    var orderedEventCounts: [(kind: String, count: Int)] {
        ReplicationEvent.allKinds.compactMap { kind in
            eventCounts[kind].map { (kind: kind, count: $0) }
        }
    }
}
