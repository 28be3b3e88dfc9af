import Kafka

/// The one entry point from a line of text to a command: the REPL, scripts,
/// `-c` and tests all come through `execute`.
public final class Dispatcher {
    public let commands: [Command]

    public init(commands: [Command]) {
        self.commands = commands.sorted { $0.name < $1.name }
    }

    public enum Outcome: Equatable {
        case empty
        case succeeded
        case failed(String)
        case quit
    }

    public func command(named name: String) -> Command? { commands.first { $0.name == name } }

    /// Finds the command the words name, descending into subcommands.
    /// Returns the command, its full name and the remaining words.
    public func resolve(_ words: [String]) throws -> (Command, String, [String]) {
        guard let first = words.first else { throw LabError.invalid("empty command") }
        guard var command = command(named: first) else {
            let near = NearestNames.suggest(first, from: commands.map(\.name))
            let hint = near.isEmpty ? "`help` lists the commands" : "did you mean " + near.joined(separator: ", ") + "?"
            throw LabError.invalid("unknown command '\(first)'; \(hint)")
        }
        var path = first
        var rest = Array(words.dropFirst())
        while let next = rest.first, let sub = command.subcommand(next) {
            command = sub
            path += " " + next
            rest.removeFirst()
        }
        if command.run == nil {
            let names = command.subcommands.map(\.name).joined(separator: "|")
            if let next = rest.first {
                throw LabError.usage("unknown \(path) subcommand '\(next)' (\(names))", usage: command.usage)
            }
            throw LabError.usage("\(path) needs a subcommand (\(names))", usage: command.usage)
        }
        return (command, path, rest)
    }

    /// Runs one line. Errors are printed as one line and reported in the
    /// outcome; the session is left as it was. A line holding several
    /// commands separated by `;` (`Tokenizer.splitCommands`, the rule scripts
    /// and `-c` follow too) runs them in order and stops at the first failure.
    /// With `printsErrors: false` the caller prints the failure itself
    /// (scripts print `line N: <error>` instead).
    /// `cancellation` stops the command (Ctrl-C is routed to it while it runs);
    /// a script passes one token to all its lines.
    @discardableResult
    public func execute(
        _ line: String, in session: Session, printsErrors: Bool = true,
        cancellation: Cancellation = Cancellation()
    ) -> Outcome {
        let commands = Tokenizer.splitCommands(line)
        if commands.count > 1 {
            var last = Outcome.empty
            for command in commands {
                last = execute(command, in: session, printsErrors: printsErrors, cancellation: cancellation)
                if case .failed = last { return last }
                if last == .quit || cancellation.isCancelled { return last }
            }
            return last
        }
        let out = session.output
        var words: [String]
        do {
            words = try Tokenizer.split(line)
        } catch {
            if printsErrors { out.error("error: " + errorLine(error)) }
            return .failed(errorLine(error))
        }
        guard !words.isEmpty else { return .empty }
        if words == ["quit"] || words == ["exit"] { return .quit }

        // `--json` anywhere makes this one command print JSON.
        if words.contains("--json") && out.format != .json {
            words.removeAll { $0 == "--json" }
            out.format = .json
            defer { out.format = .table }
            return cancellation.receivingSignals {
                run(words, in: session, printsErrors: printsErrors, cancellation: cancellation)
            }
        }
        words.removeAll { $0 == "--json" }
        return cancellation.receivingSignals {
            run(words, in: session, printsErrors: printsErrors, cancellation: cancellation)
        }
    }

    // `printsErrors` is passed down, not kept: `source` runs lines inside a line.
    private func run(_ words: [String], in session: Session, printsErrors: Bool, cancellation: Cancellation) -> Outcome
    {
        let out = session.output

        out.beginCommand()
        do {
            let (command, path, rest) = try resolve(words)
            let arguments = try Arguments(rest, flags: command.flags, options: command.options, usage: command.usage)
            let context = CommandContext(
                session: session, arguments: arguments, command: command, path: path,
                cancellation: cancellation)
            // The session's admin client hears the cancellation too: its calls wait in slices.
            if let admin = session.connection?.admin {
                try admin.stopping(when: { cancellation.isCancelled }) { try command.run!(context) }
            } else {
                try command.run!(context)
            }
            out.endCommand()
            return .succeeded
        } catch {
            out.clearProgress()
            out.beginCommand()
            var message = errorLine(error)
            // A cluster whose thread ended fails every request with transport
            // errors that read as transient ("run it again"): say what happened.
            if let ended = session.connection?.control.endedMessage { message = ended }
            if printsErrors { out.error("error: " + message) }
            if let k = error as? KafkaError, k.isFatal { session.resetProducer() }
            return .failed(message)
        }
    }
}
