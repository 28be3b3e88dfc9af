import Foundation

/// Turns bench rows into the table, the bar chart, CSV and the
/// matrix's reading. Pure: everything here is tested without a cluster.
enum BenchReport {
    /// A column of the comparison table and which direction is better.
    struct Column: Sendable {
        enum Better: Sendable { case higher, lower, neither }
        let header: String
        let better: Better
        let value: @Sendable (BenchMetrics) -> Double
        let format: @Sendable (Double) -> String
    }

    static let columns: [Column] = [
        Column(header: "msgs/s", better: .higher, value: { $0.msgsPerSec }, format: { grouped($0) }),
        Column(header: "MiB/s", better: .higher, value: { $0.mibPerSec }, format: { fixed($0, 1) }),
        Column(header: "wire MiB", better: .lower, value: { $0.wireBytes / 1_048_576 }, format: { fixed($0, 1) }),
        Column(header: "ratio", better: .higher, value: { $0.compressionRatio }, format: { fixed($0, 2) }),
        Column(header: "requests", better: .lower, value: { $0.produceRequests }, format: { grouped($0) }),
        Column(header: "batch msgs", better: .neither, value: { $0.avgBatchMsgs }, format: { fixed($0, 0) }),
        Column(header: "batch KiB", better: .neither, value: { $0.avgBatchBytes / 1024 }, format: { fixed($0, 1) }),
        Column(header: "p50 ms", better: .lower, value: { $0.p50Micros / 1000 }, format: { fixed($0, 2) }),
        Column(header: "p99 ms", better: .lower, value: { $0.p99Micros / 1000 }, format: { fixed($0, 2) }),
        Column(header: "p99.9 ms", better: .lower, value: { $0.p999Micros / 1000 }, format: { fixed($0, 2) }),
        Column(header: "max ms", better: .lower, value: { $0.maxMicros / 1000 }, format: { fixed($0, 2) }),
        Column(header: "CPU s", better: .lower, value: { $0.cpuSeconds }, format: { fixed($0, 2) }),
        Column(header: "msgs/CPU-s", better: .higher, value: { $0.msgsPerCpuSecond }, format: { grouped($0) }),
    ]

    /// The mark appended to the best value of a column.
    static let bestMark = "*"

    /// Index of the best row for a column, or nil when fewer than two rows
    /// have a value or all values are equal (nothing to single out).
    static func bestIndex(_ values: [Double], better: Column.Better) -> Int? {
        guard better != .neither else { return nil }
        let finite = values.enumerated().filter { $0.element.isFinite }
        guard finite.count >= 2 else { return nil }
        let pick = better == .higher ? finite.max { $0.element < $1.element } : finite.min { $0.element < $1.element }
        guard let pick, Set(finite.map(\.element)).count > 1 else { return nil }
        return pick.offset
    }

    /// Columns that are rates over the run's wall-clock time: withheld for runs shorter than `BenchNoise.minimumSeconds`.
    static let rateHeaders: Set<String> = ["msgs/s", "MiB/s"]

    /// The row best in `column` beyond the spread of its runs (`BenchNoise`);
    /// rates only when no row was too short to rate.
    static func distinctBest(_ rows: [BenchRow], column: Column) -> Int? {
        if rateHeaders.contains(column.header) && rows.contains(where: \.tooShortToRate) { return nil }
        return BenchNoise.distinctBest(rows.map { $0.runs.map { column.value($0.metrics) } }, better: column.better)
    }

