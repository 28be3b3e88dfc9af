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
        out.emit(ExplainResult(concept))
    }
}
