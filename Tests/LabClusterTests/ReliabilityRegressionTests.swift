import Foundation
import Testing

@testable import Kafka
@testable import Lab

/// One test per failure the fuzz campaigns found (see FuzzTests and the README).
@Suite("Reliability regressions found by fuzzing", .serialized)
struct ReliabilityRegressionTests {
    /// `connect HOST:PORT` to nothing waited its whole --timeout, deaf to Ctrl-C.
    @Test func connectToNothingHearsCtrlCAndKeepsTheSession() throws {
        let t = try TestSession(isScript: false)
        try t.output(of: "topic create keep")
        try t.output(of: "use keep")
        let before = t.session.connection.map(ObjectIdentifier.init)
        let run = BackgroundRun(t, "connect 127.0.0.1:1 --timeout 60s")
        usleep(300_000)  // let it start waiting: cancelling earlier would prove nothing more
        run.cancel()
        let result = try #require(run.wait(timeout: 10), "connect ignored the cancellation")
        #expect(result.secondsAfterCancel < BackgroundRun.cancelBound, "took \(result.secondsAfterCancel) s")
        #expect(result.outcome == .failed("interrupted"))
        #expect(t.session.connection.map(ObjectIdentifier.init) == before)
        #expect(t.session.currentTopic == "keep")
    }

