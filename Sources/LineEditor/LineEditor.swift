import CEditLine
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An interactive prompt on stdin/stdout backed by libedit: emacs key
/// bindings (overridable in `~/.editrc`), history on the arrow keys and
/// Ctrl-R, and TAB completion.
///
/// Signals while `readLine(prompt:)` waits: libedit keeps the terminal's ISIG
/// on, so Ctrl-C, Ctrl-Z and Ctrl-\ still raise signals. For the duration of
/// the read libedit (EL_SIGNAL) catches SIGINT, SIGQUIT, SIGHUP, SIGTERM,
/// SIGTSTP, SIGCONT and SIGWINCH, puts the terminal back into its normal mode,
/// reinstalls the application's disposition and re-raises the signal with
/// `kill(0, sig)`, i.e. to the whole process group. Consequences:
/// - Ctrl-C: the application must install a SIGINT handler with `sigaction`
///   (one that only sets a flag is enough); `readLine` then returns
///   `.interrupted` with the terminal sane and the partial line dropped, and
///   the handler has run by then. With the default disposition Ctrl-C ends
///   the process, with the terminal restored.
/// - Ctrl-Z and `fg` redraw the line; a terminal resize reflows it.
/// - Between reads the application's own handlers are in place untouched.
/// - The signal must reach the thread blocked in `readLine`. An application
///   that blocks its signals in every thread and takes them on one thread of
///   its own (`sigwait`), so that none lands in a library's thread, names
///   them in `signalsDuringRead`: the reading thread unblocks them only while
///   it waits, and the signal thread hands over what it takes meanwhile with
///   `forwardToReader` (libedit's re-raise, sent while the reader blocks the
///   signal in libedit's handler, is one of them).
///
/// Creating an editor sets `LC_CTYPE` from the environment, or to `C.UTF-8`,
/// if it is still the default "C" locale, because libedit decodes keyboard
/// input and the prompt with the C multibyte functions and would otherwise
/// drop every non-ASCII character.
///
/// Not thread-safe, and libedit's signal handling supports one editor
/// reading at a time.
public final class LineEditor {
    public enum ReadResult: Equatable, Sendable {
        /// A line the user entered, without its line terminator.
        case line(String)
        /// A signal (Ctrl-C) interrupted the read; the partial line was discarded.
        case interrupted
        /// Ctrl-D on an empty line, or end of input.
        case endOfFile
    }

    private let editLine: OpaquePointer
    private let libeditHistory: OpaquePointer
    private let historyStore: HistoryStore
    private let completer: (String) -> [String]
    /// The prompt libedit's prompt callback hands out. Owned here and replaced
    /// only between reads, because libedit redraws the prompt at any time
    /// while `el_gets` runs.
    fileprivate private(set) var promptBuffer: UnsafeMutablePointer<CChar>
    /// Signals the calling thread unblocks only while `readLine` waits (see
    /// the type's comment); they are blocked again while the completer runs.
    public var signalsDuringRead: [Int32] = []

    /// The thread waiting in `readLine` with `signalsDuringRead` unblocked.
    private static let reader = Mutex<ReaderThread?>(nil)

    /// - Parameters:
    ///   - programName: the name `~/.editrc` lines can be prefixed with.
    ///   - history: persistent history; `nil` keeps an unfiltered history in
    ///     memory for this session only. Its lines are available on the up
    ///     arrow from the start.
    ///   - completer: called on TAB with the text before the cursor; returns
    ///     the full words that could replace the word being typed (see
    ///     `Completion.currentWord(in:)`).
    public init(programName: String, history: HistoryStore?, completer: @escaping (String) -> [String]) {
        self.historyStore = history ?? HistoryStore(path: nil, shouldSave: { _ in true })
        self.completer = completer
        self.promptBuffer = strdup("")

        // Before el_init, which decides once whether the charset is UTF-8.
        Self.ensureMultibyteLocale()
        guard let editLine = cel_init_stdio(programName) else {
            fatalError("LineEditor: el_init failed (out of memory)")
        }
        guard let libeditHistory = history_init() else {
            fatalError("LineEditor: history_init failed (out of memory)")
        }
        self.editLine = editLine
        self.libeditHistory = libeditHistory

        // Unretained: see `LineEditor.instance(for:)`.
        cel_set_clientdata(editLine, Unmanaged.passUnretained(self).toOpaque())
        // Non-printing prompt sequences can be wrapped in \u{1}...\u{1}.
        cel_set_prompt(editLine, lineEditorPrompt, 1)
        cel_set_editor(editLine, "emacs")
        // Without it, Ctrl-Z leaves the terminal raw while stopped and `fg`
        // resumes with a cooked terminal and a stale line, a resize is only
        // noticed at the next prompt, and Ctrl-C at the prompt would depend on
        // the application's handler lacking SA_RESTART.
        cel_set_signal(editLine, 1)

        cel_history_setsize(libeditHistory, Int32(clamping: historyStore.maxLines))
        cel_history_setunique(libeditHistory, 1)
        cel_set_hist(editLine, libeditHistory)
        for line in historyStore.lines {
            cel_history_enter(libeditHistory, line)
        }

        _ = el_source(editLine, nil)
        // After el_source so a `bind -v` there still gets TAB completion in vi mode.
        cel_set_addfn(editLine, "lineeditor-complete", "Complete the word before the cursor", lineEditorComplete)
        cel_bind(editLine, "^I", "lineeditor-complete")
        cel_bind(editLine, "^R", "em-inc-search-prev")
    }

