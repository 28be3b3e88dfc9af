/// One observation of a consumer group's position on one partition.
struct LagSample: Sendable, Equatable {
    /// Seconds on the caller's clock; only differences matter.
    var time: Double
    /// The group's committed offset, or nil when the group has committed nothing yet.
    var committed: Int64?
    /// Log end offset (high watermark) of the partition at `time`.
    var end: Int64
    /// First offset still in the log; where a group without a commit would start reading
    /// with `auto.offset.reset=earliest`.
    var lowWatermark: Int64

    init(time: Double, committed: Int64?, end: Int64, lowWatermark: Int64 = 0) {
        self.time = time
        self.committed = committed
        self.end = end
        self.lowWatermark = lowWatermark
    }

    /// Messages the group still has to read. Without a commit that is the whole retained
    /// log. Never negative: end offsets and commits are fetched separately, so a commit
    /// can look ahead of the end offset it is compared with.
    var lag: Int64 {
        max(0, end - (committed ?? lowWatermark))
    }
}

/// Burrow's verdict on one partition of a consumer group.
enum PartitionLagStatus: String, Sendable, CaseIterable {
    case ok = "OK"
    case warn = "WARN"
    case stall = "STALL"
    case stop = "STOP"
    case rewind = "REWIND"

    /// STOP, STALL and REWIND need someone to act; they roll up to a group ERR.
    var isError: Bool {
        switch self {
        case .ok, .warn: false
        case .stall, .stop, .rewind: true
        }
    }
}

/// The verdict for a whole group: its worst partition, with every error kind shown as ERR.
enum GroupLagStatus: String, Sendable, CaseIterable {
    case ok = "OK"
    case warn = "WARN"
    case err = "ERR"
}

/// A partition status together with the evidence that produced it, for display.
struct LagEvaluation: Sendable, Equatable {
    var status: PartitionLagStatus
    /// One short human sentence saying which rule decided.
    var reason: String
    /// Lag of the newest sample with a commit, or 0 when there is none.
    var currentLag: Int64

    init(status: PartitionLagStatus, reason: String, currentLag: Int64) {
        self.status = status
        self.reason = reason
        self.currentLag = currentLag
    }
}

/// Burrow's consumer lag rules, adapted to periodic sampling.
///
/// Burrow judges the last N *commits* it sees on `__consumer_offsets`. kafkalab instead
/// polls committed offsets and end offsets every few seconds, so:
/// - the window is the last `windowSize` samples that carry a committed offset
///   (samples before the group's first commit say nothing about the consumer);
/// - polling cannot see when a commit happened, only when the committed offset
///   changed, so "time since the last commit" is `now` minus the time of the earliest
///   sample in the unbroken run that carries the latest committed offset. That run is
///   searched through every sample passed in, not just the window, so passing more
///   history than the window lets STOP see how long an offset has been stuck.
///
/// Consequence: STOP fires when the offset has been unchanged for longer than the
/// window spans. A consumer whose offset sat still for exactly the window (with `now`
/// at the latest sample) is STALL; once it stays stuck past that, or sampling stops
/// while `now` moves on, it becomes STOP. From offsets alone a dead consumer and a
/// live one re-committing the same offset look identical.
///
/// The checks, first match wins, in the order of Burrow's `calculatePartitionStatus`
/// (core/internal/evaluator/caching.go), which checks the current lag, then STOP, then
/// REWIND, then whether lag was ever 0, then STALL and WARN:
/// - too few samples with a commit, or current lag 0: OK;
/// - STOP: time since the committed offset last changed exceeds the window's span, lag > 0,
///   unless a sample in the window saw the log end at or below the latest committed offset
///   (Burrow's "recent lag zero", read from its broker offsets): a consumer that was caught
///   up a moment ago is idle, not stopped;
/// - REWIND: a committed offset went backwards within the window and has not yet come back
///   to where it was (Burrow's "rewind recovered": a rebalance that re-commits an older
///   offset and catches up again is not held against the consumer);
/// - OK: lag was 0 at some sample in the window;
/// - STALL: every committed offset in the window is the same;
/// - WARN: lag never decreased from one sample to the next;
/// - OK otherwise.
///
/// Burrow tells STALL (a live consumer re-committing the same offset) from STOP (no
/// commits at all) because it sees every commit; offset polling sees neither, so here
/// the two differ only by how long the offset has been stuck.
struct LagEvaluator: Sendable {
    /// How many samples with a commit make up the window (at least 2).
    var windowSize: Int
    /// How many samples with a commit are needed before any rule but OK can fire
    /// (at least 2, at most `windowSize`); a lone sample has no span and no trend.
    var minimumSamples: Int

