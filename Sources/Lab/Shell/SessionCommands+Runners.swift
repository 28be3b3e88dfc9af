import Foundation
import Kafka

/// What `SessionCommands.swift`'s commands run: one function per command, so that the
/// declarations stay a list of names, options and help.
extension SessionCommands {
    static func runHelp(_ ctx: CommandContext) throws {
        guard let dispatcher = ctx.session.dispatcher else { return }
        let words = ctx.arguments.positionals
        if words.first == "config" {
            try HelpConfig.show(words.dropFirst().first, ctx: ctx)
            return
        }
        if words.isEmpty {
            var table = TextTable(headers: ["COMMAND", "WHAT IT DOES"])
            for c in dispatcher.commands {
                table.append([c.name, c.summary])
            }
            table.append(["quit", "leave kafkalab (also Ctrl-D)"])
            ctx.output.table(table)
            ctx.output.hint("`help <command>` for its usage; `--json` after any command prints JSON")
            return
        }
        if words.count == 1, words[0] == "quit" || words[0] == "exit" {
            ctx.output.line(
                "\(words[0]): leave kafkalab (quit and exit are the same; Ctrl-D too); in a script, stop it there with success"
            )
            ctx.output.line("usage: \(words[0])")
            ctx.output.setResult(
                .object([
                    ("command", .string(words[0])), ("summary", "leave kafkalab (also Ctrl-D)"),
                    ("usage", .string(words[0])),
                ]))
            return
        }
        let (command, path, _) = try dispatcher.resolveForHelp(words)
        ctx.output.line("\(path): \(command.summary)")
        ctx.output.line("usage: \(command.usage)")
        if !command.details.isEmpty { ctx.output.line(command.details) }
        if !command.subcommands.isEmpty {
            var table = TextTable(headers: ["SUBCOMMAND", "WHAT IT DOES"])
            for s in command.subcommands { table.append(["\(path) \(s.name)", s.summary]) }
            ctx.output.table(table)
        }
        ctx.output.setResult(
            .object([
                ("command", .string(path)), ("summary", .string(command.summary)), ("usage", .string(command.usage)),
                ("details", command.details.isEmpty ? .null : .string(command.details)),
                (
                    "subcommands",
                    .array(
                        command.subcommands.map {
                            .object([("command", .string("\(path) \($0.name)")), ("summary", .string($0.summary))])
                        })
                ),
            ]))
    }

    static func runStatus(_ ctx: CommandContext) throws {
        try ctx.arguments.expectPositionals(atMost: 0)
        let s = ctx.session
        var pairs: [(String, JSONValue)] = []
        var rows: [[String]] = []
        func add(_ key: String, _ text: String, _ json: JSONValue) {
            rows.append([key, text])
            pairs.append((TextTable.snakeCase(key), json))
        }
        if let c = s.connection {
            add("cluster", c.label, .string(c.label))
            add("bootstrap", c.bootstrap, .string(c.bootstrap))
            if case .servedMock(let served) = c.control {
                add(
                    "served by", "kafkalab serve, pid \(served.advert.pid), control channel \(served.advert.socket)",
                    .object([("pid", .integer(served.advert.pid)), ("control_socket", .string(served.advert.socket))]))
            }
            if let ended = c.control.endedMessage {
                add("brokers", "none: \(ended)", .null)
            } else if let md = try? c.client.metadata() {
                let stopped = c.control.stoppedBrokers
                let up = md.brokers.filter { !stopped.contains($0.id) }.map(\.id)
                add(
                    "brokers",
                    up.map(String.init).joined(separator: ",")
                        + (stopped.isEmpty
                            ? "" : " (stopped: \(stopped.sorted().map(String.init).joined(separator: ",")))"),
                    .ints(up))
            }
        } else {
            add("cluster", "not connected", .null)
        }
        add("topic", s.currentTopic ?? "(none: `use <topic>`)", .optional(s.currentTopic))
        // The session producer's id and epoch, once the broker assigned them
        // (idempotent or transactional producers; from statistics, `eos`).
        if let eos = s.sessionProducer?.statistics.value?.eos, eos.hasProducerId {
            add(
                "producer id", "\(eos.producerId!) epoch \(eos.producerEpoch ?? 0)",
                .object([("producer_id", .optional(eos.producerId)), ("epoch", .optional(eos.producerEpoch))]))
        }
        add("output", s.output.format.rawValue, .string(s.output.format.rawValue))
        add("librdkafka", ConfigCatalog.libraryVersion, .string(ConfigCatalog.libraryVersion))
        for state in s.labState.values.sorted(by: { $0.statusOrder < $1.statusOrder }) {
            for line in state.statusLines(in: s) { add(line.key, line.text, line.json) }
        }
        let changed = configRows(s.settings)
        // In the same aligned column as the lines above when nothing is set.
        if changed.isEmpty { rows.append(["config", "librdkafka defaults (nothing set)"]) }
        var table = TextTable(headers: ["", ""])
        table.rows = rows
        // What --cluster, --config and -X set for every client, and where (secrets masked).
        let connectionRows = s.connection?.profile.displayRows ?? []
        if ctx.output.isJSON {
            pairs.append(("config", configJSON(s.settings)))
            pairs.append(
                (
                    "connection_properties",
                    .array(
                        connectionRows.map {
                            .object([
                                ("property", .string($0.property)), ("value", .string($0.value)),
                                ("set_by", .string($0.origin)),
                            ])
                        })
                ))
            ctx.output.setResult(.object(pairs))
        } else {
            ctx.output.line(table.render().split(separator: "\n").dropFirst().joined(separator: "\n"))
            if !connectionRows.isEmpty {
                var t = TextTable(headers: ["CONNECTION PROPERTY", "VALUE", "SET BY"])
                t.rows = connectionRows.map { [$0.property, $0.value, $0.origin] }
                ctx.output.table(t)
            }
            if !changed.isEmpty {
                var t = TextTable(headers: ["SCOPE", "PROPERTY", "VALUE"])
                t.rows = changed
                ctx.output.table(t)
            }
        }
    }

