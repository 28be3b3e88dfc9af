import Foundation
import Synchronization

public enum OutputFormat: String, Sendable, CaseIterable {
    case table, json
}

/// Where every command writes. At a terminal: aligned tables, colour, and a
/// progress line redrawn in place. Piped: the same facts as plain lines. In
/// JSON mode each command prints exactly one JSON document (streaming
/// commands print one document per sample, one per line) and stdout holds
/// nothing else: lines, hints and warnings meant for a person go to stderr.
public final class Output {
    public var format: OutputFormat
    /// The run was started with `--json`: stdout must stay JSON, so `format table` is refused.
    public var formatLocked = false
    /// stdout is a terminal (progress lines, colour and live redraws only then).
    public let isTerminal: Bool
    private let writeOutText: (String) -> Void
    private let writeErrText: (String) -> Void
    /// Writes bytes to stdout without making a `String` first (the process's stdout).
    private let writeOutBytes: ((UnsafeRawBufferPointer) -> Void)?
    /// Record lines not yet written (`appendRecords`): a streaming command writes them in
    /// chunks of `Output.chunkBytes` instead of one write(2) per record. Every other write
    /// flushes them first, so the order on the screen is the order of the calls.
    private var pending: [UInt8] = []
    static let chunkBytes = 64 * 1024

    // What the running command has produced, for the JSON document.
    private var tables: [JSONValue] = []
    private var result: JSONValue?
    private var streamed = false
    private var progressShown = false
    /// False for a section's output (`OutputSection`): its owner draws the one progress line.
    private let drawsProgress: Bool

    public convenience init(
        format: OutputFormat = .table, isTerminal: Bool,
        writeOut: @escaping (String) -> Void, writeErr: @escaping (String) -> Void,
        writeOutBytes: ((UnsafeRawBufferPointer) -> Void)? = nil
    ) {
        self.init(
            format: format, isTerminal: isTerminal, drawsProgress: true, writeOut: writeOut, writeErr: writeErr,
            writeOutBytes: writeOutBytes)
    }

    fileprivate init(
        format: OutputFormat, isTerminal: Bool, drawsProgress: Bool,
        writeOut: @escaping (String) -> Void, writeErr: @escaping (String) -> Void,
        writeOutBytes: ((UnsafeRawBufferPointer) -> Void)?
    ) {
        self.format = format
        self.isTerminal = isTerminal
        self.drawsProgress = drawsProgress
        self.writeOutText = writeOut
        self.writeErrText = writeErr
        self.writeOutBytes = writeOutBytes
        pending.reserveCapacity(Self.chunkBytes + 4096)
    }

    private func writeOut(_ text: String) {
        flush()
        writeOutText(text)
    }

    private func writeErr(_ text: String) {
        flush()
        writeErrText(text)
    }

    /// Lets a streaming command append record lines (text, or one JSON document per line) as
    /// bytes; they are written in chunks. Call `endBatch()` after each batch of records.
    public func appendRecords(_ body: (inout [UInt8]) -> Void) {
        clearProgress()
        if isJSON { streamed = true }
        body(&pending)
        if pending.count >= Self.chunkBytes { flush() }
    }

    /// After a batch of records: at a terminal they are shown now; into a file or a pipe they
    /// wait for a full chunk (or `flush()`, when the stream goes quiet, and the command's end).
    public func endBatch() {
        if isTerminal || pending.count >= Self.chunkBytes { flush() }
    }

