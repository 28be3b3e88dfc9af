/// `explain`: the teaching texts of `Concepts`, tied to the commands that show them.
enum ExplainCommands {
    static var all: [Command] { [explain] }

    static let explain = Command(
        "explain", summary: "a short, precise text on a Kafka concept (isr, hw, acks, ...); no argument lists them",
        usage: "explain [<concept>]",
        details: "Each text ends with the commands that let you see the concept at work.",
        completes: .words(Concepts.names)
    ) { ctx in
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
            let hint = unique.isEmpty ? "`explain` lists the concepts" : "did you mean " + unique.joined(separator: ", ") + "?"
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
