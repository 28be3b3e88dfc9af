import Foundation
import Testing

/// examples/06-lag.kl replays on the embedded cluster and shows every section it promises.
@Suite("Lag example script")
struct LagExampleTests {
    @Test func lag06ReplaysAndShowsEachSection() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/06-lag.kl")
        let script = try String(contentsOf: url, encoding: .utf8)
        let r = try KafkalabBinary.run(["--embedded"], stdin: script, timeout: 120)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let out = r.stdout
        // 1. the partial consumption committed what it read
        #expect(out.contains("consumed 40 message(s) from orders as group billing"))
        // 2. lag per partition and totals: 90 produced, 40 committed
        #expect(out.contains("GROUP    TOPIC   PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG"))
        #expect(out.contains("orders: lag 50 message(s) over 3 partition(s)"))
        #expect(out.contains("group billing: total lag 50 message(s)"))
        #expect(out.contains("lagging of 3 partition(s)"))
        // 3. a group that never committed
        #expect(out.contains("no commits"))
        #expect(out.contains("group auditors: total lag 90 message(s)"))
        // 4. the stopped group turns STALL/STOP
        #expect(out.contains("watched group billing"))
        #expect(out.contains("STOP") || out.contains("STALL"))
        // 5. the demo names each phase and what it showed
        for phase in ["joining:", "slow:", "fast:", "stopped:"] {
            #expect(out.contains("  \(phase)"), "missing phase \(phase)")
        }
        #expect(out.contains("slow: OK → WARN") || out.contains("slow: WARN"))
        let stopped = out.split(separator: "\n").first { $0.hasPrefix("  stopped:") } ?? ""
        #expect(stopped.contains("ERR"))
        // keyed production: every partition carried lag, not just one
        #expect(out.contains("3 of 3 partitions carried lag"))
        // 6. groups on the embedded cluster
        #expect(out.contains("does not support ListGroups"))
        #expect(out.contains("billing, auditors, lag-demo"))
    }
}
