import Foundation

/// Both output pipes of a child process read to their ends at once: stderr on a thread of its own,
/// stdout on the caller's, so neither can fill up and stall the child while the other is drained.
/// The one way kafkalab reads what a program it runs (docker compose) prints.
enum ChildOutput {
    /// Returns once the child has closed both pipes (normally: it exited).
    static func readToEnd(stdout: Pipe, stderr: Pipe) -> (stdout: String, stderr: String) {
        let errorText = PipeText(stderr.fileHandleForReading)
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        return (String(decoding: out, as: UTF8.self), errorText.wait())
    }
}

/// Reads a pipe to its end on a background thread.
///
/// `@unchecked Sendable`: `data` is written once by the reading thread before it
/// signals, and read only after `wait()` has received that signal.
private final class PipeText: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func wait() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}
