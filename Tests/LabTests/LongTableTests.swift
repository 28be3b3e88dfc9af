import Testing

@testable import Lab

@Suite("Long tables: cut at a terminal, whole when piped or with --all")
struct LongTableTests {
    private func render(rows: Int, terminal: Bool, all: Bool) -> String {
        let buffer = OutputBuffer()
        let out = Output(
            isTerminal: terminal, writeOut: { buffer.stdout += $0 }, writeErr: { buffer.stderr += $0 })
        var table = TextTable(headers: ["PARTITION"])
        for i in 0..<rows { table.append(["\(i)"]) }
        out.longTable(table, all: all, noun: "partitions")
        return buffer.stdout
    }

    @Test func aTerminalSeesWhatFitsThenHowManyMore() {
        let cut = render(rows: 3_000, terminal: true, all: false)
        let lines = cut.split(separator: "\n")
        let limit = max(10, Output(isTerminal: true, writeOut: { _ in }, writeErr: { _ in }).terminalRows - 8)
        #expect(lines.count == limit + 2, "header, \(limit) rows, the line saying how many more")
        #expect(cut.contains("\(TextTable.grouped(3_000 - limit)) more partitions; --all lists every row"))
        #expect(render(rows: 3_000, terminal: true, all: true).split(separator: "\n").count == 3_001)
        #expect(render(rows: 3_000, terminal: false, all: false).split(separator: "\n").count == 3_001)
        #expect(render(rows: 5, terminal: true, all: false).split(separator: "\n").count == 6)
    }

    /// Issue 28 item 6: `show config --all` wrapped every row at 160 columns (builtin.features'
    /// value alone is 150 characters). At a terminal the value columns are cut with "…"; the
    /// property column keeps every character; a pipe gets the whole values.
    @Test func wideValuesAreCutToTheTerminalWidthNotWrapped() {
        let features = "gzip, snappy, ssl, sasl, regex, lz4, sasl_gssapi, sasl_plain, sasl_scram, plugins, zstd"
        var table = TextTable(headers: ["SCOPE", "PROPERTY", "VALUE", "DEFAULT"])
        table.append(["default", "builtin.features", features, features])
        table.append(["producer", "ssl.endpoint.identification.algorithm", "https", "https"])
        let fitted = table.fitted(width: 80, shrinking: [2, 3]).render()
        let lines = fitted.split(separator: "\n")
        #expect(lines.allSatisfy { $0.count <= 80 }, "\(fitted)")
        #expect(lines[1].hasPrefix("default   builtin.features "), "\(fitted)")
        #expect(lines[1].contains("…"))
        #expect(lines[2].contains("ssl.endpoint.identification.algorithm  https"), "\(fitted)")
        // Columns line up: every VALUE starts at the header's column.
        let column = lines[0].distance(from: lines[0].startIndex, to: lines[0].range(of: "VALUE")!.lowerBound)
        #expect(lines[1].dropFirst(column).hasPrefix("gzip"))
        #expect(lines[2].dropFirst(column).hasPrefix("https"))
        // A table that fits is left alone; so is a pipe.
        #expect(table.fitted(width: 400).render() == table.render())
        let buffer = OutputBuffer()
        Output(isTerminal: false, writeOut: { buffer.stdout += $0 }, writeErr: { _ in })
            .fittedTable(table, shrinking: [2, 3])
        #expect(buffer.stdout.contains(features + "  " + features))
    }

    @Test func digestCountsLeadersUnderReplicatedAndMessages() {
        let rows = [
            PartitionDigest.Row(leader: 1, replicas: 3, isr: 3, low: 0, high: 5),
            PartitionDigest.Row(leader: 2, replicas: 3, isr: 2, low: 2, high: 2),
            PartitionDigest.Row(leader: 1, replicas: 3, isr: 3, low: nil, high: nil),
        ]
        #expect(
            PartitionDigest.line(rows)
                == "3 partitions; leaders: broker 1 ×2, 2 ×1; under-replicated 1; 5 messages in 1 partitions (high watermarks 2-5); 1 without watermarks (?)"
        )
        #expect(PartitionDigest.offsets([(0, 0, 3), (7, 1, 5)]) == "2 partitions, offsets 0-5")
        #expect(TextTable.grouped(1_897) == "1,897")
        #expect(TextTable.grouped(-1_234_567) == "-1,234,567")
    }
}
