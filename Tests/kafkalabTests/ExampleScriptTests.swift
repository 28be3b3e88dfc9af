import Foundation
import Testing

/// Every example replays twice in a row on one cluster served by `kafkalab
/// serve`, reached by a second kafkalab through --bootstrap (the example tests
/// of the other labs do the same), and prints what it promises, so no example
/// can silently rot or stop being replayable on a cluster that keeps its topics.
@Suite("Example scripts")
struct ExampleScriptTests {
    /// The most messages one partition took in a `produced N of N message(s) to T: p3 @0-48, p5 @0` line.
    static func largestRange(_ line: Substring) -> Int {
        line.components(separatedBy: " @").dropFirst().map { range -> Int in
            let bounds = range.prefix { $0.isNumber || $0 == "-" }.split(separator: "-").compactMap { Int($0) }
            return bounds.count == 2 ? bounds[1] - bounds[0] + 1 : 1
        }.max() ?? 0
    }

    @Test func cluster01() throws {
        let (r, again) = try ServedExample.replayTwice("01-cluster.kl")
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stderr.contains("connected to served:3") && r.stderr.contains("served by kafkalab serve (pid "))
        #expect(r.stdout.contains("kafkalab [served:3]> cluster"))
        #expect(r.stdout.contains("created orders: 6 partitions"))
        #expect(r.stdout.contains("PARTITION  LEADER  REPLICAS"))
        #expect(r.stdout.contains("produced 12 of 12 message(s) to orders"))
        #expect(r.stdout.contains("order 11"))
        #expect(r.stdout.contains("16 message(s) from orders (end of log)"))
        // One key, two hashes: CRC32 (librdkafka's default) and murmur2 (Java's) disagree here.
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let crc = lines.first { $0.hasPrefix("produced 3 of 3 message(s) to orders: ") } ?? ""
        let murmur = lines.first { $0.hasPrefix("produced 1 of 1 message(s) to orders: ") } ?? ""
        #expect(crc.contains(": p2 @"), "\(crc)")
        #expect(murmur.contains(": p1 @"), "\(murmur)")
        // Keyless: sticky (one partition for 2 × linger.ms = 200 ms), then at
        // linger.ms=0 random per message (at least 3 of 6), on both replays (issue 23 item 1).
        // A topic created a moment before can still have partitions whose leader the producer has
        // not been given (on a loaded machine the first replay's run was once spread over all six,
        // each message re-picking): so the sticky run must show on at least one replay, the second
        // finding `clicks` already there.
        var stuck: [String] = []
        for (run, name) in [(r, "first"), (again, "second")] {
            let keyless = run.stdout.split(separator: "\n").filter {
                $0.hasPrefix("produced 50 of 50 message(s) to clicks: ")
            }
            let spread = keyless.map { $0.components(separatedBy: " @").count - 1 }
            #expect(spread.count == 2 && spread[1] >= 3, "\(name) replay: \(keyless)")
            // Sticky: one partition takes (nearly) all 50; librdkafka re-picks only when the
            // partition it stuck to has no leader known to the producer yet (rdkafka_msg.c).
            let largest = keyless.first.map(Self.largestRange) ?? 0
            if spread.first.map({ $0 <= 2 }) == true && largest >= 45 { stuck.append(name) }
        }
        #expect(!stuck.isEmpty, "neither replay's keyless run stuck to one partition")
        #expect(r.stdout.contains("linger.ms (producer): default → 20"))
        #expect(again.status == 0, "second replay, stderr: \(again.stderr)")
        #expect(again.stdout.contains("orders already exists with 6 partitions; --if-not-exists leaves it as it is"))
        #expect(again.stdout.contains("32 message(s) from orders (end of log)"))
    }

    @Test func storage07() throws {
        let (r, again) = try ServedExample.replayTwice("07-storage.kl")
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(again.status == 0, "second replay, stderr: \(again.stderr)")
        #expect(again.stdout.contains("storage-demo already exists"))
        #expect(again.stdout.contains("All 10 records remain: no cleaner ran"))
        #expect(r.stdout.contains("Segments and indexes"))
        #expect(r.stdout.contains("there are no segment files here"))
        #expect(r.stdout.contains("Log compaction"))
        #expect(r.stdout.contains("All 10 records remain: no cleaner ran"))
    }
}
