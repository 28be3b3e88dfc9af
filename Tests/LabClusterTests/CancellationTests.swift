import Foundation
import Kafka
import Testing

@testable import Lab

/// Ctrl-C, in-process: each test cancels a running command from another
/// thread once it has visibly started, and checks that it returns within a
/// second and leaves the session (current topic, properties, open transaction)
/// as it was.
@Suite("Ctrl-C stops a command within a second", .serialized)
struct CancellationTests {
    /// What Ctrl-C must leave untouched.
    struct SessionFacts: Equatable {
        let topic: String?
        let settings: ClientSettings
        let transaction: String?
        init(_ s: Session) {
            topic = s.currentTopic
            settings = s.settings
            transaction = s.openTransactionDescription
        }
    }

    func highWatermark(_ t: TestSession, _ topic: String) -> Int64 {
        guard let admin = t.session.connection?.admin,
            let md = try? admin.metadata(), let info = md.topic(topic)
        else { return 0 }
        return info.partitions.reduce(0) { $0 + ((try? admin.watermarks(topic: topic, partition: $1.id).high) ?? 0) }
    }

    /// Issue 28: the idempotence demo took 1.2-1.4 s to hear Ctrl-C in its
    /// first seconds (the warm-up's flush waited in one piece).
    @Test func idempotenceDemoHearsCtrlCInItsFirstSeconds() throws {
        let t = try TestSession()
        let before = SessionFacts(t.session)
        let run = BackgroundRun(t, "idempotence demo")
        #expect(BackgroundRun.await(30) { t.buffer.stdout.contains("each run: a fresh producer") })
        run.cancel()
        let result = try #require(run.wait(timeout: 30), "the demo ignored the cancellation")
        #expect(result.secondsAfterCancel < 1.0, "took \(result.secondsAfterCancel) s")
        #expect(result.outcome == .failed("interrupted"))
        #expect(SessionFacts(t.session) == before)
    }

    @Test func benchStopsAndReportsWhatItMeasured() throws {
        let t = try TestSession(format: .json)
        try t.output(of: "topic create b --partitions 6")
        try t.output(of: "set linger.ms 7")
        let before = SessionFacts(t.session)
        // A paced run that would take 100 s.
        let run = BackgroundRun(t, "bench none lz4 --topic b --rate 1000 --count 100000 --warmup 0")
        #expect(BackgroundRun.await(30) { highWatermark(t, "b") > 0 }, "the bench never delivered")
        run.cancel()
        let result = try #require(run.wait(timeout: 30), "bench ignored the cancellation")
        #expect(result.secondsAfterCancel < BackgroundRun.cancelBound, "took \(result.secondsAfterCancel) s")
        let docs = try t.buffer.stdout.split(separator: "\n").map { try JSONValue.parse(String($0)) }
        let runs = docs.filter { $0["kind"]?.stringValue == "run" }
        #expect(runs.count == 1, "the second codec never starts")
        let measured = try #require(runs.first)
        #expect(measured["interrupted"] == .bool(true))
        let delivered = measured["delivered"]?.intValue ?? 0
        #expect(delivered > 0 && delivered < 100_000)
        #expect(SessionFacts(t.session) == before)
    }

    @Test func groupStrategiesClosesEveryConsumerAndStops() throws {
        let t = try TestSession()
        try t.output(of: "seed --count 10")
        let run = BackgroundRun(t, "group strategies --consumers 2 --session-timeout 3s")
        // The first strategy's section is printed as it runs; the others run at the same time.
        #expect(BackgroundRun.await(30) { t.buffer.stdout.contains("== range") }, "the first strategy never started")
        run.cancel()
        let result = try #require(run.wait(timeout: 30), "group strategies ignored the cancellation")
        #expect(result.secondsAfterCancel < BackgroundRun.cancelBound, "took \(result.secondsAfterCancel) s")
        #expect(result.outcome == .failed("interrupted"))
        // Every strategy's group closed all of its consumers, each section in order.
        let out = t.buffer.stdout
        let starts = ["== range", "== roundrobin", "== cooperative-sticky"].compactMap { out.range(of: $0)?.lowerBound }
        #expect(starts.count == 3 && starts == starts.sorted(), "\(out)")
        let closing = out.split(separator: "\n").filter { $0.hasPrefix("interrupted: closed") }.map(String.init)
        #expect(closing.count == 3, "\(out)")
        for line in closing {
            let numbers = line.split(separator: " ").compactMap { Int($0) }
            #expect(numbers.count == 2 && numbers[0] == numbers[1] && numbers[0] > 0, "\(line)")
        }
    }

    @Test func followingConsumerStopsWithTheTransactionStillOpen() throws {
        let t = try TestSession(isScript: false)
        try t.output(of: "topic create f --partitions 2")
        try t.output(of: "use f")
        try t.output(of: "set transactional.id f-tx")
        try t.output(of: "txn begin")
        try t.output(of: "produce --count 3 'm{i}'")
        let before = SessionFacts(t.session)
        #expect(before.transaction != nil)
        let printed = t.buffer.stdout.count
        let run = BackgroundRun(t, "consume --follow")
        #expect(BackgroundRun.await(30) { t.buffer.stdout.dropFirst(printed).contains("m2") }, "no message consumed")
        run.cancel()
        let result = try #require(run.wait(timeout: 30), "consume --follow ignored the cancellation")
        #expect(result.secondsAfterCancel < BackgroundRun.cancelBound, "took \(result.secondsAfterCancel) s")
        #expect(t.buffer.stdout.contains("(interrupted)"))
        #expect(SessionFacts(t.session) == before)
        // The session goes on: the transaction commits.
        try t.output(of: "txn commit")
    }

    @Test func isrWatchEndsWithItsSummary() throws {
        let t = try TestSession(isScript: false)
        try t.output(of: "topic create w")
        let run = BackgroundRun(t, "isr watch w --interval 100ms")
        #expect(BackgroundRun.await(30) { t.buffer.stdout.contains("watching w: 3 partitions") })
        run.cancel()
        let result = try #require(run.wait(timeout: 30), "isr watch ignored the cancellation")
        #expect(result.secondsAfterCancel < BackgroundRun.cancelBound, "took \(result.secondsAfterCancel) s")
        #expect(t.buffer.stdout.contains("interrupted): no events"))
        #expect(t.buffer.stdout.contains("no partition was under-replicated"))
    }
}
