import Foundation

/// Control of the compose cluster's containers, as the labs use it. The real
/// implementation runs `docker compose`; tests put a scripted stand-in behind it.
public protocol ComposeControl: Sendable {
    /// Absolute path of the compose file (for messages and for users to run by hand).
    var file: String { get }
    /// The container's state from `docker compose ps`: this, not metadata, says
    /// whether a broker can be started or stopped (a killed broker stays in
    /// metadata until it is fenced; a started one appears only once registered).
    func containerState(forBroker id: Int32) throws -> ContainerState
    func perform(_ action: DockerCompose.Action, broker id: Int32) throws
    /// The active KRaft controller's node id, from the quorum tool inside a
    /// controller container; nil when no controller answered.
    func activeController() throws -> Int32?
    /// Runs a command inside a broker's container (`docker compose exec -T kafka-N ...`)
    /// and returns its standard output; throws when the container is not running.
    func exec(broker id: Int32, _ command: [String]) throws -> String
}

/// A container's state as `docker compose ps` reports it.
public enum ContainerState: Equatable, Sendable {
    /// No container: the cluster was not started from this compose file.
    case missing
    case running
    /// Exited (stopped or killed), created, dead, paused, restarting: the text docker gave.
    case notRunning(String)

    public init(psState text: String) {
        let word = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        switch word {
        case "": self = .missing
        case "running": self = .running
        default: self = .notRunning(word)
        }
    }

    public var isRunning: Bool { self == .running }
}

/// Runs `docker compose -f <file> stop|kill|start kafka-<id>` against the project's
/// docker-compose.yml, whose broker containers kafka-1..3 carry node ids 1..3.
public struct DockerCompose: ComposeControl {
    public enum Action: String, Sendable {
        case stop, kill, start
    }

    /// The docker executable found on PATH.
    public let docker: String
    /// Absolute path of the compose file.
    public let file: String

    /// Broker ids of the compose cluster (container kafka-N is node N).
    public static let brokerIds: ClosedRange<Int32> = 1...3

    public static func service(forBroker id: Int32) -> String { "kafka-\(id)" }

    /// The command line kafkalab runs, for messages and for users to run by hand.
    public static func commandLine(file: String, action: Action, broker id: Int32) -> String {
        "docker compose -f \(file) \(action.rawValue) \(service(forBroker: id))"
    }

    /// Finds docker on PATH and the compose file (the one given, else docker-compose.yml
    /// in `workingDirectory`). Throws one line saying what is missing and what to do.
    public static func locate(
        composeFile: String?, action: Action, brokers: [Int32],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) throws -> DockerCompose {
        try locate(
            composeFile: composeFile, purpose: "\(action.rawValue) the broker",
            example: { commandLine(file: $0, action: action, broker: brokers.first ?? 1) },
            environment: environment, workingDirectory: workingDirectory)
    }

    /// The same, for any use of the compose cluster; `example` gives the command
    /// line to suggest for the resolved file path.
    public static func locate(
        composeFile: String?, purpose: String, example makeExample: (String) -> String,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) throws -> DockerCompose {
        let path: String
        if let composeFile {
            let expanded = (composeFile as NSString).expandingTildeInPath
            path = expanded.hasPrefix("/") ? expanded : (workingDirectory as NSString).appendingPathComponent(expanded)
        } else {
            path = (workingDirectory as NSString).appendingPathComponent("docker-compose.yml")
        }
        let standardized = (path as NSString).standardizingPath
        let example = makeExample(standardized)
        guard let docker = executable(named: "docker", path: environment["PATH"] ?? "") else {
            throw LabError.unsupported(
                "docker is not installed or not on PATH, so kafkalab cannot \(purpose); install Docker with the compose plugin, or run `\(example)` where Docker runs"
            )
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: standardized, isDirectory: &isDirectory), !isDirectory.boolValue
        else {
            throw LabError.invalid(
                "no compose file at \(standardized); start kafkalab in the project directory or pass --compose-file PATH (the project's docker-compose.yml)"
            )
        }
        return DockerCompose(docker: docker, file: standardized)
    }