    static func runUse(_ ctx: CommandContext) throws {
        try ctx.arguments.expectPositionals(atMost: 1)
        let name = try ctx.arguments.positional(0, "<topic>")
        let topic = try ctx.session.requireTopic(name)
        ctx.session.currentTopic = name
        ctx.output.emit(UseResult(topic: name, partitions: topic.partitions.count))
    }

    static func runSet(_ ctx: CommandContext) throws {
        try ctx.arguments.expectPositionals(atMost: 2)
        let key = try ctx.arguments.positional(0, "<property>")
        let value = try ctx.arguments.positional(1, "<value>")
        let base = ctx.session.validationBase
        let change = try ctx.session.updateSettings { try $0.set(key, value, over: base) }
        let shown = change.isSecret ? "********" : value
        let before = change.previous.map { change.isSecret ? "********" : $0 }
        let revert =
            change.previous.map { "set \(change.key) \(change.isSecret ? "<previous>" : $0)" } ?? "unset \(change.key)"
        ctx.output.emit(
            SetResult(
                scope: change.scope.rawValue, property: change.key, previous: before, value: shown, revert: revert))
    }

    static func runUnset(_ ctx: CommandContext) throws {
        try ctx.arguments.expectPositionals(atMost: 1)
        let key = try ctx.arguments.positional(0, "<property>")
        let base = ctx.session.validationBase
        let change = try ctx.session.updateSettings { try $0.unset(key, over: base) }
        let def = ConfigCatalog.property(named: change.key)?.defaultValue ?? ""
        if let previous = change.previous {
            let shown = change.isSecret ? "********" : previous
            ctx.output.line(
                "\(change.key) (\(change.scope.rawValue)): \(shown) → default\(def.isEmpty ? "" : " (\(def))")")
        } else {
            ctx.output.line("\(change.key) was not set; it stays at the default\(def.isEmpty ? "" : " (\(def))")")
        }
        ctx.output.setResult(
            .object([
                ("scope", .string(change.scope.rawValue)), ("property", .string(change.key)),
                ("previous", .optional(change.previous.map { change.isSecret ? "********" : $0 })),
                ("value", .null), ("default", def.isEmpty ? .null : .string(def)),
            ]))
    }