    /// `txn fence` ran init/commit calls that block for seconds; Ctrl-C waited them out.
    @Test func txnFenceStopsWithinASecondAndLeavesNoTransactionOpen() throws {
        let t = try TestSession(isScript: false)
        try t.output(of: "set transactional.id fence-tx")
        let run = BackgroundRun(t, "txn fence")
        #expect(
            BackgroundRun.await(30) {
                t.buffer.stdout.contains("created txn-demo") || t.buffer.stdout.contains("first producer")
            })
        run.cancel()
        let result = try #require(run.wait(timeout: 30), "txn fence ignored the cancellation")
        #expect(result.secondsAfterCancel < BackgroundRun.cancelBound, "took \(result.secondsAfterCancel) s")
        #expect(t.session.openTransactionDescription == nil)
        // The session producer is usable: a transaction opens and commits.
        try t.output(of: "txn begin")
        try t.output(of: "txn commit")
    }

    /// With a broker stopped, admin requests sent to it waited their whole time-out.
    @Test func adminCallsToAStoppedBrokerHearCtrlC() throws {
        let t = try TestSession(isScript: false)
        try t.output(of: "broker stop 2")
        let run = BackgroundRun(t, "groups")
        usleep(200_000)
        run.cancel()
        let result = try #require(run.wait(timeout: 15), "groups ignored the cancellation")
        #expect(result.secondsAfterCancel < BackgroundRun.cancelBound, "took \(result.secondsAfterCancel) s")
    }

    /// A 70 KB topic name came back in a 70 KB error line; a message with a line break split in two.
    @Test func errorLinesAreOneBoundedLine() throws {
        let long = String(repeating: "x", count: 70_000)
        let line = errorLine(LabError.notFound("unknown topic '\(long)'; `topic create \(long)` makes it"))
        #expect(line.count < 300, "\(line.count) characters")
        #expect(line.contains("70001 characters"))
        #expect(errorLine(LabError.invalid("first\nsecond\r\u{1B}[31m")) == "first second  [31m")
        let t = try TestSession()
        guard case .failed(let message) = t.run("use \(long)") else { Issue.record("use succeeded"); return }
        #expect(message.count < 300 && !t.buffer.stderr.dropLast().contains("\n"))
    }

    /// Issue 28 item 1: a dead embedded cluster (its mock thread ended, as
    /// when Ctrl-C landed in it) made every command wait out its time-out on
    /// transport errors and `txn commit` say "run it again". It is said at once,
    /// in one line, and `connect embedded` recovers.
    @Test func aDeadEmbeddedClusterIsSaidInOneLineAtOnce() throws {
        let t = try TestSession()
        try t.output(of: "topic create before")
        t.embedded.endThreadForTesting()
        for line in ["topic list", "produce --topic before x", "txn begin", "broker stop 1"] {
            let started = Date()
            let message = try t.failure(of: line)
            #expect(Date().timeIntervalSince(started) < 2, "`\(line)` took \(Date().timeIntervalSince(started)) s")
            #expect(message == EmbeddedCluster.endedMessage, "`\(line)`: \(message)")
        }
        #expect(try t.output(of: "status").contains("brokers     none: the embedded cluster has stopped"))
        try t.output(of: "connect embedded")
        try t.output(of: "topic create after")
    }

    /// Issue 28 item 6: an interrupted seed said "19456 of 19456" and then
    /// "interrupted after 19456 of 50000; every message sent was waited for"
    /// (though the queue was purged). Now the first line counts against what
    /// was asked and the second says what became of what was sent.
    @Test func anInterruptedSeedCountsAgainstWhatWasAsked() throws {
        let t = try TestSession(isScript: false)
        let run = BackgroundRun(t, "seed --count 3000000 --size 100")
        #expect(
            BackgroundRun.await(30) {
                ((try? t.session.connection?.client.watermarks(topic: "consumer-tuning", partition: 0))??.high ?? 0) > 0
            })
        run.cancel()
        let result = try #require(run.wait(timeout: 30))
        #expect(result.outcome == .succeeded, "\(result.outcome)")
        let out = t.buffer.stdout
        let seeded = try #require(out.split(separator: "\n").first { $0.hasPrefix("seeded consumer-tuning: ") })
        #expect(seeded.contains(" of 3000000 message(s)"), "\(seeded)")
        let interrupted = try #require(out.split(separator: "\n").first { $0.hasPrefix("interrupted (Ctrl-C) after ") })
        #expect(interrupted.contains(" of 3000000 were sent: "), "\(interrupted)")
        #expect(!out.contains("every message sent was waited for"))
        #expect(out.contains("consumer-tuning now holds "))
    }

    /// A failing `source` inside a script printed its summary twice (once as `error:`).
    @Test func aFailingSourceInAScriptPrintsOneLineForItself() throws {
        let t = try TestSession()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kafkalab-bad-\(UUID().uuidString).kl")
        try "no-such-command\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = ScriptRunner(dispatcher: t.dispatcher, keepGoing: true, source: "outer").run(
            lines: ["source \(file.path)"], in: t.session)
        #expect(result.failures.count == 1)
        let lines = t.buffer.stderr.split(separator: "\n")
        #expect(lines.count == 2, "\(lines)")  // the inner line's error, then `source`'s own
        #expect(!t.buffer.stderr.contains("error:"))
        #expect(lines.last?.hasPrefix("outer:1:") == true)
    }
}

/// Commands that wait for Ctrl-C end by themselves in a script, and say so.
@Suite("Script runs are bounded")
struct ScriptBoundTests {
    @Test func isrWatchWithoutForStopsInAScript() throws {
        let t = try TestSession(isScript: true)
        t.session.scriptWaitLimit = 0.5
        try t.output(of: "topic create w")
        let started = Date()
        let text = try t.output(of: "isr watch w --interval 100ms")
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(text.contains("in a script isr watch stops after 500ms"))
    }

    @Test func consumeFollowStopsInAScriptAndHonoursIdle() throws {
        let t = try TestSession(isScript: true)
        t.session.scriptWaitLimit = 0.5
        try t.output(of: "topic create f")
        try t.output(of: "produce --topic f --count 2 x")
        var started = Date()
        var text = try t.output(of: "consume f --follow")
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(text.contains("in a script --follow stops after 500ms"))
        // --idle bounds --follow at the prompt too, and --count with it.
        let prompt = try TestSession(isScript: false)
        try prompt.output(of: "topic create g")
        try prompt.output(of: "produce --topic g --count 2 x")
        started = Date()
        text = try prompt.output(of: "consume g --follow --count 5 --idle 1s")
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(text.contains("2 message(s) from g (idle)"))
    }
}
