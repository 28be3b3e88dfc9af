import Kafka

/// The typed results of the teaching commands: each renders its own text, and its JSON is its
/// encoding (`CommandResult`), so the two carry the same words.

/// `explain <concept>`: the concept's text, its comparison table if it has one, and the commands
/// that show it at work.
struct ExplainResult: CommandResult {
    let concept: String
    let title: String
    let text: String
    let commands: [String]
    /// Nil for a concept without a comparison table.
    let table: ConceptTable?

    init(_ concept: Concept) {
        self.concept = concept.name
        title = concept.title
        text = concept.text
        commands = concept.commands
        table = concept.table
    }

    func render(into out: Output) {
        out.line(out.bold(title))
        out.line()
        for paragraph in text.components(separatedBy: "\n\n") {
            out.line(out.wrapped(paragraph))
            out.line()
        }
        if let t = table {
            var table = TextTable(headers: t.headers)
            for row in t.rows { table.append(row) }
            out.table(table)
            out.line()
        }
        out.line("see it: " + commands.map { "`\($0)`" }.joined(separator: ", "))
    }
}

/// In JSON a concept's table is its rows, each an object keyed by the column's JSON key.
extension ConceptTable: Encodable {
    func encode(to encoder: any Encoder) throws {
        try JSONValue.array(rows.map { row in .object(zip(keys, row).map { ($0, .string($1)) }) }).encode(to: encoder)
    }
}

/// `help config <property>`: librdkafka's description, scope, range and default, and the
/// session's value (already masked for a secret).
struct HelpConfigResult: CommandResult {
    let property: String
    /// "producer", "consumer" or "producer and consumer".
    let scope: String
    /// librdkafka's range, "-" where it gives none.
    let range: String
    /// librdkafka's default, "(none)" where it has none.
    let `default`: String
    let importance: String
    /// The session's value; nil when unset (the default applies).
    let value: String?
    /// What the labs show about it; nil for a property no lab turns.
    let inTheLabs: String?
    let description: String

    init(_ p: ConfigProperty, scope: String, value: String?) {
        property = p.name
        self.scope = scope
        range = p.range.isEmpty ? "-" : p.range
        self.default = p.defaultValue.isEmpty ? "(none)" : p.defaultValue
        importance = p.importance
        self.value = value
        inTheLabs = PropertyNotes.note(for: p.name)
        description = p.description
    }

    func render(into output: Output) {
        var rows: [[String]] = [
            ["property", property], ["scope", scope], ["range", range], ["default", self.default],
            ["importance", importance], ["session", value ?? "default"],
        ]
        if let inTheLabs { rows.append(["in the labs", inTheLabs]) }
        rows.append(["description", description])
        var t = TextTable(headers: ["", ""])
        t.rows = rows
        output.line(t.render().split(separator: "\n").dropFirst().joined(separator: "\n"))
    }
}
