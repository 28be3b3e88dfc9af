import Foundation
import Testing

/// examples/06-lag.kl replays twice on a served cluster and shows every section it promises.
@Suite("Lag example script")
struct LagExampleTests {
    @Test func lag06ReplaysAndShowsEachSection() throws {
        let (r, again) = try ServedExample.replayTwice("06-lag.kl", timeout: 120)
        // Every line succeeds: a newcomer's first replay must not end in an error (issue 23 item 13).
        for (run, name) in [(r, "first"), (again, "second")] {
            #expect(run.status == 0, "\(name) replay, stderr: \(run.stderr)")
            #expect(!run.stderr.contains("does not support ListGroups"), "\(name) replay")
        }
        // The second run adds 90 messages and reads on from billing's commits.
        #expect(again.stdout.contains("orders already exists with 3 partitions"))
        #expect(again.stdout.contains("group billing: total lag 100 message(s)"))
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
    }
}
