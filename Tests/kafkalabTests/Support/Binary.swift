import Foundation
import TestSupport

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

    typealias Result = ChildProcess.Finished

    /// This process's environment without KAFKA_BOOTSTRAP (a developer's own cluster must not
    /// leak into a test), with `extra` over it.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["KAFKA_BOOTSTRAP"] = nil
        return env.merging(extra) { $1 }
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
        try ChildProcess.run(
            url, arguments, input: stdin, environment: Self.environment(environment), timeout: timeout,
            interruptAfter: interruptAfter)
    }

    /// Starts the binary and returns while it runs, its output drained as it comes.
    static func start(
        _ arguments: [String], environment: [String: String] = [:], stdin: Bool = false,
        discardingStderr: Bool = false
    ) throws -> ChildProcess {
        try ChildProcess(
            url, arguments, environment: Self.environment(environment), stdin: stdin,
            discardingStderr: discardingStderr)
    }
}
