import ArgumentParser
import Foundation
import Kafka
import Lab
import LineEditor

/// `kafkalab [shell options]` runs the shell (the default subcommand);
/// `kafkalab serve` runs the embedded cluster alone.
@main
struct KafkaLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafkalab",
        abstract: "An interactive shell for exploring Kafka's internals and tuning it.",
        subcommands: [Shell.self, Serve.self, LagExport.self],
        defaultSubcommand: Shell.self
    )

    /// `kafkalab --help` describes the shell and its flags (the default
    /// subcommand), not only the list of subcommands. A bad flag is one line
    /// on stderr and exit status 2, as the help says (ArgumentParser's own
    /// handling prints a usage block and exits 64).
    static func main() {
        // First: every thread started from here on inherits the blocked mask.
        Signals.install()
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "--help" || arguments.first == "-h" || arguments == ["help"] {
            print(KafkaLab.helpMessage(for: Shell.self))
            print(
                "SUBCOMMANDS:\n  serve                   \(Serve.configuration.abstract)\n  lag-export              \(LagExport.configuration.abstract)\n\n  See 'kafkalab serve --help' and 'kafkalab lag-export --help' for their options."
            )
            return
        }
        let command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            exitForStartupError(error)
        }
        do {
            var running = command
            try running.run()
        } catch {
            exitForStartupError(error)
        }
    }

    /// `--help` and `ExitCode` as ArgumentParser handles them; anything else is
    /// a start-up failure: its first line, and exit status 2.
    static func exitForStartupError(_ error: any Error) -> Never {
        if error is ExitCode || exitCode(for: error) == .success { exit(withError: error) }
        let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
        FileHandle.standardError.write(Data("error: \(message); `kafkalab --help` lists the flags\n".utf8))
        Foundation.exit(2)
    }
}

struct Shell: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "An interactive shell for exploring Kafka's internals and tuning it (the default).",
        usage:
            "kafkalab [--bootstrap HOST:PORT,... | --cluster NAME | --config FILE... [-X key=value...] | --embedded [--brokers N]] [--json] [-c \"CMD; CMD\" | -f FILE] [--keep-going] [--compose-file F] [--timeout S]",
        discussion: """
            With no flag it connects to the project's docker-compose cluster when localhost:19092 \
            answers, and otherwise starts an embedded three-broker cluster (librdkafka's mock). \
            Commands come from the prompt, from stdin when it is not a terminal, read and run line by \
            line (kafkalab < examples/01-cluster.kl), from -f FILE, or from -c "cmd; cmd". An unquoted \
            ';' separates commands everywhere. With --json, stdout holds only JSON documents. Exit \
            status: 0 when every command succeeded, 1 when one failed, 2 when the start-up failed, \
            130 after Ctrl-C, 143 after SIGTERM (129 after SIGHUP).
            """)

    @OptionGroup var options: ShellOptions

    func validate() throws { try options.validate() }
    func run() throws { try options.runShell() }
}

