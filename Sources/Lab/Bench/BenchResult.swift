import Foundation

/// One measured bench run: what was asked, and what came of it.
struct BenchResult: Sendable {
    /// The row's name: the codec, or a matrix combination like `linger.ms=5 batch.size=16384`.
    var label: String
    var codec: String
    /// The matrix combination this run used (empty for plain `bench`).
    var settings: [(key: String, value: String)] = []
    /// 1-based index among the runs of the same configuration.
    var run: Int = 1
    var count: Int
    var size: Int
    var payload: String
    var delivered: Int
    var failed: Int
    /// From the first produce call to the last delivery report.
    var seconds: Double
    var statistics: ProduceStatisticsTotals
    var latency: LatencySummary
    var cpuSeconds: Double
    var interrupted: Bool = false
    /// acks, linger.ms, batch.size, ... as librdkafka resolved them.
    var effectiveProperties: [(key: String, value: String)] = []
    /// The most frequent delivery failure, if any.
    var firstError: String?
    /// Per-client figures when several clients ran at once (`--producers N`); empty for one.
    var clients: [ClientRate] = []

    init(
        label: String, codec: String, count: Int, size: Int, payload: String, delivered: Int, failed: Int,
        seconds: Double, statistics: ProduceStatisticsTotals, latency: LatencySummary, cpuSeconds: Double
    ) {
        self.label = label
        self.codec = codec
        self.count = count
        self.size = size
        self.payload = payload
        self.delivered = delivered
        self.failed = failed
        self.seconds = seconds
        self.statistics = statistics
        self.latency = latency
        self.cpuSeconds = cpuSeconds
    }

    var payloadBytes: Int64 { Int64(delivered) * Int64(size) }
    var metrics: BenchMetrics {
        BenchMetrics(
            msgsPerSec: seconds > 0 ? Double(delivered) / seconds : 0,
            mibPerSec: seconds > 0 ? Double(payloadBytes) / 1_048_576 / seconds : 0,
            wireBytes: Double(statistics.wireBytes),
            compressionRatio: statistics.compressionRatio(payloadBytes: payloadBytes) ?? .nan,
            produceRequests: Double(statistics.produceRequests),
            avgBatchMsgs: statistics.averageBatchMessages ?? .nan,
            avgBatchBytes: statistics.averageBatchBytes ?? .nan,
            p50Micros: Double(latency.p50), p95Micros: Double(latency.p95), p99Micros: Double(latency.p99),
            p999Micros: Double(latency.p999), maxMicros: Double(latency.max),
            cpuSeconds: cpuSeconds,
            msgsPerCpuSecond: cpuSeconds > 0 ? Double(delivered) / cpuSeconds : .nan)
    }
}

/// The figures of a run (or the medians of several), all as Double so they
/// can be reduced column by column. NaN means "not measured".
struct BenchMetrics: Equatable, Sendable {
    var msgsPerSec: Double
    var mibPerSec: Double
    var wireBytes: Double
    var compressionRatio: Double
    var produceRequests: Double
    var avgBatchMsgs: Double
    var avgBatchBytes: Double
    var p50Micros: Double
    var p95Micros: Double
    var p99Micros: Double
    var p999Micros: Double
    var maxMicros: Double
    var cpuSeconds: Double
    var msgsPerCpuSecond: Double

    static var fields: [WritableKeyPath<BenchMetrics, Double>] {
        [
            \.msgsPerSec, \.mibPerSec, \.wireBytes, \.compressionRatio, \.produceRequests, \.avgBatchMsgs,
            \.avgBatchBytes, \.p50Micros, \.p95Micros, \.p99Micros, \.p999Micros, \.maxMicros, \.cpuSeconds,
            \.msgsPerCpuSecond,
        ]
    }

    /// Field by field median of several runs.
    static func median(_ runs: [BenchMetrics]) -> BenchMetrics {
        precondition(!runs.isEmpty)
        var out = runs[0]
        for field in fields { out[keyPath: field] = BenchStats.median(runs.map { $0[keyPath: field] }) }
        return out
    }
}

