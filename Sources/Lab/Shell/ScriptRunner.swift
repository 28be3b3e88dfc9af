/// Replays commands from a script: one per line or several separated by `;`
/// (`Tokenizer.splitCommands`, the same rule as at the prompt), `#` comments
/// and blank lines skipped, any line ending (LF, CRLF). Each command is echoed
/// after the prompt so the transcript reads like a session; when the command
/// prints JSON the echo goes to stderr, so stdout holds only JSON documents.
/// Stops at the first failing command unless told to keep going, and always
/// at Ctrl-C.
public struct ScriptRunner {
    public let dispatcher: Dispatcher
    public let keepGoing: Bool
    /// Name used in error lines (`line 3: ...` or `file.kl:3: ...`).
    public let source: String?

    public init(dispatcher: Dispatcher, keepGoing: Bool = false, source: String? = nil) {
        self.dispatcher = dispatcher
        self.keepGoing = keepGoing
        self.source = source
    }

    public struct Result: Equatable {
        public var executed = 0
        public var failures: [String] = []
        public var quit = false
        /// Ctrl-C stopped the script (exit status 130).
        public var interrupted = false
        public var succeeded: Bool { failures.isEmpty }
        /// Nothing more should run: quit, Ctrl-C, or a failure without --keep-going.
        public var stopped = false
        public init() {}
    }

    /// Runs the text of a whole script or `-c` argument.
    /// One `cancellation` covers the whole run: Ctrl-C stops the running line
    /// and the lines after it.
    public func run(text: String, in session: Session, cancellation: Cancellation = Cancellation()) -> Result {
        run(lines: Tokenizer.lines(text), in: session, cancellation: cancellation)
    }

    /// Runs the lines, numbered from 1.
    public func run(lines: [String], in session: Session, cancellation: Cancellation = Cancellation()) -> Result {
        var result = Result()
        for (index, line) in lines.enumerated() {
            run(line: line, number: index + 1, in: session, into: &result, cancellation: cancellation)
            if result.stopped { break }
        }
        return result
    }

    /// Runs one line (for stdin, read and run line by line); sets
    /// `result.stopped` when nothing more should run.
    public func run(
        line raw: String, number: Int, in session: Session, into result: inout Result,
        cancellation: Cancellation
    ) {
        for command in Tokenizer.splitCommands(raw) {
            echo(command, in: session)
            let outcome = dispatcher.execute(command, in: session, printsErrors: false, cancellation: cancellation)
            let location = source.map { "\($0):\(number)" } ?? "line \(number)"
            if cancellation.isCancelled {
                let reason = Cancellation.stopReason
                var text = "\(location): \(reason); the script stops here"
                if case .failed(let message) = outcome, message != "interrupted" {
                    text = "\(location): \(message); \(reason)"
                }
                result.failures.append(text)
                session.output.error(text)
                result.interrupted = true
                result.stopped = true
                return
            }
            switch outcome {
            case .quit:
                result.quit = true
                result.stopped = true
                return
            case .failed(let message):
                let text = "\(location): \(message)"
                result.failures.append(text)
                session.output.error(text)
                if !keepGoing { result.stopped = true; return }
            case .succeeded:
                result.executed += 1
            case .empty:
                break
            }
        }
    }

    private func echo(_ command: String, in session: Session) {
        let out = session.output
        let printsJSON = out.isJSON || ((try? Tokenizer.split(command))?.contains("--json") ?? false)
        if printsJSON {
            out.note(session.prompt + command)
        } else {
            out.line(out.dim(session.prompt) + command)
        }
    }
}