    deinit {
        // Also restores the terminal mode found at el_init.
        el_end(editLine)
        history_end(libeditHistory)
        free(promptBuffer)
    }

    /// Shows `prompt` and reads one line, blocking until Enter, Ctrl-D on an
    /// empty line, end of input, or a signal. The returned line is not added
    /// to the history; call `addHistory(_:)` for that.
    ///
    /// When stdin is not a terminal, lines are read without editing and
    /// without showing the prompt.
    public func readLine(prompt: String) -> ReadResult {
        if strcmp(promptBuffer, prompt) != 0 {
            let replacement = strdup(prompt)!
            free(promptBuffer)
            promptBuffer = replacement
        }

        var count: Int32 = 0
        var unblocked = SignalWindow(signalsDuringRead)
        // el_gets leaves errno alone at end of input but sets it to EINTR
        // when a signal interrupted the read; clear it to tell them apart.
        errno = 0
        let got = el_gets(editLine, &count)
        let readErrno = errno
        unblocked.close()
        guard let raw = got else {
            if readErrno == EINTR {
                finishInterruptedLine()
                return .interrupted
            }
            if isatty(STDIN_FILENO) != 0 {
                // libedit echoed ^D; end that line so later output starts clean.
                writeToTerminal("\n")
            }
            return .endOfFile
        }
        var line = String(cString: raw)
        while line.last?.isNewline == true {
            line.removeLast()
        }
        return .line(line)
    }

    /// The read in progress with `signalsDuringRead` unblocked: its number
    /// (each read gets a new one), or nil when no thread is reading.
    public static var currentRead: Int? { reader.withLock { $0?.number } }

    /// Sends `signal` to the thread waiting in `readLine` with it unblocked,
    /// if one is (and, given `read`, only if it is still that read); false
    /// when none is. Called from the application's signal thread.
    ///
    /// libedit's handler cannot interrupt a read that has not begun: a signal
    /// that lands between the prompt and the read is lost to it (libedit
    /// re-raises it to the process and reads on). The signal thread, seeing
    /// that re-raise while the same read still waits, sends the signal again:
    /// libedit has put the application's handler back by then, and the read
    /// returns `.interrupted`.
    @discardableResult
    public static func forwardToReader(_ signal: Int32, ifStill read: Int? = nil) -> Bool {
        reader.withLock { current in
            guard let current, read == nil || read == current.number else { return false }
            pthread_kill(current.thread, signal)
            return true
        }
    }

    private static let reads = Atomic<Int>(0)

    /// The signals of one read, unblocked on the reading thread until `close`.
    private struct SignalWindow {
        private var set = sigset_t()
        private var previous = sigset_t()
        private let active: Bool

        init(_ signals: [Int32]) {
            active = !signals.isEmpty
            guard active else { return }
            sigemptyset(&set)
            for s in signals { sigaddset(&set, s) }
            let number = LineEditor.reads.add(1, ordering: .relaxed).newValue
            LineEditor.reader.withLock { $0 = ReaderThread(thread: pthread_self(), number: number) }
            pthread_sigmask(SIG_UNBLOCK, &set, &previous)
        }

        /// Ends the read before blocking the signals again: a signal forwarded
        /// (under the lock) while the read is registered finds them unblocked,
        /// so none is left pending on this thread for a later read.
        mutating func close() {
            guard active else { return }
            LineEditor.reader.withLock { $0 = nil }
            pthread_sigmask(SIG_SETMASK, &previous, nil)
        }
    }

    /// Stores `line` in the history store (which filters secrets, blank lines
    /// and repeats, and persists it) and, if stored, makes it reachable with
    /// the up arrow.
    /// - Returns: whether the line was stored.
    @discardableResult
    public func addHistory(_ line: String) -> Bool {
        guard historyStore.add(line) else { return false }
        cel_history_enter(libeditHistory, line)
        return true
    }

    /// Ends the terminal line after the abandoned text, so the next prompt
    /// starts on a fresh line instead of over the old text.
    private func finishInterruptedLine() {
        guard isatty(STDIN_FILENO) != 0 else { return }
        writeToTerminal(textAfterCursor() + "^C\n")
    }

