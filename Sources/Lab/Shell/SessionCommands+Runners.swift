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
            ctx.output.emit(
                HelpListResult(
                    rows: dispatcher.commands.map { .init(command: $0.name, whatItDoes: $0.summary) }
                        + [.init(command: "quit", whatItDoes: "leave kafkalab (also Ctrl-D)")]))
            return
        }
        if words.count == 1, words[0] == "quit" || words[0] == "exit" {
            ctx.output.emit(
                HelpCommandResult(
                    command: words[0],
                    summary:
                        "leave kafkalab (quit and exit are the same; Ctrl-D too); in a script, stop it there with success",
                    usage: words[0], details: nil, subcommands: []))
            return
        }
        let (command, path, _) = try dispatcher.resolveForHelp(words)
        ctx.output.emit(
            HelpCommandResult(
                command: path, summary: command.summary, usage: command.usage,
                details: command.details.isEmpty ? nil : command.details,
                subcommands: command.subcommands.map { .init(command: "\(path) \($0.name)", summary: $0.summary) }))
    }

    /// The id and epoch the broker gave the session producer, on `status`'s `producer id` line.
    struct ProducerIdLine: Encodable {
        let producerId: Int64?
        let epoch: Int32?
    }

    /// The serving process on `status`'s `served by` line.
    struct ServedByLine: Encodable {
        let pid: Int32
        let controlSocket: String
    }

    static func runStatus(_ ctx: CommandContext) throws {
        try ctx.arguments.expectPositionals(atMost: 0)
        let s = ctx.session
        var lines: [StatusLine] = []
        if let c = s.connection {
            lines.append(StatusLine("cluster", c.label, c.label))
            lines.append(StatusLine("bootstrap", c.bootstrap, c.bootstrap))
            if case .servedMock(let served) = c.control {
                lines.append(
                    StatusLine(
                        "served by",
                        "kafkalab serve, pid \(served.advert.pid), control channel \(served.advert.socket)",
                        ServedByLine(pid: served.advert.pid, controlSocket: served.advert.socket)))
            }
            if let ended = c.control.endedMessage {
                lines.append(StatusLine("brokers", "none: \(ended)", JSONValue.null))
            } else if let md = try? c.client.metadata() {
                let stopped = c.control.stoppedBrokers
                let up = md.brokers.filter { !stopped.contains($0.id) }.map(\.id)
                lines.append(
                    StatusLine(
                        "brokers",
                        up.map(String.init).joined(separator: ",")
                            + (stopped.isEmpty
                                ? "" : " (stopped: \(stopped.sorted().map(String.init).joined(separator: ",")))"),
                        up))
            }
        } else {
            lines.append(StatusLine("cluster", "not connected", JSONValue.null))
        }
        lines.append(StatusLine("topic", s.currentTopic ?? "(none: `use <topic>`)", s.currentTopic))
        // The session producer's id and epoch, once the broker assigned them
        // (idempotent or transactional producers; from statistics, `eos`).
        if let eos = s.sessionProducer?.statistics.value?.eos, eos.hasProducerId {
            lines.append(
                StatusLine(
                    "producer id", "\(eos.producerId!) epoch \(eos.producerEpoch ?? 0)",
                    ProducerIdLine(producerId: eos.producerId, epoch: eos.producerEpoch)))
        }
        lines.append(StatusLine("output", s.output.format.rawValue, s.output.format))
        lines.append(StatusLine("librdkafka", ConfigCatalog.libraryVersion, ConfigCatalog.libraryVersion))
        for state in s.labState.values.sorted(by: { $0.statusOrder < $1.statusOrder }) {
            lines += state.statusLines(in: s)
        }
        // What --cluster, --config and -X set for every client, and where (secrets masked).
        ctx.output.emit(
            StatusResult(
                lines: lines,
                config: configRows(s.settings).map { .init(scope: $0[0], property: $0[1], value: $0[2]) },
                connectionProperties: (s.connection?.profile.displayRows ?? []).map {
                    .init(property: $0.property, value: $0.value, setBy: $0.origin)
                }))
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
        ctx.output.emit(
            UnsetResult(
                scope: change.scope.rawValue, property: change.key,
                previous: change.previous.map { change.isSecret ? "********" : $0 }, default: def.isEmpty ? nil : def))
    }

    static func runShowConfig(_ ctx: CommandContext) throws {
        try ctx.arguments.expectPositionals(atMost: 1)
        let side = ctx.arguments.optionalPositional(0)
        let settings = ctx.session.settings
        var rows: [[String]] = []
        let scopes: [ClientSettings.Scope]
        switch side {
        case nil: scopes = ClientSettings.Scope.allCases
        case "producer": scopes = [.common, .producer]
        case "consumer": scopes = [.common, .consumer]
        default: throw ctx.usageError("show config takes producer or consumer, not '\(side!)'")
        }
        for scope in scopes {
            for (k, v) in ClientSettings.masked(settings[scope]).sorted(by: { $0.key < $1.key }) {
                rows.append([scope.rawValue, k, v, ConfigCatalog.property(named: k)?.defaultValue ?? ""])
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
            let overridden = Set(rows.map { $0[1] })
            for key in applying.keys.sorted() where !overridden.contains(key) {
                rows.append([
                    "connection", key, Secrets.display(key, applying[key]!),
                    ConfigCatalog.property(named: key)?.defaultValue ?? "",
                ])
            }
        }
        if ctx.arguments.has("--all") {
            let set = Set(rows.map { $0[1] })
            for p in ConfigCatalog.properties where !p.isTopicLevel && !set.contains(p.name) {
                let inScope =
                    side == nil || p.scope == .both
                    || (side == "producer" ? p.scope == .producer : p.scope == .consumer)
                if inScope { rows.append(["default", p.name, p.defaultValue, p.defaultValue]) }
            }
        }
        // Property values and defaults are strings, as librdkafka takes them ("5", "all"); empty is null.
        func cell(_ s: String) -> String? { s.isEmpty ? nil : s }
        ctx.output.emit(
            ShowConfigResult(
                rows: rows.map { .init(scope: $0[0], property: $0[1], value: cell($0[2]), default: cell($0[3])) }))
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
        ctx.output.emit(FormatResult(format: f))
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
