import Foundation
import Kafka

/// Session commands: help, status, connect, use, set/unset, show config,
/// format, source.
enum SessionCommands {
    static var all: [Command] {
        [help, status, connect, use, set, unset, show, format, source]
    }

    static let help = Command(
        "help", summary: "list commands, or explain one (`help config <property>` for a librdkafka property)",
        usage: "help [<command> [<subcommand>]] | help config <property>",
        completes: .nothing
    ) { ctx in try runHelp(ctx) }

    static let status = Command(
        "status", summary: "the cluster, the current topic and every property you changed",
        usage: "status"
    ) { ctx in try runStatus(ctx) }

    static func configRows(_ settings: ClientSettings) -> [[String]] {
        ClientSettings.Scope.allCases.flatMap { scope in
            ClientSettings.masked(settings[scope]).sorted { $0.key < $1.key }.map {
                [scope.rawValue, $0.key, $0.value]
            }
        }
    }

    static let connect = Command(
        "connect", summary: "connect to a cluster by bootstrap list, by name, or start an embedded one",
        usage:
            "connect <host:port[,host:port...]> | connect <name> | connect --config <file> [<host:port,...>] | connect embedded [<brokers>] | connect compose",
        options: ["--timeout", "--config"],
        details:
            "A name is a client properties file in ${XDG_CONFIG_HOME:-~/.config}/kafkalab/clusters/<name>.properties; --config reads any such file (repeatable, later wins). Java client keys are translated to librdkafka's (sasl.mechanism, sasl.jaas.config, PEM and PKCS#12 stores) and every client of the connection gets them; `status` shows which file set which property. The embedded cluster speaks neither TLS nor SASL.",
        completes: .computedWords({ ["embedded", "compose"] + ClusterFiles.names() })
    ) { ctx in try runConnect(ctx) }

    static let use = Command(
        "use", summary: "make a topic the current one (commands default to it)",
        usage: "use <topic>", completes: .topics
    ) { ctx in try runUse(ctx) }

    static let set = Command(
        "set", summary: "set a librdkafka property for the session's producers and/or consumers",
        usage: "set [producer.|consumer.]<property> <value>",
        details:
            "The scope comes from librdkafka's own table: producer (P), consumer (C) or both (*). Prefix with producer. or consumer. to set a both-scoped property on one side only. librdkafka validates the value.",
        completes: .properties
    ) { ctx in try runSet(ctx) }

    static let unset = Command(
        "unset", summary: "return a property to librdkafka's default",
        usage: "unset [producer.|consumer.]<property>", completes: .properties
    ) { ctx in try runUnset(ctx) }

    static let show = Command(
        "show", summary: "show the session's configuration",
        usage: "show config [producer|consumer]",
        subcommands: [
            Command(
                "config",
                summary: "properties you set, by scope, and those the connection's files set (secrets masked)",
                usage: "show config [producer|consumer] [--all]", flags: ["--all"],
                completes: .words(["producer", "consumer"])
            ) { ctx in try runShowConfig(ctx) }
        ]
    )

    static let format = Command(
        "format", summary: "print tables (default) or JSON documents",
        usage: "format table|json", completes: .words(["table", "json"])
    ) { ctx in try runFormat(ctx) }

    static let source = Command(
        "source", summary: "run the commands in a file, stopping at the first failure",
        usage: "source <file> [--keep-going]", flags: ["--keep-going"]
    ) { ctx in try runSource(ctx) }
}

extension Dispatcher {
    /// Like `resolve`, but a family without its own action is fine to describe.
    func resolveForHelp(_ words: [String]) throws -> (Command, String, [String]) {
        guard let first = words.first, var command = command(named: first) else {
            let near = NearestNames.suggest(words.first ?? "", from: commands.map(\.name))
            throw LabError.invalid(
                "no command '\(words.first ?? "")'"
                    + (near.isEmpty ? "" : "; did you mean " + near.joined(separator: ", ") + "?"))
        }
        var path = first
        for word in words.dropFirst() {
            guard let sub = command.subcommand(word) else { break }
            command = sub
            path += " " + word
        }
        return (command, path, [])
    }
}
