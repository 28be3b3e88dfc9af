import Histogram

/// Delivery latency percentiles in microseconds, read from an HdrHistogram
/// (three significant digits, so a reported value is within 0.1 % of the
/// true one).
struct LatencySummary: Equatable, Sendable {
    let count: UInt64
    let p50: UInt64
    let p95: UInt64
    let p99: UInt64
    let p999: UInt64
    let max: UInt64
    let mean: Double

    init(_ histogram: Histogram<UInt64>) {
        count = histogram.totalCount
        guard count > 0 else {
            p50 = 0; p95 = 0; p99 = 0; p999 = 0; max = 0; mean = 0
            return
        }
        p50 = histogram.valueAtPercentile(50)
        p95 = histogram.valueAtPercentile(95)
        p99 = histogram.valueAtPercentile(99)
        p999 = histogram.valueAtPercentile(99.9)
        // The highest recorded value's bucket top, so max is never below p99.9.
        max = Swift.max(histogram.max, p999)
        mean = histogram.mean
    }

    init(count: UInt64, p50: UInt64, p95: UInt64, p99: UInt64, p999: UInt64, max: UInt64, mean: Double) {
        self.count = count
        self.p50 = p50
        self.p95 = p95
        self.p99 = p99
        self.p999 = p999
        self.max = max
        self.mean = mean
    }

    /// A histogram for latencies from 1 µs to one hour; longer values are clamped.
    static func makeHistogram() -> Histogram<UInt64> {
        Histogram<UInt64>(
            lowestDiscernibleValue: 1, highestTrackableValue: highestMicros, numberOfSignificantValueDigits: .three)
    }

    static let highestMicros: UInt64 = 3_600_000_000
}
