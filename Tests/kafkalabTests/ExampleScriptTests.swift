import Foundation
import Testing

/// Every example replays on the embedded cluster and prints what it promises,
/// so no example can silently rot.
@Suite("Example scripts")
struct ExampleScriptTests {
    static var examplesDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples")
    }

    static func replay(_ name: String) throws -> KafkalabBinary.Result {
        let script = try String(contentsOf: examplesDirectory.appendingPathComponent(name), encoding: .utf8)
        return try KafkalabBinary.run(["--embedded"], stdin: script, timeout: 180)
    }

    @Test func cluster01() throws {
        let r = try Self.replay("01-cluster.kl")
        #expect(r.status == 0, "stderr: \(r.stderr)")
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
        #expect(r.stdout.contains("linger.ms (producer): default → 20"))
    }

    @Test func storage07() throws {
        let r = try Self.replay("07-storage.kl")
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("Segments and indexes"))
        #expect(r.stdout.contains("there are no segment files here"))
        #expect(r.stdout.contains("Log compaction"))
        #expect(r.stdout.contains("All 10 records remain: no cleaner ran"))
    }
}
