/// A table of text cells with a header, rendered with aligned columns.
/// In JSON mode the same table becomes an array of objects keyed by the
/// header's snake_case names, so both outputs carry the same facts.
public struct TextTable: Sendable {
    public enum Alignment: Sendable { case left, right }

    public var headers: [String]
    public var alignments: [Alignment]
    public var rows: [[String]]
    /// Typed values for JSON, one per cell; when absent the text is used
    /// (numbers that parse as integers become JSON numbers).
    public var jsonRows: [[JSONValue]]?
    /// JSON keys, one per column, where the header's snake_case name is not
    /// the convention's key (`RF` is `replication_factor`).
    public var jsonKeys: [String]?

    public init(headers: [String], alignments: [Alignment]? = nil, rows: [[String]] = []) {
        self.headers = headers
        self.alignments = alignments ?? headers.map { _ in .left }
        self.rows = rows
    }

    public mutating func append(_ row: [String]) { rows.append(row) }

    /// Renders aligned columns separated by two spaces. Widths count
    /// characters, not bytes, so arrows and bars line up.
    public func render(bold: Bool = false) -> String {
        let columnCount = headers.count
        var widths = headers.map { $0.count }
        for row in rows {
            for (i, cell) in row.prefix(columnCount).enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        func format(_ row: [String]) -> String {
            var parts: [String] = []
            for i in 0..<columnCount {
                let cell = i < row.count ? row[i] : ""
                let pad = String(repeating: " ", count: max(0, widths[i] - cell.count))
                let isLast = i == columnCount - 1
                switch alignments[i] {
                case .left: parts.append(isLast ? cell : cell + pad)
                case .right: parts.append(pad + cell)
                }
            }
            return parts.joined(separator: "  ")
        }
        var lines = [format(headers)]
        if bold { lines[0] = "\u{1B}[1m" + lines[0] + "\u{1B}[0m" }
        lines += rows.map(format)
        return lines.joined(separator: "\n")
    }

    /// The table narrowed to `width` characters a line: the `shrinking` columns (all, when nil)
    /// lose characters widest first, and a cell longer than its column ends in "…". Unchanged
    /// when it fits; as narrow as the columns allow when it cannot. For text at a terminal (`Output.fittedTable`); a pipe and JSON get
    /// every character.
    public func fitted(width: Int, shrinking: Set<Int>? = nil) -> TextTable {
        let columnCount = headers.count
        var widths = headers.map { $0.count }
        for row in rows {
            for (i, cell) in row.prefix(columnCount).enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        let narrowest = 6
        let shrinkable = (shrinking ?? Set(0..<columnCount)).filter { $0 < columnCount }
        var excess = widths.reduce(0, +) + 2 * max(columnCount - 1, 0) - width
        guard excess > 0 else { return self }
        while excess > 0 {
            guard let widest = shrinkable.filter({ widths[$0] > narrowest }).max(by: { widths[$0] < widths[$1] })
            else { break }
            widths[widest] -= 1
            excess -= 1
        }
        func cut(_ cell: String, _ w: Int) -> String { cell.count <= w ? cell : String(cell.prefix(w - 1)) + "…" }
        var out = self
        out.headers = headers.enumerated().map { cut($1, widths[$0]) }
        out.rows = rows.map { row in row.enumerated().map { $0 < columnCount ? cut($1, widths[$0]) : $1 } }
        return out
    }

    public var json: JSONValue {
        let keys = jsonKeys ?? headers.map(TextTable.snakeCase)
        return .array(
            rows.enumerated().map { index, row in
                .object(
                    keys.enumerated().map { i, key in
                        if let typed = jsonRows?[index], i < typed.count { return (key, typed[i]) }
                        let cell = i < row.count ? row[i] : ""
                        if let n = Int64(cell) { return (key, .int(n)) }
                        return (key, cell.isEmpty ? .null : .string(cell))
                    })
            })
    }

    static func snakeCase(_ header: String) -> String {
        var out = ""
        for ch in header.lowercased() {
            if ch.isLetter || ch.isNumber { out.append(ch) } else if !out.hasSuffix("_") { out.append("_") }
        }
        while out.hasSuffix("_") { out.removeLast() }
        return out
    }

    /// 1897 -> "1,897".
    public static func grouped<T: BinaryInteger>(_ v: T) -> String {
        let digits = String(v.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return v < 0 ? "-" + out : out
    }
}
