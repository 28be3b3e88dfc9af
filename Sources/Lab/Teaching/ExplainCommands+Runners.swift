/// What `ExplainCommands.swift`'s commands run: one function per command, so that the
/// declarations stay a list of names, options and help.
extension ExplainCommands {
    static func runExplain(_ ctx: CommandContext) throws {
        try ctx.arguments.expectPositionals(atMost: 1)
        let out = ctx.output
        guard let word = ctx.arguments.optionalPositional(0) else {
            var table = TextTable(headers: ["CONCEPT", "WHAT IT IS"])
            for name in Concepts.names { table.append([name, Concepts.table[name]!.title]) }
            out.table(table)
            out.hint("`explain <concept>` prints one")
            return
        }
        guard let concept = Concepts.named(word) else {
            let candidates = Concepts.names + Concepts.table.values.flatMap(\.aliases)
            let near = NearestNames.suggest(word, from: candidates)
                .map { Concepts.named($0)?.name ?? $0 }
            var unique: [String] = []
            for n in near where !unique.contains(n) { unique.append(n) }
            let hint =
                unique.isEmpty ? "`explain` lists the concepts" : "did you mean " + unique.joined(separator: ", ") + "?"
            throw LabError.notFound("unknown concept '\(word)'; \(hint)")
        }
        out.line(out.bold(concept.title))
        out.line()
        for paragraph in concept.text.components(separatedBy: "\n\n") {
            out.line(out.wrapped(paragraph))
            out.line()
        }
        if let t = concept.table {
            var table = TextTable(headers: t.headers)
            for row in t.rows { table.append(row) }
            out.table(table)
            out.line()
        }
        out.line("see it: " + concept.commands.map { "`\($0)`" }.joined(separator: ", "))
        var result: [(String, JSONValue)] = [
            ("concept", .string(concept.name)), ("title", .string(concept.title)),
            ("text", .string(concept.text)), ("commands", .strings(concept.commands)),
        ]
        if let t = concept.table {
            result.append(("table", .array(t.rows.map { row in .object(zip(t.keys, row).map { ($0, .string($1)) }) })))
        }
        out.setResult(.object(result))
    }
}
