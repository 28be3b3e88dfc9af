import Kafka

/// `help config <property>`: librdkafka's own description, scope, range and
/// default, and what this session has.
enum HelpConfig {
    static func show(_ name: String?, ctx: CommandContext) throws {
        guard let name else { return try listLabProperties(ctx: ctx) }
        let (scope, key) = try ClientSettings.resolve(name)
        guard let p = ConfigCatalog.property(named: key) else { return }
        let current = ctx.session.settings[scope][key]
        let scopeText =
            switch p.scope {
            case .both: "producer and consumer"
            case .producer: "producer"
            case .consumer: "consumer"
            }
        var rows: [[String]] = [
            ["property", p.name], ["scope", scopeText], ["range", p.range.isEmpty ? "-" : p.range],
            ["default", p.defaultValue.isEmpty ? "(none)" : p.defaultValue], ["importance", p.importance],
            ["session", current.map { Secrets.display(key, $0) } ?? "default"],
        ]
        if let lab = PropertyNotes.note(for: key) { rows.append(["in the labs", lab]) }
        rows.append(["description", p.description])
        if ctx.output.isJSON {
            // The session's value is `value` (null when unset), a string like every property value.
            ctx.output.setResult(
                .object(
                    rows.map { row in
                        row[0] == "session"
                            ? ("value", .optional(current.map { Secrets.display(key, $0) }))
                            : (TextTable.snakeCase(row[0]), .string(row[1]))
                    }))
        } else {
            var t = TextTable(headers: ["", ""])
            t.rows = rows
            ctx.output.line(t.render().split(separator: "\n").dropFirst().joined(separator: "\n"))
        }
    }

    /// `help config` alone: the properties the labs turn, and how to ask about any other.
    static func listLabProperties(ctx: CommandContext) throws {
        var table = TextTable(headers: ["PROPERTY", "DEFAULT", "WHAT TURNING IT DOES"])
        table.jsonRows = []
        for key in PropertyNotes.notes.keys.sorted() {
            let def = ConfigCatalog.property(named: key)?.defaultValue ?? ""
            let note = PropertyNotes.note(for: key) ?? ""
            table.append([key, def, note])
            table.jsonRows?.append([.string(key), def.isEmpty ? .null : .string(def), .string(note)])
        }
        ctx.output.table(table)
        ctx.output.hint(
            "`help config <property>` describes any of librdkafka's \(ConfigCatalog.names.count) properties; `show config --all` lists them with their defaults"
        )
    }
}