    init(windowSize: Int = 10, minimumSamples: Int = 3) {
        self.windowSize = windowSize
        self.minimumSamples = minimumSamples
    }

    private var effectiveWindowSize: Int { max(2, windowSize) }
    private var effectiveMinimumSamples: Int { min(max(2, minimumSamples), effectiveWindowSize) }

    /// The samples the rules look at: the newest `windowSize` that carry a commit, oldest first.
    /// `samples` must be in time order.
    func window(of samples: [LagSample]) -> [LagSample] {
        Array(samples.filter { $0.committed != nil }.suffix(effectiveWindowSize))
    }

    /// The status of one partition. `samples` must be in time order; `now` is on the same clock.
    func evaluate(_ samples: [LagSample], now: Double) -> PartitionLagStatus {
        evaluation(of: samples, now: now).status
    }

    /// The status of one partition, with the reason the deciding rule gives.
    func evaluation(of samples: [LagSample], now: Double) -> LagEvaluation {
        let committedHistory = samples.filter { $0.committed != nil }
        let window = Array(committedHistory.suffix(effectiveWindowSize))
        let offsets = window.compactMap(\.committed)
        let lags = window.map(\.lag)
        let currentLag = lags.last ?? 0

        func verdict(_ status: PartitionLagStatus, _ reason: String) -> LagEvaluation {
            LagEvaluation(status: status, reason: reason, currentLag: currentLag)
        }

        if window.isEmpty {
            return verdict(.ok, "no committed offset yet")
        }
        guard window.count >= effectiveMinimumSamples, let first = window.first, let last = window.last else {
            return verdict(.ok, "waiting for samples: \(window.count) of \(effectiveMinimumSamples)")
        }
        if currentLag == 0 {
            return verdict(.ok, "caught up")
        }

        let span = last.time - first.time
        let sinceChange = now - timeLatestOffsetFirstSeen(in: committedHistory)
        let latestCommitted = offsets.last ?? 0
        let recentlyCaughtUp = window.contains { $0.end <= latestCommitted }
        if sinceChange > span && !recentlyCaughtUp {
            return verdict(
                .stop,
                "committed offset unchanged for \(seconds(sinceChange)), longer than the window's \(seconds(span))")
        }
        if let back = offsets.indices.dropFirst().first(where: { offsets[$0] < offsets[$0 - 1] }),
            !offsets[back...].contains(where: { $0 >= offsets[back - 1] })
        {
            return verdict(.rewind, "committed offset went back from \(offsets[back - 1]) and has not returned to it")
        }
        if lags.contains(0) {
            return verdict(.ok, "lag reached 0 within the window")
        }
        if Set(offsets).count == 1 {
            return verdict(.stall, "committed offset stuck at \(offsets[0]) with lag \(currentLag)")
        }
        if !zip(lags, lags.dropFirst()).contains(where: { $1 < $0 }) {
            return verdict(.warn, "lag never decreased across \(window.count) samples")
        }
        return verdict(.ok, "consumer is making progress")
    }

    /// The group's status: its worst partition, with STOP, STALL and REWIND reported as ERR.
    /// A group with no partitions is OK.
    func groupStatus(_ partitions: [PartitionLagStatus]) -> GroupLagStatus {
        if partitions.contains(where: \.isError) { return .err }
        if partitions.contains(.warn) { return .warn }
        return .ok
    }

    /// Start of the unbroken trailing run of samples whose committed offset equals the
    /// latest one. An earlier visit to the same offset, before a rewind, does not count.
    private func timeLatestOffsetFirstSeen(in history: [LagSample]) -> Double {
        guard let latest = history.last else { return 0 }
        var start = latest
        for sample in history.reversed() {
            guard sample.committed == latest.committed else { break }
            start = sample
        }
        return start.time
    }
}

private func seconds(_ value: Double) -> String {
    // Int(_:) traps on infinity or NaN, which a caller's clock could hand us.
    guard value.isFinite, abs(value) < 1e12 else { return "\(value)s" }
    let tenths = (value * 10).rounded() / 10
    return tenths == tenths.rounded() ? "\(Int(tenths))s" : "\(tenths)s"
}