    /// The lines under a table that say why a compared column has no mark.
    static func noMarkNotes(_ rows: [BenchRow], markColumns: Set<String>? = nil) -> [String] {
        guard rows.count > 1 else { return [] }
        var notes: [String] = []
        if let short = rows.filter(\.tooShortToRate).map(\.medianSeconds).max() {
            notes.append(
                "msgs/s and MiB/s withheld (\"short\"): a run of \(fixed(short, 2)) s is too short to rate; rates need runs of at least \(fixed(BenchNoise.minimumSeconds, 1)) s (raise --count, or pace with --rate)"
            )
        }
        for column in columns
        where (markColumns?.contains(column.header) ?? true)
            && !(rateHeaders.contains(column.header) && rows.contains(where: \.tooShortToRate))
        {
            if let why = BenchNoise.whyNoBest(
                rows.map { $0.runs.map { column.value($0.metrics) } }, better: column.better),
                ["msgs/s", "p99 ms", "msgs/CPU-s", "requests"].contains(column.header)
            {
                notes.append("no best \(column.header): \(why)")
            }
        }
        return notes
    }

    /// The comparison table. `markColumns`: headers whose best value gets
    /// `bestMark` (all directional columns when nil).
    static func table(_ rows: [BenchRow], firstHeader: String, markColumns: Set<String>? = nil) -> TextTable {
        let showSpread = rows.contains { $0.runs.count > 1 }
        var headers = [firstHeader] + columns.map(\.header)
        if showSpread { headers.insert("spread", at: 2) }
        var table = TextTable(
            headers: headers, alignments: [.left] + Array(repeating: .right, count: headers.count - 1))
        var cells = rows.map { row in
            columns.map { column -> String in
                if row.tooShortToRate && rateHeaders.contains(column.header) { return "short" }
                let v = column.value(row.median)
                return v.isFinite ? column.format(v) : "-"
            }
        }
        for (c, column) in columns.enumerated() where markColumns?.contains(column.header) ?? true {
            if let best = distinctBest(rows, column: column) {
                cells[best][c] += bestMark
            }
        }
        for (i, row) in rows.enumerated() {
            var line = [row.label] + cells[i]
            if showSpread {
                line.insert(
                    row.throughputSpread.isFinite ? "±" + fixed(row.throughputSpread * 50, 1) + "%" : "-", at: 2)
            }
            table.append(line)
        }
        return table
    }

    /// Horizontal bars scaled to the largest value. Unicode eighth blocks at a
    /// terminal; `#` when piped, so logs and CI output stay plain ASCII.
    static func barChart(
        _ items: [(label: String, value: Double)], width: Int = 40, ascii: Bool,
        unit: String = "msgs/s"
    ) -> [String] {
        let top = items.map(\.value).filter(\.isFinite).max() ?? 0
        let labelWidth = items.map(\.label.count).max() ?? 0
        let partials: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        return items.map { item in
            let label = item.label + String(repeating: " ", count: labelWidth - item.label.count)
            guard top > 0, item.value.isFinite, item.value > 0 else {
                return "\(label)  \(unit == "" ? "" : "0 \(unit)")"
            }
            let eighths = Int((item.value / top * Double(width * 8)).rounded())
            var bar: String
            if ascii {
                bar = String(repeating: "#", count: max(1, (eighths + 4) / 8))
            } else {
                bar = String(repeating: "█", count: eighths / 8)
                if eighths % 8 > 0 { bar.append(partials[eighths % 8 - 1]) }
                if bar.isEmpty { bar = "▏" }
            }
            return "\(label)  \(bar) \(grouped(item.value)) \(unit)"
        }
    }

    // MARK: CSV

    static let csvHeader = [
        "label", "codec", "settings", "run", "count", "delivered", "failed", "size", "payload", "seconds",
        "msgs_per_sec", "mib_per_sec", "payload_bytes", "batch_bytes", "wire_bytes", "compression_ratio",
        "produce_requests", "avg_batch_msgs", "avg_batch_bytes", "p50_us", "p95_us", "p99_us", "p999_us", "max_us",
        "cpu_seconds", "msgs_per_cpu_second", "interrupted",
    ]

