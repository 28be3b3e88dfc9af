/// Where a partition's lag is heading, from a window of samples: how fast the group
/// consumes, how fast producers append, and when the backlog would be gone.
struct LagTrend: Sendable, Equatable {
    /// The drain estimate, with the reason when there is no number.
    enum Drain: Sendable, Equatable {
        /// Lag is 0 now.
        case caughtUp
        /// At current rates the lag reaches 0 after this many seconds.
        case inSeconds(Double)
        /// Consumption does not outpace production, so the lag will not shrink.
        case growing
        /// Fewer than two timed samples (or no commits): no rate can be measured.
        case unknown
    }

    /// Committed offsets advanced per second, from the first to the last sample that
    /// carries a commit; nil without two such samples at different times.
    /// Negative after a rewind.
    var consumptionRate: Double?
    /// End offsets advanced per second, from the first to the last sample; nil without
    /// two samples at different times.
    var productionRate: Double?
    /// Lag of the newest sample, or 0 for an empty window.
    var currentLag: Int64
    var drain: Drain

    /// Builds the trend from samples in time order.
    init(_ window: [LagSample]) {
        currentLag = window.last?.lag ?? 0

        let committed = window.filter { $0.committed != nil }
        if let first = committed.first, let last = committed.last, let from = first.committed, let to = last.committed {
            consumptionRate = rate(from: from, to: to, over: last.time - first.time)
        }
        if let first = window.first, let last = window.last {
            productionRate = rate(from: first.end, to: last.end, over: last.time - first.time)
        }

        if window.isEmpty {
            drain = .unknown
        } else if currentLag == 0 {
            drain = .caughtUp
        } else if let consumption = consumptionRate, let production = productionRate {
            drain =
                consumption > production
                ? .inSeconds(Double(currentLag) / (consumption - production))
                : .growing
        } else {
            drain = .unknown
        }
    }

    /// Seconds until lag reaches 0: 0 when caught up, nil when no estimate exists
    /// (see `noDrainReason`).
    var secondsToDrain: Double? {
        switch drain {
        case .caughtUp: 0
        case .inSeconds(let seconds): seconds
        case .growing, .unknown: nil
        }
    }

    /// Why `secondsToDrain` is nil: "growing" or "not enough samples"; nil when there is a number.
    var noDrainReason: String? {
        switch drain {
        case .caughtUp, .inSeconds: nil
        case .growing: "growing"
        case .unknown: "not enough samples"
        }
    }
}

private func rate(from start: Int64, to end: Int64, over seconds: Double) -> Double? {
    guard seconds > 0 else { return nil }
    return Double(end - start) / seconds
}
