import Foundation

/// One run of `bench` (produce side): streamed as one JSON document per run, and in text the
/// one-line hint a matrix prints after each run. Its JSON is its encoding (`CommandResult`).
struct ProducerBenchRun: CommandResult {
    typealias Properties = ConsumerBenchResult.Properties

    /// The delivery latencies, in milliseconds.
    struct Latency: Encodable, Equatable {
        let p50: Double
        let p95: Double
        let p99: Double
        let p999: Double
        let max: Double
        let mean: Double
    }

    /// One producer of a run with several (`--producers N`).
    struct Client: Encodable, Equatable {
        let client: Int
        let messages: Int
        let durationMs: Double
        /// Null when the client sent for no measurable time.
        let msgsPerSec: Double

        init(_ c: ClientRate) {
            client = c.client
            messages = c.messages
            durationMs = c.seconds * 1000
            msgsPerSec = c.msgsPerSec
        }
    }

    let kind = "run"
    let label: String
    let codec: String
    /// The varied properties of a matrix, keyed by their names.
    let matrixProperties: Properties
    let run: Int
    let runs: Int
    let cluster: String
    let count: Int
    let delivered: Int
    let failed: Int
    let sizeBytes: Int
    let payload: String
    let durationMs: Double
    let msgsPerSec: Double
    let mibPerSec: Double
    let payloadBytes: Int64
    let batchBytes: Int64
    let wireBytes: Int64
    let compressionRatio: Double
    let produceRequests: Int64
    let avgBatchMsgs: Double
    let avgBatchBytes: Double
    let latencyMs: Latency
    let cpuMs: Double
    let msgsPerCpuSec: Double
    let interrupted: Bool
    let tooShortToRate: Bool
    let producers: Int
    let clients: [Client]
    let error: String?
    /// The producer's effective configuration, keyed by property names.
    let properties: Properties
    /// The run's wall-clock seconds (text only).
    let seconds: Double
    /// "[i/n] label" when the command measures more than one run: then the text shows a line per run.
    let prefix: String?

    enum CodingKeys: String, CodingKey {
        case kind, label, codec, matrixProperties, run, runs, cluster, count, delivered, failed, sizeBytes, payload
        case durationMs, msgsPerSec, mibPerSec, payloadBytes, batchBytes, wireBytes, compressionRatio
        case produceRequests, avgBatchMsgs, avgBatchBytes, latencyMs, cpuMs, msgsPerCpuSec, interrupted
        case tooShortToRate, producers, clients, error, properties
    }

    init(_ r: BenchResult, runs: Int, cluster: String, prefix: String? = nil) {
        let m = r.metrics
        label = r.label
        codec = r.codec
        matrixProperties = Properties(r.settings.map { ($0.key, $0.value) })
        run = r.run
        self.runs = runs
        self.cluster = cluster
        count = r.count
        delivered = r.delivered
        failed = r.failed
        sizeBytes = r.size
        payload = r.payload
        durationMs = r.seconds * 1000
        msgsPerSec = m.msgsPerSec
        mibPerSec = m.mibPerSec
        payloadBytes = r.payloadBytes
        batchBytes = r.statistics.batchBytes
        wireBytes = r.statistics.wireBytes
        compressionRatio = m.compressionRatio
        produceRequests = r.statistics.produceRequests
        avgBatchMsgs = m.avgBatchMsgs
        avgBatchBytes = m.avgBatchBytes
        latencyMs = Latency(
            p50: Double(r.latency.p50) / 1000, p95: Double(r.latency.p95) / 1000, p99: Double(r.latency.p99) / 1000,
            p999: Double(r.latency.p999) / 1000, max: Double(r.latency.max) / 1000, mean: r.latency.mean / 1000)
        cpuMs = r.cpuSeconds * 1000
        msgsPerCpuSec = m.msgsPerCpuSecond
        interrupted = r.interrupted
        tooShortToRate = BenchNoise.isTooShort(seconds: r.seconds)
        producers = max(1, r.clients.count)
        clients = r.clients.map(Client.init)
        error = r.firstError
        properties = Properties(r.effectiveProperties.map { ($0.key, $0.value) })
        seconds = r.seconds
        self.prefix = prefix
    }

    func render(into output: Output) {
        guard let prefix else { return }
        let rate =
            tooShortToRate
            ? "short run (\(BenchReport.fixed(seconds, 2)) s)" : "\(BenchReport.grouped(msgsPerSec)) msgs/s"
        output.hint(
            "\(prefix): \(rate), ratio \(compressionRatio.isFinite ? BenchReport.fixed(compressionRatio, 2) : "-"), p99 \(BenchReport.fixed(latencyMs.p99, 2)) ms"
                + (interrupted ? " (interrupted)" : ""))
    }
}

/// The last document of `bench` (produce side): the medians per row, the winners, and in text the
/// table, the bar chart and the reading. Properties left out of `CodingKeys` only word the text.
struct ProducerBenchSummary: CommandResult {
    /// One row of the comparison: the medians of its runs.
    struct Row: Encodable, Equatable {
        let label: String
        let runs: Int
        let msgsPerSec: Double
        let msgsPerSecSpread: Double
        let compressionRatio: Double
        let p99Ms: Double
        let cpuMs: Double
        let durationMs: Double
        let tooShortToRate: Bool
        let produceRequests: Double
        let avgBatchMsgs: Double
        let p50Ms: Double
        let msgsPerCpuSec: Double