    /// Writes the record lines held back.
    public func flush() {
        guard !pending.isEmpty else { return }
        if let writeOutBytes {
            pending.withUnsafeBytes { writeOutBytes($0) }
        } else {
            writeOutText(String(decoding: pending, as: UTF8.self))
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// Output to the process's stdout and stderr. After Ctrl-C at a terminal
    /// the next text starts on a fresh line, not glued to the echoed `^C`.
    public static func standard(format: OutputFormat = .table) -> Output {
        let terminal = isatty(STDOUT_FILENO) == 1
        func fresh() -> Bool { terminal && Cancellation.takeInterruptEcho() }
        return Output(
            format: format, isTerminal: terminal,
            writeOut: { writeAll(STDOUT_FILENO, fresh() ? "\n" + $0 : $0) },
            writeErr: { writeAll(STDERR_FILENO, fresh() ? "\n" + $0 : $0) },
            writeOutBytes: {
                if fresh() { writeAll(STDOUT_FILENO, "\n") }
                writeAll(STDOUT_FILENO, $0)
            })
    }

    /// Collects everything written, for tests.
    public static func capturing(format: OutputFormat = .table, into buffer: OutputBuffer) -> Output {
        Output(
            format: format, isTerminal: false,
            writeOut: { buffer.appendOut($0) }, writeErr: { buffer.appendErr($0) })
    }

    public var isJSON: Bool { format == .json }

    /// A line of text; in JSON mode it is a note for a person and goes to
    /// stderr (the facts are in the command's document).
    public func line(_ text: String = "") {
        clearProgress()
        if isJSON { if !text.isEmpty { writeErr(text + "\n") } } else { writeOut(text + "\n") }
    }

    /// A note that only makes sense to a person (skipped in JSON mode).
    public func hint(_ text: String) {
        guard !isJSON else { return }
        clearProgress()
        writeOut(dim(text) + "\n")
    }

    /// A diagnostic for a person that is never part of the results (which
    /// cluster was started, a script's echoed command in a JSON run): stderr.
    public func note(_ text: String) {
        clearProgress()
        writeErr(text + "\n")
    }

    public func table(_ t: TextTable) {
        clearProgress()
        if isJSON { tables.append(t.json) } else { writeOut(t.render(bold: isTerminal) + "\n") }
    }

    /// A table whose long values would wrap every line (`show config --all`): at a terminal the
    /// `shrinking` columns are cut to fit its width; piped or in JSON, every character.
    public func fittedTable(_ t: TextTable, shrinking: Set<Int>) {
        table(isTerminal && !isJSON ? t.fitted(width: terminalColumns, shrinking: shrinking) : t)
    }

    /// The command's JSON document; replaces the automatic one built from lines and tables.
    public func setResult(_ value: JSONValue) { result = value }

    /// One JSON document now (a sample of a watch, a consumed record).
    public func stream(_ value: JSONValue) {
        guard isJSON else { return }
        streamed = true
        writeOut(value.serialized() + "\n")
    }

    /// A progress line, redrawn in place at a terminal only.
    public func progress(_ text: String) {
        guard isTerminal, !isJSON, drawsProgress else { return }
        writeOut("\r\u{1B}[2K" + text)
        progressShown = true
    }

    public func clearProgress() {
        guard progressShown else { return }
        writeOut("\r\u{1B}[2K")
        progressShown = false
    }

    /// Raw text at a terminal (live redraws); nothing in JSON mode.
    public func raw(_ text: String) {
        guard !isJSON else { return }
        writeOut(text)
    }

    public func error(_ text: String) {
        clearProgress()
        writeErr(text + "\n")
    }

    /// Something the user should know that is not a result: stderr in every
    /// mode, so stdout holds only results (issue 28 item 5).
    public func warning(_ text: String) {
        clearProgress()
        writeErr((isJSON ? "warning: " : yellow("warning: ")) + text + "\n")
    }

    /// Starts collecting for one command.
    public func beginCommand() {
        tables = []
        result = nil
        streamed = false
    }

    /// Emits the command's JSON document (JSON mode only): the result the
    /// command set, else its tables (`rows`, or `tables` when several), else
    /// `{"ok":true}`. A streaming command that set nothing adds no document.
    public func endCommand() {
        clearProgress()
        flush()
        guard isJSON else { return }
        defer { beginCommand() }
        if let result {
            writeOut(result.serialized() + "\n")
            return
        }
        if streamed && tables.isEmpty { return }
        var pairs: [(String, JSONValue)] = []
        if tables.count == 1 {
            pairs.append(("rows", tables[0]))
        } else if !tables.isEmpty {
            pairs.append(("tables", .array(tables)))
        }
        if pairs.isEmpty { pairs.append(("ok", true)) }
        writeOut(JSONValue.object(pairs).serialized() + "\n")
    }

    /// Lines of the terminal (0 when not a terminal).
    public var terminalRows: Int {
        guard isTerminal else { return 0 }
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0 else { return 24 }
        return Int(size.ws_row)
    }

    /// A table that can run to thousands of rows (one per partition). Piped, in JSON, or with
    /// `all`, every row; at a terminal, the rows that fit a screen, then one line saying how many
    /// were left out and how to see them, so the summary printed above stays on screen.
    public func longTable(_ t: TextTable, all: Bool, noun: String) {
        let limit = max(10, (isTerminal ? terminalRows : 0) - 8)
        guard isTerminal, !isJSON, !all, t.rows.count > limit else {
            table(t)
            return
        }
        var shown = t
        shown.rows = Array(t.rows.prefix(limit))
        table(shown)
        line(
            dim(
                "... \(TextTable.grouped(t.rows.count - limit)) more \(noun); --all lists every row, --json gives them all"
            ))
    }

    /// Columns of the terminal (0 when not a terminal).
    public var terminalColumns: Int {
        guard isTerminal else { return 0 }
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    /// Prose wrapped at word boundaries for the terminal (at most 100
    /// columns); unchanged when piped, so scripts see one line per paragraph.
    public func wrapped(_ text: String) -> String {
        let width = min(terminalColumns, 100)
        return width > 20 ? Output.wrap(text, width: width) : text
    }

    public static func wrap(_ text: String, width: Int) -> String {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            if !current.isEmpty && current.count + 1 + word.count > width {
                lines.append(current)
                current = String(word)
            } else {
                current += current.isEmpty ? String(word) : " " + word
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines.joined(separator: "\n")
    }

    // MARK: Styling (terminal only)

    public func bold(_ s: String) -> String { isTerminal ? "\u{1B}[1m\(s)\u{1B}[0m" : s }
    public func dim(_ s: String) -> String { isTerminal ? "\u{1B}[2m\(s)\u{1B}[0m" : s }
    public func green(_ s: String) -> String { isTerminal ? "\u{1B}[32m\(s)\u{1B}[0m" : s }
    public func red(_ s: String) -> String { isTerminal ? "\u{1B}[31m\(s)\u{1B}[0m" : s }
    public func yellow(_ s: String) -> String { isTerminal ? "\u{1B}[33m\(s)\u{1B}[0m" : s }
}

/// Writes all of `text` with write(2). A closed pipe (`kafkalab ... | head -1`)
/// just ends the output: FileHandle.write would trap on EPIPE instead.
private func writeAll(_ fd: Int32, _ text: String) {
    var text = text
    text.withUTF8 { writeAll(fd, UnsafeRawBufferPointer($0)) }
}

private func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress else { return }
    var offset = 0
    while offset < bytes.count {
        let n = write(fd, base + offset, bytes.count - offset)
        if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return }
    }
}

/// What one part of a command wrote while it ran on its own thread beside other
/// parts (`group strategies` runs each strategy in a group of its own at once):
/// its lines, tables and warnings wait here, in order, until the command's own
/// output replays them, so the text reads as if the parts had run in turn.
public final class OutputSection: Sendable {
    private enum Chunk { case out(String), err(String) }
    private let chunks = Mutex<[Chunk]>([])
    private let format: OutputFormat
    private let isTerminal: Bool

    /// A section for a part of the command that `target` prints for.
    public init(for target: Output) {
        format = target.format
        isTerminal = target.isTerminal
    }

    /// The output the part writes through (made on the part's own thread): the
    /// command's format and styling, but no progress line of its own.
    public func makeOutput() -> Output {
        Output(
            format: format, isTerminal: isTerminal, drawsProgress: false,
            writeOut: { text in self.chunks.withLock { $0.append(.out(text)) } },
            writeErr: { text in self.chunks.withLock { $0.append(.err(text)) } }, writeOutBytes: nil)
    }

    /// Writes what the part wrote so far to `output`, in the order it was written, and forgets it.
    public func replay(into output: Output) {
        let taken = chunks.withLock { c in
            defer { c.removeAll() }
            return c
        }
        for chunk in taken {
            switch chunk {
            case .out(let text): output.writeSectionOut(text)
            case .err(let text): output.writeSectionErr(text)
            }
        }
    }
}

extension Output {
    fileprivate func writeSectionOut(_ text: String) {
        clearProgress()
        writeOut(text)
    }

    fileprivate func writeSectionErr(_ text: String) {
        clearProgress()
        writeErr(text)
    }
}

/// A sink for `Output.capturing`. Readable from another thread while a
/// command writes (a test waits for a running command's first line, then
/// cancels it), hence the lock.
public final class OutputBuffer: Sendable {
    private let text = Mutex<(out: String, err: String)>(("", ""))
    public init() {}
    public var stdout: String {
        get { text.withLock { $0.out } }
        set { text.withLock { $0.out = newValue } }
    }
    public var stderr: String {
        get { text.withLock { $0.err } }
        set { text.withLock { $0.err = newValue } }
    }
    func appendOut(_ s: String) { text.withLock { $0.out += s } }
    func appendErr(_ s: String) { text.withLock { $0.err += s } }
}
