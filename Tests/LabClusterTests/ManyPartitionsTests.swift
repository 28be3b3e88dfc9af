import Foundation
import Testing

@testable import Lab

@Suite("Output that scales: a 2,000-partition topic on the embedded cluster")
struct ManyPartitionsTests {
    @Test func produceDescribeAndIsrSummariseWhileJSONKeepsEveryRow() throws {
        let t = try TestSession()
        let partitions = 2_000
        try t.output(of: "topic create big --partitions \(partitions)")

        // Keyed messages spread over most partitions: one phrase, not a line per partition.
        let produced = try t.output(of: "produce --topic big --count 3000 --key k{i} v{i}")
        let line = try #require(produced.split(separator: "\n").first { $0.hasPrefix("produced 3000 of 3000") })
        #expect(line.contains(" partitions, offsets 0-"), "\(line)")
        #expect(line.contains("--verbose lists them"))
        #expect(line.count < 200, "\(line.count) characters")
        let doc = try t.json("produce --topic big --count 3000 --key k{i} v{i}")
        let spread = try #require(doc["partitions"]?.arrayValue?.count)
        #expect(spread > PartitionDigest.threshold)
        let verbose = try t.output(of: "produce --topic big --count 3000 --key k{i} v{i} --verbose")
        #expect(verbose.components(separatedBy: ", p").count == spread)

        // describe and isr: the digest comes first; piped, every row follows; JSON has every row.
        let describe = try t.output(of: "topic describe big").split(separator: "\n")
        #expect(describe[1].hasPrefix("2,000 partitions; leaders: broker "), "\(describe[1])")
        #expect(describe[1].contains("9,000 messages in \(TextTable.grouped(spread)) partitions"), "\(describe[1])")
        #expect(describe.filter { $0.first == " " || $0.first?.isNumber == true }.count >= partitions)
        #expect(try t.json("topic describe big")["partitions"]?.arrayValue?.count == partitions)

        let isr = try t.output(of: "isr big").split(separator: "\n")
        #expect(isr[1].hasPrefix("2,000 partitions; leaders: broker "), "\(isr[1])")
        #expect(isr[1].hasSuffix("offline, under-replicated or at min ISR: 0"), "\(isr[1])")
        #expect(try t.json("isr big")["partitions"]?.arrayValue?.count == partitions)
    }
}
