import Foundation

/// One output pipe of a child process, read on a thread of its own from the moment the reader is
/// made until the child closes it. Every pipe of a child gets one, so none can fill up and stall
/// the child while the test waits on another (the deadlock of reading stdout to its end while
/// the child blocks writing stderr), and what has arrived is readable while the child runs.
///
/// `@unchecked Sendable`: `data`, `closed` and `lineStart` are read and written only while
/// holding `condition`'s lock.
public final class PipeReader: @unchecked Sendable {
    private let condition = NSCondition()
    private var data = Data()
    private var closed = false
    /// Where the next `nextLine` starts, in `data`.
    private var lineStart = 0

    /// Starts draining `pipe` (its write end is the child's).
    public convenience init(_ pipe: Pipe) { self.init(pipe.fileHandleForReading) }

    public init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                condition.lock()
                if chunk.isEmpty { closed = true } else { data.append(chunk) }
                condition.broadcast()
                condition.unlock()
                if chunk.isEmpty { return }
            }
        }
    }

    /// What has arrived so far.
    public var text: String { locked { String(decoding: data, as: UTF8.self) } }

    /// The whole text once the child closed the pipe (it exited, or closed it itself); after
    /// `timeout` seconds, what has arrived by then.
    public func wait(timeout: TimeInterval = 30) -> String {
        _ = wait(until: Date().addingTimeInterval(timeout)) { closed }
        return text
    }

    /// Waits until the text so far satisfies `condition` (true) or `timeout` passes or the pipe
    /// closes without it (false).
    public func waitFor(timeout: TimeInterval, _ holds: (String) -> Bool) -> Bool {
        wait(until: Date().addingTimeInterval(timeout)) { holds(String(decoding: data, as: UTF8.self)) }
    }

    /// The next complete line (without its newline) after the ones already taken; nil when none
    /// arrives within `timeout` seconds or the pipe closes first.
    public func nextLine(timeout: TimeInterval) -> String? {
        let found = wait(until: Date().addingTimeInterval(timeout)) {
            data[lineStart...].contains(UInt8(ascii: "\n"))
        }
        guard found else { return nil }
        return locked {
            let end = data[lineStart...].firstIndex(of: UInt8(ascii: "\n"))!
            let line = String(decoding: data[lineStart..<end], as: UTF8.self)
            lineStart = end + 1
            return line
        }
    }

    /// Evaluates `ready` under the lock each time data arrives, until it holds (true), the pipe is
    /// closed without it, or the deadline passes (false).
    private func wait(until deadline: Date, _ ready: () -> Bool) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if ready() { return true }
            if closed || !condition.wait(until: deadline) { return ready() }
        }
    }

    private func locked<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }
}

/// A child process with its stdout and stderr each drained by a `PipeReader` from before it
/// starts: the one way tests run a program and read what it prints.
public final class ChildProcess {
    /// What a child run to its end printed, and how it ended.
    public struct Finished: Sendable {
        public let stdout: String
        public let stderr: String
        /// The exit status, or the signal's number when a signal ended it.
        public let status: Int32
    }

    public let process: Process
    public let stdout: PipeReader
    /// Nil when stderr goes where stdout goes (`mergingStderr`) or nowhere.
    public let stderr: PipeReader?
    /// Nil when the child reads nothing (stdin is /dev/null).
    private let input: FileHandle?

    /// Starts `executable` with `arguments`. `environment` is the child's whole environment (nil:
    /// this process's own); `stdin` true gives the child a pipe to write to (`write`, `closeInput`), false /dev/null;
    /// `mergingStderr` sends stderr into the stdout pipe, `discardingStderr` to /dev/null.
    public init(
        _ executable: URL, _ arguments: [String], environment: [String: String]? = nil, stdin: Bool = false,
        mergingStderr: Bool = false, discardingStderr: Bool = false
    ) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe()
        process.standardOutput = out
        stdout = PipeReader(out)
        if mergingStderr {
            process.standardError = out
            stderr = nil
        } else if discardingStderr {
            process.standardError = FileHandle.nullDevice
            stderr = nil
        } else {
            let err = Pipe()
            process.standardError = err
            stderr = PipeReader(err)
        }
        if stdin {
            let pipe = Pipe()
            process.standardInput = pipe
            input = pipe.fileHandleForWriting
        } else {
            process.standardInput = FileHandle.nullDevice
            input = nil
        }
        self.process = process
        try process.run()
    }

    /// Runs a program to its end with `input` on its stdin (written on a thread of its own, so a
    /// child that prints before it reads cannot stall on it), sends SIGINT `interruptAfter`
    /// seconds in, and SIGTERM then SIGKILL once `timeout` has passed, so a hung child fails the
    /// test instead of hanging it.
    public static func run(
        _ executable: URL, _ arguments: [String], input: String = "", environment: [String: String]? = nil,
        mergingStderr: Bool = false, timeout: TimeInterval = 120, interruptAfter: TimeInterval? = nil
    ) throws -> Finished {
        let child = try ChildProcess(
            executable, arguments, environment: environment, stdin: true, mergingStderr: mergingStderr)
        let (bytes, stdin) = (Data(input.utf8), child.input)
        Thread.detachNewThread {
            try? stdin?.write(contentsOf: bytes)
            try? stdin?.close()
        }
        if let interruptAfter {
            if !child.waitForExit(timeout: interruptAfter) { child.process.interrupt() }
        }
        return child.finish(timeout: timeout - (interruptAfter ?? 0))
    }

    /// Writes to the child's stdin (a no-op without one).
    public func write(_ bytes: Data) { try? input?.write(contentsOf: bytes) }
    public func write(_ text: String) { write(Data(text.utf8)) }
    /// Closes the child's stdin: it reads end of input.
    public func closeInput() { try? input?.close() }

    /// True once the child has exited, false after `timeout` seconds.
    @discardableResult
    public func waitForExit(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        return !process.isRunning
    }

    /// Waits (bounded) for the child's exit, stops it if it has not (SIGTERM, then SIGKILL after
    /// 5 s), and returns everything it printed.
    public func finish(timeout: TimeInterval) -> Finished {
        if !waitForExit(timeout: max(0, timeout)) {
            process.terminate()
            if !waitForExit(timeout: 5) { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        return Finished(stdout: stdout.wait(), stderr: stderr?.wait() ?? "", status: process.terminationStatus)
    }

    /// Stops the child with SIGKILL if it still runs (for a `defer`).
    public func killIfRunning() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