    static func csvRow(_ r: BenchResult) -> [String] {
        let m = r.metrics
        func d(_ v: Double) -> String { v.isFinite ? String(format: "%.6g", v) : "" }
        return [
            r.label, r.codec, r.settings.map { "\($0.key)=\($0.value)" }.joined(separator: " "), String(r.run),
            String(r.count), String(r.delivered), String(r.failed), String(r.size), r.payload,
            String(format: "%.6f", r.seconds),
            d(m.msgsPerSec), d(m.mibPerSec), String(r.payloadBytes), String(r.statistics.batchBytes),
            String(r.statistics.wireBytes), d(m.compressionRatio), String(r.statistics.produceRequests),
            d(m.avgBatchMsgs), d(m.avgBatchBytes), String(r.latency.p50), String(r.latency.p95), String(r.latency.p99),
            String(r.latency.p999), String(r.latency.max), d(r.cpuSeconds), d(m.msgsPerCpuSecond),
            String(r.interrupted),
        ]
    }

    /// RFC 4180 CSV: a header line and one line per run.
    static func csv(_ results: [BenchResult]) -> String {
        ([csvHeader] + results.map(csvRow)).map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\n")
            + "\n"
    }

    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Parses RFC 4180 CSV (for reading back `--csv` files in tests and scripts).
    static func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { quoted = false }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                row.append(field); field = ""
            } else if c == "\n" || c == "\r\n" {
                row.append(field); rows.append(row); row = []; field = ""
            } else if c != "\r" {
                field.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }

    // MARK: The matrix's reading

    /// One paragraph on the trade-off a matrix shows. It weighs what each
    /// combination costs per message (produce requests, messages per batch,
    /// CPU per message) against what it costs in latency (p50, p99), and
    /// names a throughput winner only when the runs were long enough to rate
    /// and the winner leads beyond the measured spread. `paced`: the rate
    /// every run was held to (then msgs/s is the rate, not a result).
    static func matrixReading(_ rows: [BenchRow], keys: [String], paced: Int? = nil) -> String {
        let measured = rows.filter { $0.median.msgsPerSec.isFinite && $0.median.msgsPerSec > 0 }
        guard measured.count >= 2 else { return "Too few combinations completed to read a trade-off." }
        var parts: [String] = []
        if let paced {
            parts.append(
                "Paced at \(grouped(Double(paced))) msgs/s, every combination sent the same rate, so msgs/s is the pace, not a result: read requests, messages per batch, p50 and CPU per message."
            )
        }
        func column(_ header: String) -> Column { columns.first { $0.header == header }! }
        // Requests and batching: deterministic enough to compare run by run.
        let withRequests = measured.filter { $0.median.produceRequests.isFinite && $0.median.produceRequests > 0 }
        if let fewest = withRequests.min(by: { $0.median.produceRequests < $1.median.produceRequests }),
            let most = withRequests.max(by: { $0.median.produceRequests < $1.median.produceRequests }),
            most.median.produceRequests > fewest.median.produceRequests * 1.1
        {
            let f = fewest.median, m = most.median
            var text =
                "\(fewest.label) sends the fewest produce requests (\(grouped(f.produceRequests)), \(fixed(f.avgBatchMsgs, 0)) msgs per batch), "
                + "\(fixed(m.produceRequests / f.produceRequests, 1))× fewer than \(most.label) (\(grouped(m.produceRequests)), \(fixed(m.avgBatchMsgs, 0)) per batch)"
            let cpu = measured.map { $0.runs.map(\.metrics.msgsPerCpuSecond) }
            if let best = BenchNoise.distinctBest(cpu, better: .higher) {
                let b = measured[best]
                text +=
                    "; \(b.label) does the most work per CPU-second (\(grouped(b.median.msgsPerCpuSecond)) msgs/CPU-s"
                if b.label != most.label, most.median.msgsPerCpuSecond.isFinite, most.median.msgsPerCpuSecond > 0 {
                    text += ", \(fixed(b.median.msgsPerCpuSecond / most.median.msgsPerCpuSecond, 1))× \(most.label)'s"
                }
                text += ")"
            } else {
                text += "; CPU per message differs by less than the measured spread"
            }
            text += "."
            if let lowP50 = measured.filter({ $0.median.p50Micros.isFinite }).min(by: {
                $0.median.p50Micros < $1.median.p50Micros
            }),
                lowP50.label != fewest.label, f.p50Micros.isFinite
            {
                text +=
                    " The price is latency: p50 \(ms(f.p50Micros)) for \(fewest.label) against \(ms(lowP50.median.p50Micros)) for \(lowP50.label)."
            }
            parts.append(text)
        }
        // Throughput: only from runs long enough, and only beyond the spread.
        let rateable = !measured.contains(where: \.tooShortToRate)
        let fastestIndex = rateable && paced == nil ? distinctBest(measured, column: column("msgs/s")) : nil
        let quickestIndex = distinctBest(measured, column: column("p99 ms"))
        if let fi = fastestIndex, let qi = quickestIndex {
            let fastest = measured[fi], quickest = measured[qi], f = fastest.median, q = quickest.median
            if fi == qi {
                parts.append(
                    "\(fastest.label) wins both throughput (\(grouped(f.msgsPerSec)) msgs/s) and p99 (\(ms(f.p99Micros))): no trade-off on this workload."
                )
            } else {
                let gain = (f.msgsPerSec / q.msgsPerSec - 1) * 100
                parts.append(
                    "\(fastest.label) gives the most throughput (\(grouped(f.msgsPerSec)) msgs/s, p99 \(ms(f.p99Micros))); "
                        + "\(quickest.label) the lowest p99 (\(ms(q.p99Micros)), \(grouped(q.msgsPerSec)) msgs/s). "
                        + "Choosing throughput buys \(fixed(gain, 0)) % more messages per second for \(fixed(f.p99Micros / max(q.p99Micros, 1), 1))× the p99."
                )
            }
        } else {
            if let fi = fastestIndex {
                parts.append(
                    "\(measured[fi].label) gives the most throughput (\(grouped(measured[fi].median.msgsPerSec)) msgs/s)."
                )
            } else if paced == nil {
                parts.append(
                    rateable
                        ? "No combination is faster beyond the measured spread."
                        : "The runs were too short to rate msgs/s (under \(fixed(BenchNoise.minimumSeconds, 1)) s each)."
                )
            }
            if let qi = quickestIndex {
                parts.append("\(measured[qi].label) has the lowest p99 (\(ms(measured[qi].median.p99Micros))).")
            } else {
                parts.append("No combination has a lower p99 beyond the measured spread.")
            }
        }
        // Which property, varied alone, moves the median throughput most.
        if fastestIndex != nil {
            var strongest: (key: String, low: String, high: String, factor: Double)?
            for key in keys {
                var byValue: [String: [Double]] = [:]
                var order: [String] = []
                for row in measured {
                    guard let v = row.runs[0].settings.first(where: { $0.key == key })?.value else { continue }
                    if byValue[v] == nil { order.append(v) }
                    byValue[v, default: []].append(row.median.msgsPerSec)
                }
                guard order.count >= 2 else { continue }
                let means = order.map { v in (v, byValue[v]!.reduce(0, +) / Double(byValue[v]!.count)) }
                guard let lo = means.min(by: { $0.1 < $1.1 }), let hi = means.max(by: { $0.1 < $1.1 }), lo.1 > 0 else {
                    continue
                }
                let factor = hi.1 / lo.1
                if factor > (strongest?.factor ?? 0) { strongest = (key, lo.0, hi.0, factor) }
            }
            if let s = strongest {
                parts.append(
                    "\(s.key) matters most here: \(s.key)=\(s.high) averages \(fixed(s.factor, 1))× the throughput of \(s.key)=\(s.low)."
                )
            }
        }
        return parts.joined(separator: " ")
    }

    // MARK: Formatting

    static func fixed(_ v: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", v) }

    static func ms(_ micros: Double) -> String { fixed(micros / 1000, 2) + " ms" }

    /// 1234567 -> "1,234,567".
    static func grouped(_ v: Double) -> String {
        guard v.isFinite else { return "-" }
        let n = Int64(v.rounded())
        let digits = String(abs(n))
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }
}