    static func executable(named name: String, path: String) -> String? {
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = (String(directory) as NSString).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Whether the compose project of this file has a container for the broker: if not,
    /// the cluster kafkalab talks to was not started from this file.
    public func hasContainer(forBroker id: Int32) throws -> Bool {
        let result = try run(["ps", "--all", "--quiet", Self.service(forBroker: id)])
        guard result.status == 0 else { throw failure(of: "ps", broker: id, result) }
        return !result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    }

    /// `docker compose ps --all --format {{.State}} kafka-N`: running, exited, ... or nothing.
    public func containerState(forBroker id: Int32) throws -> ContainerState {
        let result = try run(["ps", "--all", "--format", "{{.State}}", Self.service(forBroker: id)])
        guard result.status == 0 else { throw failure(of: "ps", broker: id, result) }
        let first = result.stdout.split(separator: "\n").first.map(String.init) ?? ""
        return ContainerState(psState: first)
    }

    /// Controller containers and the node ids they carry (see docker-compose.yml).
    public static let controllers: [(service: String, id: Int32)] = [
        ("controller-1", 101), ("controller-2", 102), ("controller-3", 103),
    ]

    /// The quorum tool's command inside a controller container (Kafka 3.7+:
    /// --bootstrap-controller), with a small heap for the tool's JVM.
    public static func quorumStatusCommand() -> [String] {
        [
            "env", "KAFKA_HEAP_OPTS=-Xmx64m", "/opt/kafka/bin/kafka-metadata-quorum.sh",
            "--bootstrap-controller", "localhost:9093", "describe", "--status",
        ]
    }

    /// The LeaderId line of `kafka-metadata-quorum.sh describe --status`.
    public static func parseQuorumLeader(_ text: String) -> Int32? {
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, parts[0] == "LeaderId", let id = Int32(parts[1]), id >= 0 { return id }
        }
        return nil
    }

    /// Asks each controller container in turn; the first that answers names the leader.
    public func activeController() throws -> Int32? {
        var lastError: Error?
        for controller in Self.controllers {
            do {
                let result = try run(["exec", "-T", controller.service] + Self.quorumStatusCommand())
                if result.status == 0, let id = Self.parseQuorumLeader(result.stdout) { return id }
            } catch {
                lastError = error
            }
        }
        if let lastError { throw lastError }
        return nil
    }

    /// Runs the action on one broker's container and waits for docker to finish
    /// (a controlled `stop` can take several seconds).
    public func perform(_ action: Action, broker id: Int32) throws {
        let result = try run([action.rawValue, Self.service(forBroker: id)])
        guard result.status == 0 else { throw failure(of: action.rawValue, broker: id, result) }
    }

    /// Runs a command inside a broker's container (`docker compose exec -T`) and returns its output.
    public func exec(broker id: Int32, _ command: [String]) throws -> String {
        let result = try run(["exec", "-T", Self.service(forBroker: id)] + command)
        guard result.status == 0 else { throw failure(of: "exec", broker: id, result) }
        return result.stdout
    }

    private func failure(
        of verb: String, broker id: Int32, _ result: (status: Int32, stdout: String, stderr: String)
    ) -> LabError {
        let detail =
            result.stderr.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .first { !$0.isEmpty } ?? "no message"
        if detail.contains("is not a docker command") || detail.contains("unknown command") {
            return .unsupported(
                "docker has no compose plugin (`docker compose` failed: \(detail)); install docker-compose-plugin")
        }
        return .invalid(
            "`docker compose -f \(file) \(verb) \(Self.service(forBroker: id))` failed (exit \(result.status)): \(detail)"
        )
    }

    private func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: docker)
        process.arguments = ["compose", "-f", file] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: (file as NSString).deletingLastPathComponent)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do {
            // The child inherits this thread's signal mask, and kafkalab blocks
            // SIGINT, SIGTERM and SIGHUP in every thread (its signal thread takes
            // them): docker must still hear Ctrl-C at the terminal.
            var signals = sigset_t(), previous = sigset_t()
            sigemptyset(&signals)
            for s in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&signals, s) }
            pthread_sigmask(SIG_UNBLOCK, &signals, &previous)
            defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
            try process.run()
        } catch {
            throw LabError.unsupported("cannot run \(docker): \(error.localizedDescription)")
        }
        let output = ChildOutput.readToEnd(stdout: out, stderr: err)
        process.waitUntilExit()
        return (process.terminationStatus, output.stdout, output.stderr)
    }
}
