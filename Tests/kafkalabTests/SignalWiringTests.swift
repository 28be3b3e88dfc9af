import Foundation
import Synchronization
import Testing

/// The one test of Ctrl-C through a real SIGINT: that the executable's
/// handler reaches the running command's cancellation. What each command does
/// when cancelled is tested in-process (LabTests, "Ctrl-C stops a command within a second").
@Suite("SIGINT reaches the running command")
struct SignalWiringTests {
    @Test func sigintStopsARunningWatchWithinASecond() throws {
        let process = Process()
        process.executableURL = KafkalabBinary.url
        process.arguments = ["--embedded", "-c", "topic create w; isr watch w --interval 100ms --for 60s"]
        var environment = ProcessInfo.processInfo.environment
        environment["KAFKA_BOOTSTRAP"] = nil
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let stdout = StreamedText(out.fileHandleForReading)
        let stderr = StreamedText(err.fileHandleForReading)
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        // Ctrl-C once the watch has started, not after a guessed delay.
        let started = Date()
        while !stdout.text.contains("watching w:") && Date().timeIntervalSince(started) < 30 && process.isRunning {
            usleep(20_000)
        }
        #expect(stdout.text.contains("watching w:"), "the watch never started: \(stderr.text)")
        let interruptedAt = Date()
        process.interrupt()
        while process.isRunning && Date().timeIntervalSince(interruptedAt) < 10 { usleep(10_000) }
        let seconds = Date().timeIntervalSince(interruptedAt)
        #expect(!process.isRunning, "SIGINT did not stop the watch")
        // Under a second for the command, plus the process's exit.
        #expect(seconds < 1.5, "exited \(seconds) s after SIGINT")
        process.waitUntilExit()
        #expect(stdout.text.contains("interrupted): no events"))
    }
}

/// A pipe's text as it arrives, readable while the child runs.
final class StreamedText: Sendable {
    private let data = Mutex(Data())
    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { return }
                append(chunk)
            }
        }
    }
    private func append(_ chunk: Data) { data.withLock { $0.append(chunk) } }
    var text: String { data.withLock { String(decoding: $0, as: UTF8.self) } }
}
