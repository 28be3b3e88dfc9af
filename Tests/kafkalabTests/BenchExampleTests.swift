import Foundation
import Testing

/// examples/04-compression-and-batching.kl replays twice on a served cluster
/// and shows the sections its comments promise.
@Suite("Example 04: compression and batching")
struct BenchExampleTests {
    @Test func replaysAndShowsEverySection() throws {
        let (r, again) = try ServedExample.replayTwice("04-compression-and-batching.kl", timeout: 240)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(again.status == 0, "second replay, stderr: \(again.stderr)")
        #expect(
            again.stdout.contains("batch.size=16384 compression.type=lz4") && again.stdout.contains("producer 2:"),
            "second replay reaches the matrix and the two producers")
        // All five codecs in one table with a bar chart (ASCII: the output is piped).
        for codec in ["none", "gzip", "snappy", "lz4", "zstd"] {
            #expect(r.stdout.contains("\n\(codec) "), "no row for \(codec)")
        }
        #expect(r.stdout.contains("codec") && r.stdout.contains("msgs/CPU-s") && r.stdout.contains("median of 3 runs"))
        #expect(r.stdout.contains("too short to rate"), "20,000-message runs claim no msgs/s")
        #expect(r.stdout.contains("paced at 5,000 msgs/s"))
        // The paced linger lesson: the reading weighs requests and CPU per message against latency.
        #expect(r.stdout.contains("Paced at 2,000 msgs/s"))
        #expect(r.stdout.contains("sends the fewest produce requests"))
        #expect(r.stdout.contains("The price is latency") || r.stdout.contains("CPU per message differs by less"))
        #expect(r.stdout.contains("random messages to bench"))
        // The batching matrix and its reading.
        #expect(r.stdout.contains("linger.ms=50 "))
        #expect(r.stdout.contains("batch.size=16384 compression.type=lz4"))
        #expect(r.stdout.contains("p99"))
        #expect(r.stdout.contains("ignores acks") && r.stdout.contains("none is marked best"))
        #expect(r.stdout.contains("aggregate") && r.stdout.contains("producer 2:"), "--producers 2 shows each client")
        #expect(r.stdout.contains("producer: acks="), "effective properties are printed")
        #expect(r.stdout.contains("no disk and no replication"))
        #expect(r.stdout.contains("runs in another process"), "a served cluster's CPU is not this process's")
    }
}