/// Median and spread of repeated measurements.
enum BenchStats {
    /// The median of the finite values (NaN when there are none); the mean of
    /// the middle two for an even count.
    static func median(_ values: [Double]) -> Double {
        let v = values.filter(\.isFinite).sorted()
        guard !v.isEmpty else { return .nan }
        let mid = v.count / 2
        return v.count % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2
    }

    /// (max - min) / median, as a fraction: 0.04 means the runs spanned 4 % of
    /// their median. NaN for fewer than two finite values or a zero median.
    static func relativeSpread(_ values: [Double]) -> Double {
        let v = values.filter(\.isFinite)
        guard v.count >= 2, let lo = v.min(), let hi = v.max() else { return .nan }
        let m = median(v)
        return m != 0 ? (hi - lo) / abs(m) : .nan
    }
}

/// Several runs of one configuration, reduced to one table row.
struct BenchRow: Sendable {
    let label: String
    let runs: [BenchResult]
    let median: BenchMetrics
    /// Relative spread of msgs/s over the runs (NaN with one run).
    let throughputSpread: Double
    let p99Spread: Double
    /// The median run's wall-clock seconds.
    let medianSeconds: Double
    /// Its runs are too short for a msgs/s claim (`BenchNoise.minimumSeconds`).
    var tooShortToRate: Bool { BenchNoise.isTooShort(seconds: medianSeconds) }

    init(runs: [BenchResult]) {
        precondition(!runs.isEmpty)
        label = runs[0].label
        self.runs = runs
        let metrics = runs.map(\.metrics)
        median = BenchMetrics.median(metrics)
        throughputSpread = BenchStats.relativeSpread(metrics.map(\.msgsPerSec))
        p99Spread = BenchStats.relativeSpread(metrics.map(\.p99Micros))
        medianSeconds = BenchStats.median(runs.map(\.seconds))
    }
}

/// One client's share of a run with several clients.
struct ClientRate: Equatable, Sendable {
    let client: Int
    let messages: Int
    /// From the client's first send (or record) to its last delivery report (or record).
    let seconds: Double
    init(client: Int, messages: Int, seconds: Double) {
        self.client = client
        self.messages = messages
        self.seconds = seconds
    }
    var msgsPerSec: Double { seconds > 0 ? Double(messages) / seconds : .nan }
}

/// The aggregate of several clients' rates, and how far one client is from
/// an equal share (where one client stops scaling). Pure.
struct ClientScaling: Equatable, Sendable {
    let clients: [ClientRate]
    /// All messages over the span from the first client's start to the last one's end.
    let aggregateMsgsPerSec: Double

    init(clients: [ClientRate], aggregateSeconds: Double) {
        self.clients = clients
        let total = clients.reduce(0) { $0 + $1.messages }
        aggregateMsgsPerSec = aggregateSeconds > 0 ? Double(total) / aggregateSeconds : .nan
    }

    var perClientMedian: Double { BenchStats.median(clients.map(\.msgsPerSec)) }
    var slowest: ClientRate? { clients.filter { $0.msgsPerSec.isFinite }.min { $0.msgsPerSec < $1.msgsPerSec } }
    var fastest: ClientRate? { clients.filter { $0.msgsPerSec.isFinite }.max { $0.msgsPerSec < $1.msgsPerSec } }
    /// Aggregate over the sum of the clients' own rates: 1 when the clients
    /// overlapped completely, lower when they ran partly one after another.
    var overlap: Double {
        let sum = clients.map(\.msgsPerSec).filter(\.isFinite).reduce(0, +)
        return sum > 0 ? aggregateMsgsPerSec / sum : .nan
    }

    /// "aggregate 1,200,000 msgs/s from 4 clients; per client 290,000-310,000 (median 300,000)".
    var summary: String {
        var text = "aggregate \(BenchReport.grouped(aggregateMsgsPerSec)) msgs/s from \(clients.count) clients"
        if let lo = slowest, let hi = fastest {
            text +=
                "; per client \(BenchReport.grouped(lo.msgsPerSec))-\(BenchReport.grouped(hi.msgsPerSec)) msgs/s (median \(BenchReport.grouped(perClientMedian)))"
        }
        return text
    }
}
