/// Replays commands from a script: one per line, `#` comments and blank
/// lines skipped, each command echoed after the prompt so the transcript
/// reads like a session. Stops at the first failing command unless told
/// to keep going.
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
        public var succeeded: Bool { failures.isEmpty }
    }

    /// Runs the lines; `lineNumberOffset` lets callers number lines of a file
    /// that are fed one at a time.
    /// One `cancellation` covers the whole run: Ctrl-C stops the running line
    /// and the lines after it.
    public func run(lines: [String], in session: Session, cancellation: Cancellation = Cancellation()) -> Result {
        var result = Result()
        for (index, raw) in lines.enumerated() {
            let line = raw.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            if session.output.format != .json {
                session.output.line(session.output.dim(session.prompt) + line)
            }
            switch dispatcher.execute(line, in: session, printsErrors: false, cancellation: cancellation) {
            case .quit:
                result.quit = true
                return result
            case .failed(let message):
                let location = source.map { "\($0):\(index + 1)" } ?? "line \(index + 1)"
                let text = "\(location): \(message)"
                result.failures.append(text)
                session.output.error(text)
                if !keepGoing { return result }
            case .succeeded:
                result.executed += 1
            case .empty:
                break
            }
            if cancellation.isCancelled {
                result.failures.append("interrupted")
                return result
            }
        }
        return result
    }
}
