import Foundation

/// Runs the built `kafkalab` binary, for tests of script mode, `-c` and flags.
enum KafkalabBinary {
    static var url: URL {
        // The test bundle sits next to the products in .build/<config>/.
        let products =
            Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") }?.bundleURL.deletingLastPathComponent()
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug")
        return products.appendingPathComponent("kafkalab")
    }

    struct Result {
        let stdout: String
        let stderr: String
        let status: Int32
    }

    /// Runs with `stdin` piped in (so the binary is in script mode), with a
    /// time limit so a hung process fails the test instead of CI.
    /// `interruptAfter` sends SIGINT (Ctrl-C) that many seconds after start.
    /// Prefer the in-process tests (a `Cancellation` cancelled once the command
    /// has started, LabTests' BackgroundRun); SignalWiringTests checks the signal itself.
    static func run(
        _ arguments: [String], stdin: String = "", environment: [String: String] = [:],
        timeout: TimeInterval = 120, interruptAfter: TimeInterval? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["KAFKA_BOOTSTRAP"] = nil
        env.merge(environment) { $1 }
        process.environment = env
        let input = Pipe(), out = Pipe(), err = Pipe()
        process.standardInput = input
        process.standardOutput = out
        process.standardError = err
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let outData = ReadAll(out.fileHandleForReading)
        let errData = ReadAll(err.fileHandleForReading)
        let started = Date()
        let deadline = started.addingTimeInterval(timeout)
        var interrupted = false
        while process.isRunning && Date() < deadline {
            if let after = interruptAfter, !interrupted, Date().timeIntervalSince(started) >= after {
                kill(process.processIdentifier, SIGINT)
                interrupted = true
            }
            usleep(20_000)
        }
        if process.isRunning { process.terminate(); process.waitUntilExit() }
        process.waitUntilExit()
        return Result(stdout: outData.wait(), stderr: errData.wait(), status: process.terminationStatus)
    }
}

/// Reads a pipe to its end on a background thread (so a full pipe cannot block the child).
/// `@unchecked Sendable`: `data` is written once by the reading thread before it
/// signals `done`, and read only after `wait()` has received that signal.
final class ReadAll: @unchecked Sendable {
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
