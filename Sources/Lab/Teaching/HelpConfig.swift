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
        // The session's value is `value` (null when unset), a string like every property value.
        ctx.output.emit(HelpConfigResult(p, scope: scopeText, value: current.map { Secrets.display(key, $0) }))
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