    /// Writing this moves the terminal cursor to the end of the edited text
    /// (including wrapped rows) without changing what is shown, so that output
    /// can start below the whole line.
    private func textAfterCursor() -> String {
        guard let info = el_line(editLine)?.pointee, let cursor = info.cursor, let end = info.lastchar, cursor < end
        else {
            return ""
        }
        return String(decoding: UnsafeRawBufferPointer(start: cursor, count: end - cursor), as: UTF8.self)
    }

    /// Runs on TAB; see `Completion.action(word:candidates:)` for the rules.
    fileprivate func complete() -> UInt8 {
        guard let info = el_line(editLine)?.pointee, let buffer = info.buffer, let cursor = info.cursor else {
            return UInt8(CC_ERROR)
        }
        let beforeCursor = String(
            decoding: UnsafeRawBufferPointer(start: buffer, count: cursor - buffer), as: UTF8.self)
        let word = Completion.currentWord(in: beforeCursor)
        // The completer may start threads (a client asking for topic names):
        // they inherit this thread's mask, which must not admit the signals.
        var blocked = sigset_t(), previous = sigset_t()
        sigemptyset(&blocked)
        for s in signalsDuringRead { sigaddset(&blocked, s) }
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        let candidates = completer(beforeCursor)
        pthread_sigmask(SIG_SETMASK, &previous, nil)

        switch Completion.action(word: word, candidates: candidates) {
        case .beep:
            return UInt8(CC_REFRESH_BEEP)
        case .edit(let deleteBackward, let insert):
            if deleteBackward > 0 {
                el_deletestr(editLine, Int32(deleteBackward))
            }
            if !insert.isEmpty && el_insertstr(editLine, insert) != 0 {
                return UInt8(CC_ERROR)
            }
            return UInt8(CC_REFRESH)
        case .list(let candidates):
            let columns = Int(cel_get_columns(editLine))
            let lines = Completion.listing(candidates, width: columns > 0 ? columns : 80)
            writeToTerminal(textAfterCursor() + "\n" + lines.joined(separator: "\n") + "\n")
            // Not CC_REDISPLAY: that first moves up over as many rows as the
            // line used to wrap, which would overwrite the end of the listing.
            cel_refresh(editLine)
            return UInt8(CC_NORM)
        }
    }

    /// Goes through C stdio, the same buffered stream libedit writes to, so
    /// the output cannot overtake libedit's pending output.
    private func writeToTerminal(_ text: String) {
        print(text, terminator: "")
        fflush(nil)
    }

    /// Recovers the editor from a libedit callback, like LLDB's
    /// `Editline::InstanceFor`.
    ///
    /// Ownership: EL_CLIENTDATA holds an *unretained* pointer. The LineEditor
    /// owns the EditLine and destroys it in `deinit`, so the EditLine (and
    /// every callback it makes) can never outlive the object, and taking a
    /// retain here would only create a cycle.
    ///
    /// Thread: libedit calls back only synchronously from inside `el_gets`,
    /// that is on the thread currently blocked in `readLine(prompt:)`.
    fileprivate static func instance(for editLine: OpaquePointer?) -> LineEditor {
        guard let editLine, let data = cel_get_clientdata(editLine) else {
            preconditionFailure("LineEditor: libedit callback without client data")
        }
        return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue()
    }

    private static func ensureMultibyteLocale() {
        guard let current = setlocale(LC_CTYPE, nil) else { return }
        let name = String(cString: current)
        guard name == "C" || name == "POSIX" else { return }
        if let chosen = setlocale(LC_CTYPE, ""), String(cString: chosen) != "C", String(cString: chosen) != "POSIX" {
            return
        }
        _ = setlocale(LC_CTYPE, "C.UTF-8")
    }
}

/// EL_PROMPT_ESC callback: hands libedit the current prompt. Capture-free
/// because libedit takes a plain C function pointer; the editor is found
/// through EL_CLIENTDATA (ownership and threading: `LineEditor.instance(for:)`).
private func lineEditorPrompt(_ editLine: OpaquePointer?) -> UnsafeMutablePointer<CChar>? {
    LineEditor.instance(for: editLine).promptBuffer
}

/// EL_ADDFN callback bound to TAB. Capture-free because libedit takes a plain
/// C function pointer; the editor is found through EL_CLIENTDATA (ownership
/// and threading: `LineEditor.instance(for:)`).
private func lineEditorComplete(_ editLine: OpaquePointer?, _ key: Int32) -> UInt8 {
    LineEditor.instance(for: editLine).complete()
}

/// The reading thread's id, for `pthread_kill`.
/// `@unchecked Sendable`: a pthread_t is an opaque id (a pointer on Darwin),
/// only passed to `pthread_kill`, never dereferenced.
private struct ReaderThread: @unchecked Sendable {
    let thread: pthread_t
    let number: Int
}
