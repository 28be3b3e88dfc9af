/// A topic's partitions in one line, printed above a table too long to read:
/// `3,000 partitions; leaders: broker 1 ×1,000, 2 ×1,000, 3 ×1,000; under-replicated 0; 3,000 messages in 1,897 partitions (high watermarks 0-5)`.
/// Kernel code: `topic describe` and `isr` both print it.
struct PartitionDigest {
    struct Row {
        var leader: Int32
        var replicas: Int
        var isr: Int
        var low: Int64?
        var high: Int64?
    }

    /// Above this many partitions a per-partition command prints the digest first.
    static let threshold = 20

    static func line(_ rows: [Row]) -> String {
        var leaders: [Int32: Int] = [:]
        var under = 0
        var messages: Int64 = 0
        var withMessages = 0
        var unknown = 0
        var highs: ClosedRange<Int64>?
        for r in rows {
            leaders[r.leader, default: 0] += 1
            if r.isr < r.replicas { under += 1 }
            guard let low = r.low, let high = r.high else {
                unknown += 1
                continue
            }
            if high > low {
                messages += high - low
                withMessages += 1
            }
            highs = highs.map { min($0.lowerBound, high)...max($0.upperBound, high) } ?? high...high
        }
        let leaderText = leaders.keys.sorted().map { id in
            (id < 0 ? "none" : "\(id)") + " ×" + TextTable.grouped(leaders[id]!)
        }.joined(separator: ", ")
        var text =
            "\(TextTable.grouped(rows.count)) partitions; leaders: broker \(leaderText); under-replicated \(TextTable.grouped(under))"
        text += "; \(TextTable.grouped(messages)) messages in \(TextTable.grouped(withMessages)) partitions"
        if let highs {
            text +=
                " (high watermarks "
                + (highs.lowerBound == highs.upperBound
                    ? "\(highs.lowerBound)" : "\(highs.lowerBound)-\(highs.upperBound)") + ")"
        }
        if unknown > 0 { text += "; \(TextTable.grouped(unknown)) without watermarks (?)" }
        return text
    }

    /// `produce`'s delivered ranges in one phrase when they span many partitions:
    /// `1,897 partitions, offsets 0-5`.
    static func offsets(_ ranges: [(partition: Int32, first: Int64, last: Int64)]) -> String {
        let first = ranges.map(\.first).min() ?? 0
        let last = ranges.map(\.last).max() ?? 0
        return
            "\(TextTable.grouped(ranges.count)) partitions, offsets \(first == last ? "\(first)" : "\(first)-\(last)")"
    }
}
