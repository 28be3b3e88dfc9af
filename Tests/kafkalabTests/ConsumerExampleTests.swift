import Foundation
import Testing

@Suite("examples/05-consumers.kl replays on the embedded cluster")
struct ConsumerExampleTests {
    @Test func replaysAndShowsEverySection() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/05-consumers.kl")
        let text = try String(contentsOf: script, encoding: .utf8)
        let r = try KafkalabBinary.run(["--embedded"], stdin: text, timeout: 180)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let out = r.stdout
        #expect(out.contains("seeded consumer-tuning: 20000 of 20000"))
        #expect(out.contains("EXACTLY ONCE"))
        #expect(out.contains("ignores fetch.min.bytes") && !out.contains("◀ best"), "embedded: fetch.min.bytes rows are noise")
        #expect(out.contains("in the labs"))
        #expect(out.contains("== range") && out.contains("== cooperative-sticky"))
        #expect(out.contains("KEEPERS REVOKED"))
        #expect(out.contains("Why it matters"))
        #expect(out.contains("== static membership") && out.contains("== dynamic membership"))
        #expect(out.contains("can only be seen on real Kafka"))
        #expect(!out.contains("did not settle"))
    }
}
