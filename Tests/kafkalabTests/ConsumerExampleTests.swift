import Foundation
import Testing

@Suite("examples/05-consumers.kl replays twice on a served cluster")
struct ConsumerExampleTests {
    @Test func replaysAndShowsEverySection() throws {
        let (r, again) = try ServedExample.replayTwice("05-consumers.kl")
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(again.status == 0, "second replay, stderr: \(again.stderr)")
        #expect(again.stdout.contains("== static membership") && !again.stderr.contains("did not settle"))
        let out = r.stdout
        #expect(out.contains("seeded consumer-tuning: 20000 of 20000"))
        #expect(out.contains("EXACTLY ONCE"))
        #expect(
            out.contains("ignores fetch.min.bytes") && !out.contains("◀ best"),
            "embedded: fetch.min.bytes rows are noise")
        #expect(out.contains("in the labs"))
        #expect(out.contains("== range") && out.contains("== cooperative-sticky"))
        #expect(out.contains("KEEPERS REVOKED"))
        #expect(out.contains("Why it matters"))
        #expect(out.contains("== static membership") && out.contains("== dynamic membership"))
        // A warning, so on stderr: stdout holds the results.
        #expect(r.stderr.contains("warning: embedded: the mock cluster ignores group.instance.id"))
        #expect(out.contains("MODE") && out.contains("PARTITIONS BACK"))
        #expect(out.contains("moved from slow to fast"))
        #expect(out.contains("while slow was still processing"))
        #expect(out.contains("got _MAX_POLL_EXCEEDED"))
        #expect(!r.stderr.contains("did not settle"))
        // 7. commit demo: each strategy's crash, counted from the read-back, on both replays.
        for run in [r, again] {
            #expect(run.stdout.contains("at-most-once: 1 record(s) never processed"))
            #expect(run.stdout.contains("at-least-once: 1 processed twice"))
            #expect(run.stdout.contains("auto-commit: 1 record(s) never processed"))
            #expect(run.stdout.contains("auto-commit-store-after: every one of the 10 records processed exactly once"))
        }
    }
}
