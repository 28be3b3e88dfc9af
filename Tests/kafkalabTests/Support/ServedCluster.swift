import Foundation
import TestSupport

/// A `kafkalab serve` child process: the cluster a second kafkalab reaches
/// with --bootstrap, as a user runs it in another terminal.
final class ServeProcess {
    let child: ChildProcess
    let bootstrap: String

    /// Starts `kafkalab serve` and waits (bounded) for the bootstrap line it prints.
    init(brokers: Int = 3, environment: [String: String] = [:], timeout: TimeInterval = 30) throws {
        child = try KafkalabBinary.start(["serve", "--brokers", "\(brokers)"], environment: environment)
        guard let line = child.stdout.nextLine(timeout: timeout), line.contains(":") else {
            let stderr = child.finish(timeout: 0).stderr
            throw TestFailure("kafkalab serve printed no bootstrap line within \(timeout) s; stderr: \(stderr)")
        }
        bootstrap = line
    }

    /// Replays a script with `kafkalab --bootstrap` against this cluster.
    func replay(_ script: String, timeout: TimeInterval = 180) throws -> KafkalabBinary.Result {
        try KafkalabBinary.run(["--bootstrap", bootstrap], stdin: script, timeout: timeout)
    }

    /// Ctrl-C, as a user stops it; SIGKILL if it does not end within 10 s. Returns its stderr.
    func stop() -> String {
        child.process.interrupt()
        if !child.waitForExit(timeout: 10) { child.killIfRunning() }
        return child.finish(timeout: 0).stderr
    }

    deinit { if child.process.isRunning { _ = stop() } }
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

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
