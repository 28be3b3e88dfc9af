import Foundation
import Lab
import Testing

/// Ctrl-C through a real SIGINT to the binary: the interrupt flag is
/// process-wide, so an in-process request would also stop other tests.
@Suite("bench and Ctrl-C")
struct BenchInterruptTests {
    @Test func ctrlCStopsTheRunAndReportsWhatWasMeasured() throws {
        // A paced run that would take 100 s; Ctrl-C arrives after a few seconds.
        let started = Date()
        let r = try KafkalabBinary.run(["--embedded", "--json", "-c", "bench none lz4 --rate 1000 --count 100000 --warmup 0"],
                                       timeout: 60, interruptAfter: 3)
        #expect(Date().timeIntervalSince(started) < 30)
        let docs = try r.stdout.split(separator: "\n").map { try JSONValue.parse(String($0)) }
        let runs = docs.filter { $0["kind"]?.stringValue == "run" }
        #expect(runs.count == 1, "the second codec never starts")
        let run = try #require(runs.first)
        #expect(run["interrupted"] == .bool(true))
        let delivered = run["delivered"]?.intValue ?? 0
        #expect(delivered > 0 && delivered < 100_000)
        #expect((run["msgs_per_sec"]?.doubleValue ?? 0) > 0)
        #expect(docs.last?["interrupted"] == .bool(true))
    }
}
