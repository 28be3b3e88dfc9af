import Foundation
import Kafka
import Lab
import LineEditor

/// The interactive loop: libedit prompt, history in ~/.kafkalab_history
/// (secrets never saved), tab completion, Ctrl-C clears the line or stops
/// the running command, Ctrl-D or `quit` leaves.
struct Repl {
    let session: Session
    let dispatcher: Dispatcher

    /// Returns the exit status when a signal ends the session (SIGTERM,
    /// SIGHUP), nil when the user left.
    func run() -> Int32? {
        let home = ProcessInfo.processInfo.environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let historyPath = (home as NSString).appendingPathComponent(".kafkalab_history")
        let history = HistoryStore(path: historyPath, shouldSave: { !Secrets.lineRevealsSecret($0) })
        let topics = TopicNameCache(session: session)
        let completer = Completer(
            dispatcher: dispatcher, topics: { topics.names() }, groups: { session.knownGroupNames() },
            settings: { session.settings.unsetNames })
        let editor = LineEditor(
            programName: "kafkalab", history: history,
            completer: { completer.candidates(for: $0) })
        // Blocked everywhere else (see `Signals`): only the waiting prompt takes them.
        editor.signalsDuringRead = Signals.handled
        session.askUser = PromptForCommands().ask
        session.output.hint(
            "kafkalab \(ConfigCatalog.libraryVersion.isEmpty ? "" : "(librdkafka \(ConfigCatalog.libraryVersion))"): `help` lists commands, TAB completes, Ctrl-D leaves"
        )
        while true {
            if let signal = Signals.termination { return ended(by: signal) }
            // A command stopped by Ctrl-C that printed nothing after the ^C echo.
            if Cancellation.takeInterruptEcho() { FileHandle.standardOutput.write(Data("\n".utf8)) }
            switch editor.readLine(prompt: session.prompt) {
            case .endOfFile:
                session.output.line()
                if confirmQuit(editor) { return nil }
            case .interrupted:
                continue
            case .line(let line):
                _ = editor.addHistory(line)
                if dispatcher.execute(line, in: session) == .quit && confirmQuit(editor) { return nil }
                topics.invalidate()
            }
        }
    }

    /// SIGTERM or SIGHUP: says so; the caller's teardown then ends what is open.
    private func ended(by signal: Int32) -> Int32 {
        Signals.report(signal)
        return Signals.exitStatus(signal)
    }

    /// Leaving with an open transaction asks first; on yes the session's
    /// disconnect aborts it and says so. Ctrl-D at the question also leaves.
    private func confirmQuit(_ editor: LineEditor) -> Bool {
        guard let open = session.openTransactionDescription else { return true }
        switch editor.readLine(prompt: "a transaction is open (\(open)); leaving aborts it. Leave? [y/N] ") {
        case .line(let answer):
            return ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
        case .endOfFile:
            session.output.line()
            return true
        case .interrupted:
            // SIGTERM at the question ends the session all the same.
            return Signals.termination != nil
        }
    }
}

/// Topic names for completion, fetched at most once per command.
final class TopicNameCache {
    private let session: Session
    private var cached: [String]?

    init(session: Session) { self.session = session }

    func names() -> [String] {
        if let cached { return cached }
        let names = (try? session.topicNames()) ?? []
        cached = names
        return names
    }

    func invalidate() { cached = nil }
}

/// The line editor commands ask through (`Session.askUser`): its own, so that
/// answers stay out of the shell's history and TAB completes nothing; made on
/// the first question.
final class PromptForCommands {
    private var editor: LineEditor?

    func ask(_ prompt: String) -> UserReply {
        let editor =
            self.editor
            ?? {
                let made = LineEditor(programName: "kafkalab-answer", history: nil, completer: { _ in [] })
                made.signalsDuringRead = Signals.handled
                self.editor = made
                return made
            }()
        switch editor.readLine(prompt: prompt) {
        case .line(let line): return .line(line)
        case .interrupted: return .interrupted
        case .endOfFile: return .endOfInput
        }
    }
}