        init(_ row: BenchRow) {
            label = row.label
            runs = row.runs.count
            msgsPerSec = row.median.msgsPerSec
            msgsPerSecSpread = row.throughputSpread
            compressionRatio = row.median.compressionRatio
            p99Ms = row.median.p99Micros / 1000
            cpuMs = row.median.cpuSeconds * 1000
            durationMs = row.medianSeconds * 1000
            tooShortToRate = row.tooShortToRate
            produceRequests = row.median.produceRequests
            avgBatchMsgs = row.median.avgBatchMsgs
            p50Ms = row.median.p50Micros / 1000
            msgsPerCpuSec = row.median.msgsPerCpuSecond
        }
    }

    let kind = "summary"
    let rows: [Row]
    let bestThroughput: String?
    let bestP99: String?
    let noBestBecause: [String]
    let producers: Int
    let reading: String?
    let interrupted: Bool

    /// The rows themselves, with their runs (text only).
    let benchRows: [BenchRow]
    /// "1,000 × 1024 B json messages to bench, ..." over the table.
    let heading: String
    let firstHeader: String
    /// Headers whose best value is marked.
    let marks: Set<String>
    /// Every run was held to `--rate` (then msgs/s is the pace: no bar chart).
    let paced: Bool
    /// "producer: k=v ... (effective values)".
    let effectiveLine: String?
    /// The acks property the embedded cluster ignores, when the matrix varied it.
    let ignoredAcks: String?
    /// What kind of cluster measured this, when it is not a real one.
    let clusterHint: String?

    enum CodingKeys: String, CodingKey {
        case kind, rows, bestThroughput, bestP99, noBestBecause, producers, reading, interrupted
    }

    init(
        rows benchRows: [BenchRow], bestThroughput: String?, bestP99: String?, noBestBecause: [String],
        producers: Int, reading: String?, interrupted: Bool, heading: String, firstHeader: String,
        marks: Set<String>, paced: Bool, effectiveLine: String?, ignoredAcks: String?, clusterHint: String?
    ) {
        rows = benchRows.map(Row.init)
        self.bestThroughput = bestThroughput
        self.bestP99 = bestP99
        self.noBestBecause = noBestBecause
        self.producers = producers
        self.reading = reading
        self.interrupted = interrupted
        self.benchRows = benchRows
        self.heading = heading
        self.firstHeader = firstHeader
        self.marks = marks
        self.paced = paced
        self.effectiveLine = effectiveLine
        self.ignoredAcks = ignoredAcks
        self.clusterHint = clusterHint
    }

    func render(into out: Output) {
        let rows = benchRows
        out.line(heading)
        out.table(BenchReport.table(rows, firstHeader: firstHeader, markColumns: marks))
        if rows.count > 1 {
            if !marks.isEmpty { out.hint("\(BenchReport.bestMark) best in its column, beyond the measured spread") }
            for note in noBestBecause { out.hint(note) }
            let rated = rows.filter { !$0.tooShortToRate }
            if rated.count > 1 && !paced {
                out.line()
                for line in BenchReport.barChart(rated.map { ($0.label, $0.median.msgsPerSec) }, ascii: !out.isTerminal)
                {
                    out.line(line)
                }
            }
        } else if let row = rows.first, row.tooShortToRate {
            out.hint(
                "msgs/s withheld (\"short\"): a \(BenchReport.fixed(row.medianSeconds, 2)) s run is too short to rate; rates need at least \(BenchReport.fixed(BenchNoise.minimumSeconds, 1)) s (raise --count, or pace with --rate)"
            )
        }
        if producers > 1 {
            for row in rows {
                let perRun = row.runs.compactMap {
                    $0.clients.isEmpty ? nil : ClientScaling(clients: $0.clients, aggregateSeconds: $0.seconds)
                }
                guard let first = perRun.first else { continue }
                let which = perRun.count > 1 ? " (run 1 of \(perRun.count))" : ""
                if row.tooShortToRate {
                    // No rate from a run this short: only what each client sent.
                    out.line(
                        "\(row.label)\(which): \(first.clients.count) producers, rates withheld (short run); "
                            + first.clients.map {
                                "producer \($0.client): \(BenchReport.grouped(Double($0.messages))) msgs in \(BenchReport.fixed($0.seconds, 2)) s"
                            }.joined(separator: ", "))
                } else {
                    out.line("\(row.label)\(which): \(first.summary)")
                    out.line(
                        "  "
                            + first.clients.map {
                                "producer \($0.client): \(BenchReport.grouped($0.msgsPerSec)) msgs/s"
                            }.joined(separator: ", "))
                }
            }
            out.hint(
                "aggregate: all messages over the span from the first client's start to the last one's end; a client's rate covers its own run. When the aggregate stops growing with --producers, one client was not the limit."
            )
        }
        if let effectiveLine { out.line(effectiveLine) }
        if let reading { out.line(reading) }
        if let ignored = ignoredAcks {
            out.line(
                "note: the embedded cluster ignores \(ignored) (it has no followers to wait for), so differences between these rows are noise, not the setting; none is marked best"
            )
        }
        if let clusterHint { out.hint(clusterHint) }
    }
}
