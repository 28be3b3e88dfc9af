import Foundation
import Synchronization

/// A `kafkalab serve` child process: the cluster a second kafkalab reaches
/// with --bootstrap, as a user runs it in another terminal.
final class ServeProcess {
    let process = Process()
    let bootstrap: String
    private let stderr: ReadAll

    /// Starts `kafkalab serve` and waits (bounded) for the bootstrap line it prints.
    init(brokers: Int = 3, environment: [String: String] = [:], timeout: TimeInterval = 30) throws {
        process.executableURL = KafkalabBinary.url
        process.arguments = ["serve", "--brokers", "\(brokers)"]
        var env = ProcessInfo.processInfo.environment
        env["KAFKA_BOOTSTRAP"] = nil
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        stderr = ReadAll(err.fileHandleForReading)
        let firstLine = FirstLine(out.fileHandleForReading)
        guard let line = firstLine.wait(timeout: timeout), line.contains(":") else {
            process.terminate()
            process.waitUntilExit()
            throw TestFailure("kafkalab serve printed no bootstrap line within \(timeout) s; stderr: \(stderr.wait())")
        }
        bootstrap = line
    }

    /// Replays a script with `kafkalab --bootstrap` against this cluster.
    func replay(_ script: String, timeout: TimeInterval = 180) throws -> KafkalabBinary.Result {
        try KafkalabBinary.run(["--bootstrap", bootstrap], stdin: script, timeout: timeout)
    }

    /// Ctrl-C, as a user stops it; SIGKILL if it does not end within 10 s.
    func stop() -> String {
        process.interrupt()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return stderr.wait()
    }

    deinit { if process.isRunning { _ = stop() } }
}

/// Replays examples/NAME twice in a row on one fresh served cluster.
enum ServedExample {
    static var examples: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples")
    }

    static func replayTwice(
        _ name: String, timeout: TimeInterval = 180
    ) throws -> (first: KafkalabBinary.Result, second: KafkalabBinary.Result) {
        let script = try String(contentsOf: examples.appendingPathComponent(name), encoding: .utf8)
        let served = try ServeProcess()
        defer { _ = served.stop() }
        let first = try served.replay(script, timeout: timeout)
        let second = try served.replay(script, timeout: timeout)
        return (first, second)
    }
}

/// The first line a pipe delivers, read on a background thread.
final class FirstLine: Sendable {
    private let line = Mutex<String?>(nil)
    private let done = DispatchSemaphore(value: 0)
    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            var data = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                data.append(chunk)
                if let end = data.firstIndex(of: UInt8(ascii: "\n")) {
                    let text = String(decoding: data[..<end], as: UTF8.self)
                    line.withLock { $0 = text }
                    break
                }
            }
            done.signal()
            // Keep draining so the child never blocks on a full pipe.
            while !handle.availableData.isEmpty {}
        }
    }

    func wait(timeout: TimeInterval) -> String? {
        guard done.wait(timeout: .now() + timeout) == .success else { return nil }
        return line.withLock { $0 }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
