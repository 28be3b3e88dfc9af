import Foundation
import Kafka
import Testing

@testable import Lab

/// Generated lines through the script path (`ScriptRunner`, keep going), on one
/// embedded cluster: no abort, no hang, every error one line. Each line is
/// cancelled as Ctrl-C would be if it is still running after half a second,
/// and must then return within a second (plus a margin for a loaded machine). The seed is random per run and in
/// every failure message; KAFKALAB_FUZZ_SEED=<n> replays it (KAFKALAB_FUZZ_LINES
/// changes how many lines; KAFKALAB_FUZZ_GDB=<file> dumps every thread's stack
/// there on a hang). Bigger campaigns that can find aborts run through
/// the binary (an abort would kill the test runner): see the README.
@Suite("Fuzz: bad input never aborts, hangs or prints more than one line", .serialized)
struct FuzzTests {
    static let cancelAfter = 0.5
    /// Ctrl-C's one second, with the loaded-machine margin of `BackgroundRun.cancelBound`.
    static let returnWithin = BackgroundRun.cancelBound

    @Test func generatedLinesThroughTheScriptPath() throws {
        let env = ProcessInfo.processInfo.environment
        let seed = env["KAFKALAB_FUZZ_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64(UInt32.max))
        let count = env["KAFKALAB_FUZZ_LINES"].flatMap(Int.init) ?? 160
        var lines = FuzzLines(seed: seed)
        let t = try TestSession()
        // Something for the generated lines to find.
        try t.output(of: "topic create t --partitions 2")
        try t.output(of: "produce --topic t --count 5 'm{i}'")
        let runner = ScriptRunner(dispatcher: t.dispatcher, keepGoing: true, source: "fuzz")
        let started = Date()
        var succeeded = 0
        for index in 0..<count {
            let line = lines.line()
            let shown = line.count > 120 ? String(line.prefix(120)) + "... (\(line.count) characters)" : line
            let where_ = "seed \(seed) (KAFKALAB_FUZZ_SEED=\(seed)), line \(index + 1): \(shown.debugDescription)"
            let errBefore = t.buffer.stderr.utf8.count
            let run = ScriptLineRun(runner: runner, line: line, session: t.session)
            let returned = run.wait(cancelAfter: Self.cancelAfter, then: Self.returnWithin)
            // KAFKALAB_FUZZ_GDB=<file>: on a hang, every thread's stack goes to <file>.
            if !returned, let dump = env["KAFKALAB_FUZZ_GDB"],
                FileManager.default.createFile(atPath: dump, contents: nil)
            {
                let gdb = Process()
                gdb.executableURL = URL(fileURLWithPath: "/usr/bin/gdb")
                gdb.arguments = ["-p", "\(getpid())", "-batch", "-ex", "thread apply all bt 25"]
                gdb.standardOutput = FileHandle(forWritingAtPath: dump)
                try? gdb.run(); gdb.waitUntilExit()
            }
            guard returned else {
                Issue.record("hang: not returned \(Self.returnWithin) s after cancellation; \(where_)")
                return  // the session is still in use by the stuck line
            }
            if run.succeeded { succeeded += 1 }
            let err = String(decoding: Array(t.buffer.stderr.utf8).dropFirst(errBefore), as: UTF8.self)
            // A JSON run echoes each command on stderr (stdout holds JSON only): not an error line.
            let errorLines = err.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
                .filter { !$0.hasPrefix("kafkalab [") && !$0.hasPrefix("warning: ") }
            // `;` separates commands: one error line at most for each.
            let commands = max(1, Tokenizer.splitCommands(line).count)
            #expect(
                errorLines.count <= commands,
                "\(errorLines.count) stderr lines for \(commands) command(s); \(where_): \(err.prefix(400))")
            for e in errorLines {
                #expect(e.hasPrefix("fuzz:"), "stderr line not an error line; \(where_): \(e.prefix(200))")
                #expect(e.utf8.count < 2_000, "a \(e.utf8.count)-byte error line; \(where_)")
            }
            // Leave the test cluster usable for the next lines.
            let settings = t.session.settings
            for (key, _) in FuzzLines.stalling {
                let bare = key.hasPrefix("producer.") ? String(key.dropFirst("producer.".count)) : key
                if settings.producerProperties[bare] != nil || settings.consumerProperties[bare] != nil {
                    _ = try? t.output(of: "unset \(key)")
                }
            }
            if t.session.connection?.control.isMock != true || t.session.connection === nil {
                t.session.connect(try ClusterConnection(embeddedBrokers: 3))
            }
            t.session.output.format = .table
        }
        print(
            "fuzz: \(count) lines, \(succeeded) succeeded, seed \(seed), \(String(format: "%.1f", Date().timeIntervalSince(started))) s"
        )
        // Lines that only ever fail would prove little about the commands themselves
        // (about one in ten succeeds; one in forty is the floor).
        #expect(succeeded >= count / 40, "only \(succeeded) of \(count) lines succeeded; seed \(seed)")
    }
}

/// One line through `ScriptRunner` on another thread, cancelled after a bound.
///
/// `@unchecked Sendable`: the session and runner are used only by the running
/// thread until `wait` has seen it finish, and `succeeded` is written before the
/// thread signals `done`; the test thread touches only the token.
final class ScriptLineRun: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let cancellation = Cancellation()
    /// Read only after `wait` returned true.
    private(set) var succeeded = false

    private let runner: ScriptRunner
    private let session: Session

    init(runner: ScriptRunner, line: String, session: Session) {
        self.runner = runner
        self.session = session
        let thread = Thread { [self] in
            let result = self.runner.run(lines: [line], in: self.session, cancellation: cancellation)
            succeeded = result.failures.isEmpty && result.executed > 0
            done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Whether the line returned: by itself within `cancelAfter`, or within
    /// `then` seconds of being cancelled.
    func wait(cancelAfter: Double, then: Double) -> Bool {
        if done.wait(timeout: .now() + cancelAfter) == .success { return true }
        cancellation.cancel()
        return done.wait(timeout: .now() + then) == .success
    }
}
