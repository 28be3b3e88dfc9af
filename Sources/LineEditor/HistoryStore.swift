#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Command history held in memory and, when `path` is set, in a plain UTF-8
/// file with one entry per line.
///
/// Rules applied to every line, whether it comes from `add(_:)` or from the
/// file at load time:
/// - blank (whitespace-only) lines and lines containing a line break are not stored;
/// - a line equal to the previous stored line is not stored;
/// - a line for which `shouldSave` returns `false` is not stored (secrets);
/// - only the newest `maxLines` lines are kept.
///
/// The file is created with mode 0600, and a looser mode found at load time
/// is tightened to 0600, because history can contain connection details.
/// Every accepted line rewrites the file through a temporary file and
/// `rename`, so a crash never leaves a half-written history; two sessions
/// running at once therefore keep only the history of the last one to write.
///
/// File errors never stop the shell: they are recorded in `lastError` and
/// the in-memory history keeps working.
///
/// Not thread-safe; use it from the thread that runs the prompt.
public final class HistoryStore {
    /// A failed file operation.
    public struct FileError: Error, Equatable, CustomStringConvertible {
        /// The system call that failed, e.g. `"open"` or `"rename"`.
        public let operation: String
        public let path: String
        public let code: Int32

        public var description: String {
            "history file \(path): \(operation) failed: \(String(cString: strerror(code)))"
        }
    }

    /// The history file, or `nil` for a history that is never persisted.
    public let path: String?
    public let maxLines: Int
    /// Stored lines, oldest first.
    public private(set) var lines: [String] = []
    /// The most recent file error; reset to `nil` by the next successful load or save.
    public private(set) var lastError: FileError?

    private let shouldSave: (String) -> Bool

    /// Loads `path` (creating it with mode 0600 if it does not exist).
    ///
    /// - Parameters:
    ///   - path: history file; `nil` keeps history in memory only.
    ///   - maxLines: how many of the newest lines to keep; must be positive.
    ///   - shouldSave: returns `false` for lines that must never be stored,
    ///     e.g. `set sasl.password x`. Also applied to lines already in the file.
    public init(path: String?, maxLines: Int = 1000, shouldSave: @escaping (String) -> Bool) {
        precondition(maxLines > 0, "maxLines must be positive")
        self.path = path
        self.maxLines = maxLines
        self.shouldSave = shouldSave
        if let path {
            load(from: path)
        }
    }

    /// Stores `line` if the rules allow it and persists the history.
    /// - Returns: whether the line was stored.
    @discardableResult
    public func add(_ line: String) -> Bool {
        guard accepts(line, after: lines.last) else { return false }
        lines.append(line)
        if lines.count > maxLines {
            lines.removeFirst(lines.count - maxLines)
        }
        if let path {
            save(to: path)
        }
        return true
    }

    private func accepts(_ line: String, after previous: String?) -> Bool {
        if line.allSatisfy(\.isWhitespace) { return false }
        // A line break would split the entry in two on the next load.
        if line.contains(where: \.isNewline) { return false }
        if line == previous { return false }
        return shouldSave(line)
    }

    private func load(from path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT {
                createEmpty(at: path)
            } else {
                lastError = FileError(operation: "open", path: path, code: code)
            }
            return
        }
        defer { close(fd) }

        var info = stat()
        if fstat(fd, &info) != 0 {
            lastError = FileError(operation: "stat", path: path, code: errno)
            return
        }
        if info.st_mode & 0o077 != 0, fchmod(fd, 0o600) != 0 {
            lastError = FileError(operation: "chmod", path: path, code: errno)
            return
        }

        guard let bytes = readAll(fd, path: path) else { return }
        // Split bytes, not Characters: "\r\n" is a single Character in Swift.
        let stored = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
            .map { String(decoding: $0.last == UInt8(ascii: "\r") ? $0.dropLast() : $0, as: UTF8.self) }

        var kept: [String] = []
        for line in stored where accepts(line, after: kept.last) {
            kept.append(line)
        }
        if kept.count > maxLines {
            kept.removeFirst(kept.count - maxLines)
        }
        lines = kept
        lastError = nil
        // Rewrite so that secrets matched by a newer filter, and lines over
        // the cap, do not linger on disk.
        if kept != stored {
            save(to: path)
        }
    }

    private func createEmpty(at path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 {
            lastError = FileError(operation: "create", path: path, code: errno)
            return
        }
        defer { close(fd) }
        // The umask may have produced something other than 0600.
        if fchmod(fd, 0o600) != 0 {
            lastError = FileError(operation: "chmod", path: path, code: errno)
            return
        }
        lastError = nil
    }

    private func readAll(_ fd: Int32, path: String) -> [UInt8]? {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n == 0 { return result }
            if n < 0 {
                if errno == EINTR { continue }
                lastError = FileError(operation: "read", path: path, code: errno)
                return nil
            }
            result.append(contentsOf: chunk[0..<n])
        }
    }

    private func save(to path: String) {
        // Replace the file a symlink points to, not the symlink itself.
        let target: String
        if let resolved = realpath(path, nil) {
            target = String(cString: resolved)
            free(resolved)
        } else {
            target = path
        }
        let temporary = "\(target).tmp-\(getpid())"

        var fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 && errno == EEXIST {
            // Left behind by an earlier process that had the same pid.
            unlink(temporary)
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        }
        if fd < 0 {
            lastError = FileError(operation: "create", path: temporary, code: errno)
            return
        }

        var failure: FileError?
        if fchmod(fd, 0o600) != 0 {
            failure = FileError(operation: "chmod", path: temporary, code: errno)
        } else {
            let text = lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
            failure = writeAll(fd, Array(text.utf8), path: temporary)
        }
        if close(fd) != 0 && failure == nil {
            failure = FileError(operation: "close", path: temporary, code: errno)
        }
        if failure == nil && rename(temporary, target) != 0 {
            failure = FileError(operation: "rename", path: target, code: errno)
        }
        if let failure {
            unlink(temporary)
            lastError = failure
        } else {
            lastError = nil
        }
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) -> FileError? {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return FileError(operation: "write", path: path, code: errno)
            }
            offset += n
        }
        return nil
    }
}
