/// What a bench may claim from what it measured: a "best" only outside the
/// measured spread, and a rate only from a run long enough to mean one.
/// Pure: tested without a cluster.
enum BenchNoise {
    /// A run shorter than this gets no msgs/s claim: on a shared machine a
    /// few scheduler slices, a page fault storm or a connection set-up are a
    /// large part of it, so its rate says more about the machine than the setting.
    static let minimumSeconds = 0.5

    /// A single run has no measured spread; it is taken as this fraction
    /// either side of its value, so a single-run "best" needs about a 10 % lead.
    static let singleRunHalfWidth = 0.05

    static func isTooShort(seconds: Double) -> Bool {
        !(seconds.isFinite && seconds >= minimumSeconds)
    }

    /// The interval a row's runs span: [min, max] of its finite values, or a
    /// single value widened by `singleRunHalfWidth` either side. Nil with no value.
    static func interval(_ samples: [Double]) -> ClosedRange<Double>? {
        let v = samples.filter(\.isFinite)
        guard let lo = v.min(), let hi = v.max() else { return nil }
        if v.count == 1 {
            let w = abs(lo) * singleRunHalfWidth
            return (lo - w)...(hi + w)
        }
        return lo...hi
    }

    /// The row that is best in direction `better` beyond the measured
    /// spread: its interval lies wholly above (higher) or below (lower)
    /// every other row's. Nil when fewer than two rows have values, when the
    /// leader's interval overlaps another's (a tie within noise), or when
    /// the column has no direction.
    static func distinctBest(_ samples: [[Double]], better: BenchReport.Column.Better) -> Int? {
        guard better != .neither else { return nil }
        let intervals = samples.enumerated().compactMap { i, s in interval(s).map { (i, $0, BenchStats.median(s)) } }
        guard intervals.count >= 2 else { return nil }
        let leader = better == .higher ? intervals.max { $0.2 < $1.2 } : intervals.min { $0.2 < $1.2 }
        guard let leader else { return nil }
        for other in intervals where other.0 != leader.0 {
            let clear =
                better == .higher ? leader.1.lowerBound > other.1.upperBound : leader.1.upperBound < other.1.lowerBound
            if !clear { return nil }
        }
        return leader.0
    }

    /// Why a column got no mark, for the line under a table (nil when it got one or has no direction).
    static func whyNoBest(_ samples: [[Double]], better: BenchReport.Column.Better) -> String? {
        guard better != .neither, samples.filter({ $0.contains(where: \.isFinite) }).count >= 2,
            distinctBest(samples, better: better) == nil
        else { return nil }
        let single = samples.contains { $0.filter(\.isFinite).count == 1 }
        return single
            ? "the leader is within ±\(Int(singleRunHalfWidth * 100)) % of another row (single runs measure no spread: use --runs 3)"
            : "the leader's runs overlap another row's runs (within the measured spread)"
    }
}
