/// One command: its name, a one-line summary, its usage, the options it
/// takes, and what it does. A family (`topic`) holds subcommands
/// (`topic create`); a command can both run on its own and have subcommands
/// (`isr` and `isr watch`).
///
/// Sendable, checked: an immutable value whose closure is `@Sendable` (it
/// captures nothing and touches only the context it is given).
public struct Command: Sendable {
    public let name: String
    public let summary: String
    public let usage: String
    public let flags: [String]
    public let options: [String]
    /// Longer help: what it shows, and what differs on the embedded cluster.
    public let details: String
    public let subcommands: [Command]
    /// What to complete after the command's words: topics, properties, ...
    public let completes: CompletionKind
    public let run: (@Sendable (CommandContext) throws -> Void)?

    public init(
        _ name: String, summary: String, usage: String, flags: [String] = [], options: [String] = [],
        details: String = "", completes: CompletionKind = .nothing, subcommands: [Command] = [],
        run: (@Sendable (CommandContext) throws -> Void)? = nil
    ) {
        self.name = name
        self.summary = summary
        self.usage = usage
        self.flags = flags
        self.options = options
        self.details = details
        self.subcommands = subcommands
        self.completes = completes
        self.run = run
    }

    public func subcommand(_ name: String) -> Command? { subcommands.first { $0.name == name } }
}

public enum CompletionKind: Sendable {
    case nothing
    case topics
    case properties
    case words([String])
    /// Words built on first use: for lists that cost something to make (explain's
    /// concepts), so that starting the shell does not pay for them.
    case computedWords(@Sendable () -> [String])
}

/// What a running command receives.
public struct CommandContext {
    public let session: Session
    public let arguments: Arguments
    public let command: Command
    /// The command's full name, e.g. "topic create".
    public let path: String
    /// Set when the user presses Ctrl-C (or a test cancels the run): loops
    /// check it and return with the session as it was.
    public let cancellation: Cancellation
    public var output: Output { session.output }
    public var isCancelled: Bool { cancellation.isCancelled }

    public func usageError(_ what: String) -> LabError { .usage(what, usage: command.usage) }
}