    static func runShowConfig(_ ctx: CommandContext) throws {
        try ctx.arguments.expectPositionals(atMost: 1)
        let side = ctx.arguments.optionalPositional(0)
        let settings = ctx.session.settings
        var table = TextTable(headers: ["SCOPE", "PROPERTY", "VALUE", "DEFAULT"])
        let scopes: [ClientSettings.Scope]
        switch side {
        case nil: scopes = ClientSettings.Scope.allCases
        case "producer": scopes = [.common, .producer]
        case "consumer": scopes = [.common, .consumer]
        default: throw ctx.usageError("show config takes producer or consumer, not '\(side!)'")
        }
        for scope in scopes {
            for (k, v) in ClientSettings.masked(settings[scope]).sorted(by: { $0.key < $1.key }) {
                table.append([scope.rawValue, k, v, ConfigCatalog.property(named: k)?.defaultValue ?? ""])
            }
        }
        // What the connection's --config files and -X give every client (masked), unless a `set` overrides it.
        if let profile = ctx.session.connection?.profile {
            let sides: [ClientSide] =
                switch side {
                case "producer": [.producer]
                case "consumer": [.consumer]
                default: [.producer, .consumer]
                }
            let applying = sides.reduce(into: [String: String]()) {
                $0.merge(profile.properties(for: $1)) { a, _ in a }
            }
            let overridden = Set(table.rows.map { $0[1] })
            for key in applying.keys.sorted() where !overridden.contains(key) {
                table.append([
                    "connection", key, Secrets.display(key, applying[key]!),
                    ConfigCatalog.property(named: key)?.defaultValue ?? "",
                ])
            }
        }
        if ctx.arguments.has("--all") {
            let set = Set(table.rows.map { $0[1] })
            for p in ConfigCatalog.properties where !p.isTopicLevel && !set.contains(p.name) {
                let inScope =
                    side == nil || p.scope == .both
                    || (side == "producer" ? p.scope == .producer : p.scope == .consumer)
                if inScope { table.append(["default", p.name, p.defaultValue, p.defaultValue]) }
            }
        }
        // Property values and defaults are strings, as librdkafka takes them ("5", "all").
        table.jsonRows = table.rows.map { $0.map { $0.isEmpty ? .null : .string($0) } }
        if table.rows.isEmpty && !ctx.output.isJSON {
            ctx.output.line("nothing set: every property has librdkafka's default (`show config --all` lists them)")
        } else {
            // builtin.features alone is 150 characters: values are cut at a terminal, not wrapped.
            ctx.output.fittedTable(table, shrinking: [2, 3])
        }
    }

    static func runFormat(_ ctx: CommandContext) throws {
        try ctx.arguments.expectPositionals(atMost: 1)
        let word = try ctx.arguments.positional(0, "table or json")
        guard let f = OutputFormat(rawValue: word) else { throw ctx.usageError("unknown format '\(word)'") }
        if f == .table && ctx.output.formatLocked {
            throw LabError.invalid(
                "this run was started with --json, so stdout stays JSON; run without --json to get tables")
        }
        ctx.output.format = f
        if f == .table {
            ctx.output.line("output: tables")
        } else {
            ctx.output.setResult(.object([("format", "json")]))
        }
    }

    static func runSource(_ ctx: CommandContext) throws {
        try ctx.arguments.expectPositionals(atMost: 1)
        let path = try ctx.arguments.positional(0, "<file>")
        guard let dispatcher = ctx.session.dispatcher else { return }
        let expanded = (path as NSString).expandingTildeInPath
        guard let text = try? String(contentsOfFile: expanded, encoding: .utf8) else {
            throw LabError.invalid("cannot read \(path): no such file or not UTF-8 text")
        }
        // A script that sources itself would recurse until the stack ran out:
        // refused at the first repeat, so it is reported once, not once per level.
        let resolved = URL(fileURLWithPath: expanded).standardizedFileURL.resolvingSymlinksInPath().path
        if ctx.session.sourcing.contains(resolved) {
            let chain = (ctx.session.sourcing + [resolved]).map { ($0 as NSString).lastPathComponent }
            throw LabError.invalid(
                "source: \(path) is already being sourced (\(chain.joined(separator: " → "))); a script cannot source itself"
            )
        }
        guard ctx.session.sourceDepth < 8 else {
            throw LabError.invalid("source: scripts nested more than 8 deep; \(path) not run")
        }
        ctx.session.sourcing.append(resolved)
        defer { ctx.session.sourcing.removeLast() }
        let runner = ScriptRunner(dispatcher: dispatcher, keepGoing: ctx.arguments.has("--keep-going"), source: path)
        let result = runner.run(text: text, in: ctx.session, cancellation: ctx.cancellation)
        if !result.succeeded {
            throw LabError.invalid("\(path): \(result.failures.count) command(s) failed")
        }
    }
}