struct ShellOptions: ParsableArguments {
    @Option(name: .long, help: "Bootstrap servers HOST:PORT,... (also KAFKA_BOOTSTRAP).")
    var bootstrap: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A client properties file (Java's client.properties or librdkafka's); repeatable, later wins.",
            valueName: "file"))
    var config: [String] = []

    @Option(
        name: .customShort("X"),
        help: ArgumentHelp(
            "A librdkafka property for every client, as kcat's -X (after --config files).", valueName: "key=value"))
    var property: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A named cluster: ${XDG_CONFIG_HOME:-~/.config}/kafkalab/clusters/NAME.properties (read before --config).",
            valueName: "name"))
    var cluster: String?

    @Flag(name: .long, help: "Start the embedded cluster even if a real one answers.")
    var embedded = false

    // Unconditional: `--brokers -1` is a value out of range, not a missing one.
    @Option(name: .long, parsing: .unconditional, help: "Brokers of the embedded cluster (1 to 32).")
    var brokers: Int = 3

    @Flag(name: .long, help: "Print every command's output as JSON: stdout holds only JSON documents.")
    var json = false

    @Option(name: [.customShort("c"), .long], help: "Run these commands (separated by ';') and exit.")
    var command: String?

    @Option(name: [.customShort("f"), .long], help: "Run the commands in this file and exit.")
    var file: String?

    @Flag(name: .long, help: "In scripts, keep going after a failing command.")
    var keepGoing = false

    @Option(name: .long, help: "docker-compose.yml that `broker stop|kill|start` drives.")
    var composeFile: String?

    @Option(name: .long, parsing: .unconditional, help: "Seconds any cluster request may take (0.5 to 300).")
    var timeout: Double = 10

    func validate() throws {
        guard (1...32).contains(brokers) else {
            throw ValidationError("--brokers \(brokers) is out of range: it takes 1 to 32")
        }
        guard timeout >= 0.5 && timeout <= 300 else {
            throw ValidationError(
                "--timeout \(String(format: "%g", timeout)) is out of range: it takes 0.5 to 300 seconds")
        }
        if embedded && bootstrap != nil { throw ValidationError("--embedded and --bootstrap exclude each other") }
        if embedded && (!config.isEmpty || !property.isEmpty || cluster != nil) {
            throw ValidationError(
                "--embedded excludes --config, -X and --cluster: the embedded cluster (librdkafka's mock) speaks neither TLS nor SASL"
            )
        }
    }

    func runShell() throws {
        let stdinIsTerminal = isatty(STDIN_FILENO) == 1
        let scripted = command != nil || file != nil || !stdinIsTerminal
        let output = Output.standard(format: json ? .json : .table)
        output.formatLocked = json
        if command != nil && file != nil {
            output.error("error: -c and -f exclude each other; use -f FILE alone, or -c \"source FILE; cmd\"")
            throw ExitCode(2)
        }
        // Read the file before starting a cluster: a wrong path fails at once.
        var fileText: String?
        if let file {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                output.error("error: cannot read \(file): no such file or not UTF-8 text")
                throw ExitCode(2)
            }
            fileText = text
        }
        let session = Session(output: output, isScript: scripted)
        session.requestTimeoutMs = Int32(timeout * 1000)
        session.composeFile = composeFile
        let dispatcher = CommandCatalog.dispatcher()
        session.dispatcher = dispatcher

        do {
            let connection = try chooseCluster(output: output)
            session.connect(connection)
        } catch {
            output.error("error: " + describeError(error))
            throw ExitCode(2)
        }
        defer {
            // The process is about to end and the kernel frees everything: an
            // orderly teardown would only add time (the mock's destroy waits up
            // to 1 s for its broker thread to wake, each client's poll thread up
            // to 100 ms). The labs still end what is open (a transaction is
            // aborted); the session and its clients are then left to the exit.
            for state in session.labState.values { state.sessionWillDisconnect(session) }
            _ = Unmanaged.passRetained(session)
        }

        var result = ScriptRunner.Result()
        // The whole script receives signals, between its commands too (each
        // command's own run receives them while it runs).
        let cancellation = Cancellation()
        if let command {
            result = cancellation.receivingSignals {
                ScriptRunner(dispatcher: dispatcher, keepGoing: keepGoing, source: "-c").run(
                    text: command, in: session, cancellation: cancellation)
            }
        } else if let file, let fileText {
            result = cancellation.receivingSignals {
                ScriptRunner(dispatcher: dispatcher, keepGoing: keepGoing, source: file).run(
                    text: fileText, in: session, cancellation: cancellation)
            }
        } else if !stdinIsTerminal {
            // Line by line, so kafkalab can be driven as a co-process: each
            // command runs (and its output is written) as soon as its line arrives.
            // A signal while it waits for a line ends the process.
            let runner = ScriptRunner(dispatcher: dispatcher, keepGoing: keepGoing)
            var number = 0
            while !result.stopped, let line = Signals.waitingForInput({ Swift.readLine(strippingNewline: true) }) {
                number += 1
                runner.run(line: line, number: number, in: session, into: &result, cancellation: cancellation)
            }
            if cancellation.isCancelled && !result.quit { result.interrupted = true }
        } else {
            if let status = Repl(session: session, dispatcher: dispatcher).run() { throw ExitCode(status) }
            return
        }
        if result.interrupted || Signals.termination != nil {
            throw ExitCode(Signals.exitStatus(Signals.termination ?? SIGINT))
        }
        if !result.succeeded { throw ExitCode(1) }
    }

    /// --bootstrap / KAFKA_BOOTSTRAP, --embedded, else the compose cluster if
    /// localhost:19092 answers, else an embedded cluster. Says which.
    func chooseCluster(output: Output) throws -> ClusterConnection {
        let timeoutMs = Int32(timeout * 1000)
        let env = ProcessInfo.processInfo.environment["KAFKA_BOOTSTRAP"].flatMap { $0.isEmpty ? nil : $0 }
        // --cluster, then --config files, then -X; their bootstrap.servers is
        // the cluster to connect to unless --bootstrap names another.
        let (profile, warnings) = try ClusterFiles.profile(cluster: cluster, files: config, settings: property)
        for warning in warnings { output.warning(warning) }
        if !profile.isEmpty && bootstrap == nil && profile.bootstrap == nil {
            let sources = (cluster.map { ["--cluster \($0)"] } ?? []) + config + (property.isEmpty ? [] : ["-X"])
            throw LabError.invalid(
                "\(sources.joined(separator: ", ")): no bootstrap.servers; add it to the file, or pass --bootstrap")
        }
        if !embedded, let target = bootstrap ?? profile.bootstrap ?? env {
            let c = try ClusterConnection(bootstrap: target, profile: profile, timeoutMs: timeoutMs)
            for note in profile.notes { output.note(note) }
            output.note("connected to \(c.label) (\(c.bootstrap))")
            if case .servedMock(let served) = c.control {
                output.note(
                    "served by kafkalab serve (pid \(served.advert.pid)): librdkafka's mock, no replication; topics and broker stop/start go through its control channel"
                )
            }
            return c
        }
        if !embedded && ClusterConnection.isReachable(host: "127.0.0.1", port: 19092, timeout: 0.3) {
            let c = try ClusterConnection(bootstrap: ClusterConnection.composeBootstrap, timeoutMs: timeoutMs)
            output.note("connected to the compose cluster (\(c.bootstrap))")
            return c
        }
        let c = try ClusterConnection(embeddedBrokers: brokers, timeoutMs: timeoutMs)
        output.note(
            "started an embedded \(brokers)-broker cluster (librdkafka mock, no replication) at \(c.bootstrap)"
                + (embedded ? "" : "; nothing answered on localhost:19092"))
        return c
    }
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Run the embedded cluster alone and print its bootstrap list, for kcat, rdkafka_performance or a second kafkalab.",
        discussion:
            "A second kafkalab given that list with --bootstrap finds this process's control channel (a Unix socket advertised under $XDG_RUNTIME_DIR or $TMPDIR) and creates topics and stops or starts brokers through it, as it would in one process."
    )

    @Option(name: .long, parsing: .unconditional, help: "Number of brokers (1 to 32).")
    var brokers: Int = 3

    @Option(name: .long, parsing: .upToNextOption, help: "Topics to create, as NAME or NAME:PARTITIONS.")
    var topic: [String] = []

    func run() throws {
        guard (1...32).contains(brokers) else {
            throw ValidationError("--brokers \(brokers) is out of range: it takes 1 to 32")
        }
        let cluster = try EmbeddedCluster(brokers: brokers)
        for spec in topic {
            let parts = spec.split(separator: ":")
            let partitions = parts.count > 1 ? Int32(parts[1]) ?? 0 : 4
            guard partitions > 0 else { throw ValidationError("--topic takes NAME or NAME:PARTITIONS, not \(spec)") }
            try cluster.createTopic(String(parts[0]), partitions: partitions)
        }
        // The control channel gives a second kafkalab what the mock's protocol
        // lacks (topic creation, broker stop/start); kcat and others need none.
        let control: ServeControlServer?
        do {
            control = try ServeControlServer(cluster: cluster)
        } catch {
            control = nil
            FileHandle.standardError.write(
                Data(
                    "warning: no control channel (\(describeError(error))); a second kafkalab cannot create topics here\n"
                        .utf8))
        }
        defer { control?.stop() }
        FileHandle.standardOutput.write(Data((cluster.bootstrap + "\n").utf8))
        FileHandle.standardError.write(Data("embedded cluster with \(brokers) brokers running; Ctrl-C stops it\n".utf8))
        if let control {
            FileHandle.standardError.write(
                Data(
                    "control channel \(control.advert.socket): `kafkalab --bootstrap \(cluster.bootstrap)` finds it to create topics and stop or start brokers\n"
                        .utf8))
        }
        let stop = Cancellation()
        stop.receivingSignals { while !stop.isCancelled && !Signals.terminated { usleep(100_000) } }
    }
}
