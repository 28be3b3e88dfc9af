import ArgumentParser
import Lab

/// `kafkalab lag-export ...`: the prompt's `lag export` as a process of its own,
/// connected as the shell would be (--bootstrap, --cluster, --config, -X),
/// serving until Ctrl-C or SIGTERM (exit 130) instead of a script's time limit.
struct LagExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lag-export",
        abstract:
            "Serve consumer lag on http://HOST:PORT/metrics for Prometheus until Ctrl-C (the prompt's `lag export`).",
        discussion:
            "Metrics, collection and scrape behaviour are those of `lag export` (`kafkalab -c 'help lag export'`). Binds 127.0.0.1 unless --listen names another address."
    )

    @OptionGroup var connection: ShellOptions

    @Option(name: .long, help: "A consumer group to export (repeatable).")
    var group: [String] = []

    @Flag(name: .long, help: "Every group the cluster lists (ListGroups), each collection.")
    var allGroups = false

    @Option(name: .long, help: "The address to serve /metrics on.")
    var listen = "127.0.0.1:9308"

    @Option(name: .long, help: "How often to read the offsets (e.g. 15s).")
    var interval = "15s"

    @Option(name: .long, help: "Samples in Burrow's status window.")
    var window = 10

    func validate() throws {
        try connection.validate()
        if connection.command != nil || connection.file != nil {
            throw ValidationError("lag-export runs one command; -c and -f are for the shell")
        }
        if group.isEmpty && !allGroups {
            throw ValidationError("name the groups with --group G (repeatable) or --all-groups")
        }
    }

    func run() throws {
        var words = ["lag", "export", "--listen", listen, "--interval", interval, "--window", String(window)]
        for g in group { words += ["--group", g] }
        if allGroups { words.append("--all-groups") }
        // Until Ctrl-C: a script's wait limit does not apply to a process run for this.
        words += ["--for", "31536000s"]
        var shell = connection
        shell.command = words.map(Self.quoted).joined(separator: " ")
        try shell.runShell()
    }

    /// A word as the tokenizer reads it back: single quotes keep everything but a single quote.
    static func quoted(_ word: String) -> String {
        if !word.isEmpty && word.allSatisfy({ $0.isLetter || $0.isNumber || "._-:/".contains($0) }) { return word }
        if !word.contains("'") { return "'" + word + "'" }
        return "\"" + word.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            + "\""
    }
}
