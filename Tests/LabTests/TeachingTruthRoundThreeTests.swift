import Foundation
import Kafka
import Testing

@testable import Lab

/// Issue 23's corrections, each pinned: the text says what librdkafka 2.0.2 or
/// Kafka's source does, and no longer the wrong statement it replaced.
@Suite struct TeachingTruthRoundThreeTests {
    static func text(_ name: String) throws -> String {
        try #require(Concepts.named(name)).text.replacingOccurrences(of: "\n", with: " ")
    }

    static func example(_ name: String) throws -> String {
        try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples/\(name)"),
            encoding: .utf8)
    }

    static func row(_ setting: String) throws -> ClientDefaults.Row {
        try #require(ClientDefaults.rows.first { $0.setting == setting })
    }

    /// 1. Keyless messages stick to one partition for sticky.partitioning.linger.ms.
    @Test func keylessMessagesStickToOnePartition() throws {
        let t = try Self.text("partitioning")
        #expect(!t.contains("keyless messages go to a random partition each"))
        #expect(t.contains("sticky.partitioning.linger.ms") && t.contains("twice linger.ms"))
        #expect(t.contains("`produce --count 50` without a key"))
        let note = try Self.row("keyed partitioner").note
        #expect(!note.contains("random partition per message"))
        #expect(note.contains("sticky.partitioning.linger.ms (2 × linger.ms, so 10 ms"))
        // The "10 ms" is the linked library's: twice linger.ms's default.
        #expect(ConfigCatalog.property(named: "linger.ms")?.defaultValue == "5")
        let bench = try Self.example("04-compression-and-batching.kl")
        #expect(!bench.contains("stick to one partition per batch"))
        #expect(bench.contains("sticky.partitioning.linger.ms"))
        let cluster = try Self.example("01-cluster.kl")
        #expect(cluster.contains("produce --topic clicks --count 50 \"click {i}\""))
    }

    /// 2. librdkafka sends one ProduceRequest per partition batch.
    @Test func oneProduceRequestPerBatch() throws {
        let t = try Self.text("batching")
        #expect(!t.contains("Each produce request carries one batch per partition"))
        #expect(t.contains("rdkafka_msgset_writer.c") && t.contains("requests column counts batches"))
        let bench = try #require(CommandCatalog.dispatcher().command(named: "bench")).details
        #expect(bench.replacingOccurrences(of: "\n", with: " ").contains("one ProduceRequest per partition batch"))
    }

    /// 3. The leader decompresses every compressed batch to validate it.
    @Test func theLeaderPaysForCompressionToo() throws {
        let t = try Self.text("compression")
        #expect(!t.contains("the cost is paid once in the producer and once in each consumer"))
        #expect(t.contains("in the partition leader, which decompresses every compressed batch"))
        #expect(t.contains("LogValidator"))
    }

    /// 4. Segments roll only on append; log.roll.ms has no default.
    @Test func segmentsRollOnlyWhenABatchIsAppended() throws {
        let t = try Self.text("segments")
        #expect(!t.contains("or is older than log.roll.ms"))
        #expect(t.contains("log.roll.ms has no default") && t.contains("log.roll.hours, 168 hours"))
        #expect(t.contains("only while appending a batch"))
        #expect(t.contains("offset or time index is full"))
        #expect(t.contains("A quiet partition therefore never rolls"))
    }

    /// 5. Older values go at the first cleaning reaching the tombstone; the lags explained.
    @Test func compactionSaysWhenValuesAndTombstonesGo() throws {
        let t = try Self.text("compaction")
        #expect(t.contains("min.compaction.lag.ms (0 by default)"))
        #expect(t.contains("max.compaction.lag.ms") && t.contains("KIP-354"))
        let plan = CompactionPlan(keys: 3)
        let kept = plan.compactedReading(written: 11, remaining: 4, tombstoneRemains: true)
        #expect(kept.contains("earlier values went at the first cleaning that reached its tombstone"))
        #expect(kept.contains("the tombstone itself is still there"))
        #expect(!kept.contains("disappeared with its tombstone"))
        let gone = plan.compactedReading(written: 11, remaining: 3, tombstoneRemains: false)
        #expect(gone.contains("is gone too"))
    }

    /// 6. The mock ignores max.partition.fetch.bytes like fetch.min.bytes.
    @Test func maxPartitionFetchBytesIsAMockArtefact() throws {
        #expect(ConsumerBenchRunner.ignoredByMock.contains("max.partition.fetch.bytes"))
        #expect(try Self.text("fetch").contains("ignores fetch.min.bytes and max.partition.fetch.bytes"))
        #expect(PropertyNotes.note(for: "max.partition.fetch.bytes")?.contains("mock ignores it") == true)
    }

    /// 8. Java's idempotence default, with its versions and its silent off-switch.
    @Test func javaIdempotenceDefaultHasVersionsAndConflicts() throws {
        let note = try Self.row("idempotence").note
        #expect(!note.contains("Java turned it on by default in 3.0 (KIP-679)"))
        #expect(note.contains("3.0.1, 3.1.1 and 3.2") && note.contains("KAFKA-13598") && note.contains("KAFKA-13673"))
        #expect(try Self.text("idempotence").contains("silently leaves it off"))
        #expect(PropertyNotes.note(for: "enable.idempotence")?.contains("since 3.0") == false)
    }

    /// 9. librdkafka 2.1.0+ exposes leader epochs beyond fetched messages.
    @Test func laterLibrdkafkaExposesEpochsInListsAndStatistics() throws {
        let t = try Self.text("leader-epoch")
        #expect(!t.contains("only with fetched messages and not in metadata"))
        #expect(t.contains("on topic partition lists") && t.contains("in statistics"))
    }

    /// 11. Preferred-leader election: the interval, and who applies the 10 %.
    @Test func preferredLeaderElectionNamesTheImbalanceRule() throws {
        let replication = try Self.example("02-replication.kl")
        #expect(replication.contains("leader.imbalance.per.broker.percentage"))
        #expect(replication.contains("KRaft"))
        #expect(!replication.contains("election, every 300 s\n# by default"))
    }

    /// 12. Every limit behind code 10 and _QUEUE_FULL, under librdkafka's own name too.
    @Test func errorMeaningsNameEveryLimit() throws {
        let name = KafkaError.name(of: 10)
        let tooLarge = try #require(ErrorMeanings.meaning(of: name), "librdkafka calls code 10 \(name)")
        #expect(tooLarge.contains("max.message.bytes") && tooLarge.contains("client's own message.max.bytes"))
        let full = try #require(ErrorMeanings.meaning(of: KafkaError.name(of: -184)))
        #expect(full.contains("queue.buffering.max.kbytes") && full.contains("buffer.memory"))
        // explain defaults compares the two buffers (its librdkafka column is checked against the library).
        let buffer = try Self.row("producer buffer")
        #expect(buffer.javaKey == "buffer.memory" && buffer.java == "33554432" && buffer.note.contains("max.block.ms"))
    }
}
