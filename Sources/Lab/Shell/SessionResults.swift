/// The typed results of the session commands: each renders its own text, and its JSON is its
/// encoding (`CommandResult`).

/// `use <topic>`.
struct UseResult: CommandResult {
    let topic: String
    let partitions: Int

    func render(into output: Output) {
        output.line("using \(topic) (\(partitions) partitions)")
    }
}

/// `set <property> <value>`: a secret's values are already masked here.
struct SetResult: CommandResult {
    let scope: String
    let property: String
    let previous: String?
    let value: String
    let revert: String

    func render(into output: Output) {
        output.line("\(property) (\(scope)): \(previous ?? "default") → \(value); to revert: \(revert)")
    }
}

/// `help`: every command and what it does.
struct HelpListResult: CommandResult {
    struct Row: Encodable, Equatable {
        let command: String
        let whatItDoes: String
    }

    let rows: [Row]

    func render(into output: Output) {
        var table = TextTable(headers: ["COMMAND", "WHAT IT DOES"])
        for r in rows { table.append([r.command, r.whatItDoes]) }
        output.table(table)
        output.hint("`help <command>` for its usage; `--json` after any command prints JSON")
    }
}

/// `help <command>`: its summary, usage, details and subcommands.
struct HelpCommandResult: CommandResult {
    struct Subcommand: Encodable, Equatable {
        /// The whole path (`topic create`).
        let command: String
        let summary: String
    }

    let command: String
    let summary: String
    let usage: String
    /// Null when the command has none.
    let details: String?
    let subcommands: [Subcommand]

    func render(into output: Output) {
        output.line("\(command): \(summary)")
        output.line("usage: \(usage)")
        if let details { output.line(details) }
        if !subcommands.isEmpty {
            var table = TextTable(headers: ["SUBCOMMAND", "WHAT IT DOES"])
            for s in subcommands { table.append([s.command, s.summary]) }
            output.table(table)
        }
    }
}

/// `status`: one line per fact (the session's own, then each lab's), the properties set, and what
/// the connection's files and -X set. A line's JSON key is its text key in snake_case.
struct StatusResult: CommandResult {
    struct ConfigRow: Encodable, Equatable {
        let scope: String
        let property: String
        /// As librdkafka takes it; masked for a secret.
        let value: String
    }

    struct ConnectionProperty: Encodable, Equatable {
        let property: String
        /// Masked for a secret.
        let value: String
        /// The file and line, or `-X`.
        let setBy: String
    }

    let lines: [StatusLine]
    let config: [ConfigRow]
    let connectionProperties: [ConnectionProperty]

    enum CodingKeys: String, CodingKey {
        case config, connectionProperties
    }

    func encode(to encoder: any Encoder) throws {
        var facts = encoder.container(keyedBy: JSONKey.self)
        for line in lines { try facts.encode(line.json, forKey: JSONKey(TextTable.snakeCase(line.key))) }
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(config, forKey: .config)
        try c.encode(connectionProperties, forKey: .connectionProperties)
    }

    func render(into output: Output) {
        var table = TextTable(headers: ["", ""])
        table.rows = lines.map { [$0.key, $0.text] }
        // In the same aligned column as the lines above when nothing is set.
        if config.isEmpty { table.rows.append(["config", "librdkafka defaults (nothing set)"]) }
        output.line(table.render().split(separator: "\n").dropFirst().joined(separator: "\n"))
        if !connectionProperties.isEmpty {
            var t = TextTable(headers: ["CONNECTION PROPERTY", "VALUE", "SET BY"])
            t.rows = connectionProperties.map { [$0.property, $0.value, $0.setBy] }
            output.table(t)
        }
        if !config.isEmpty {
            var t = TextTable(headers: ["SCOPE", "PROPERTY", "VALUE"])
            t.rows = config.map { [$0.scope, $0.property, $0.value] }
            output.table(t)
        }
    }
}

/// `unset <property>`: the property is back at librdkafka's default.
struct UnsetResult: CommandResult {
    let scope: String
    let property: String
    /// The value it had (masked for a secret); null when it was not set.
    let previous: String?
    /// Always null: the property has no value of the session's now.
    let value: String?
    /// librdkafka's default; null when it has none.
    let `default`: String?

    init(scope: String, property: String, previous: String?, default: String?) {
        self.scope = scope
        self.property = property
        self.previous = previous
        value = nil
        self.default = `default`
    }

    func render(into output: Output) {
        let def = self.default.map { " (\($0))" } ?? ""
        if let previous {
            output.line("\(property) (\(scope)): \(previous) → default\(def)")
        } else {
            output.line("\(property) was not set; it stays at the default\(def)")
        }
    }
}

/// `show config`: the properties set, by scope, those the connection's files set, and with --all
/// every default.
struct ShowConfigResult: CommandResult {
    struct Row: Encodable, Equatable {
        /// common, producer, consumer, connection, or default (`--all`).
        let scope: String
        let property: String
        /// As librdkafka takes it (masked for a secret); null when empty.
        let value: String?
        /// librdkafka's default; null when it has none.
        let `default`: String?
    }

    let rows: [Row]

    func render(into output: Output) {
        guard !rows.isEmpty else {
            output.line("nothing set: every property has librdkafka's default (`show config --all` lists them)")
            return
        }
        var table = TextTable(headers: ["SCOPE", "PROPERTY", "VALUE", "DEFAULT"])
        table.rows = rows.map { [$0.scope, $0.property, $0.value ?? "", $0.default ?? ""] }
        // builtin.features alone is 150 characters: values are cut at a terminal, not wrapped.
        output.fittedTable(table, shrinking: [2, 3])
    }
}

/// `format table|json`: how the session prints from now on.
struct FormatResult: CommandResult {
    let format: OutputFormat

    func render(into output: Output) {
        output.line(format == .table ? "output: tables" : "output: JSON")
    }
}

extension OutputFormat: Encodable {}
