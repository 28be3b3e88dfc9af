import Foundation
import Kafka

/// The typed results of the storage lab: each renders its own text, and its JSON is its
/// encoding (`CommandResult`), so the two carry the same figures.

/// `segments`: the segment files on each replica (compose), or, on a mock that keeps its log in
/// memory, why there are none and what each partition holds instead.
struct SegmentsResult: CommandResult {
    /// One segment of one partition on one broker.
    struct SegmentRow: Encodable, Equatable {
        let partition: Int32
        let brokerID: Int32
        let role: String
        let baseOffset: Int64
        let logBytes: Int64
        let indexBytes: Int64
        let timeindexBytes: Int64
        let active: Bool
    }

    /// What a mock holds for a partition instead of files: its offsets.
    struct InMemoryPartition: Encodable, Equatable {
        let partition: Int32
        let lowWatermark: Int64
        let highWatermark: Int64
    }

    let topic: String
    let cluster: String
    /// Nil where the cluster has no segment files (`reason` says why).
    let segmentFiles: [SegmentRow]?
    let reason: String?
    /// The offsets per partition where there are no files; nil where there are.
    let partitions: [InMemoryPartition]?

    func render(into output: Output) {
        guard let segmentFiles else {
            var table = TextTable(headers: ["PARTITION", "LOW", "HIGH"], alignments: [.right, .right, .right])
            for p in partitions ?? [] { table.append(["\(p.partition)", "\(p.lowWatermark)", "\(p.highWatermark)"]) }
            output.line(
                "\(cluster): there are no segment files here: librdkafka's mock keeps each partition in memory (at most ~5 MiB, oldest dropped), with no .log, .index or .timeindex files and no retention."
            )
            output.line("What it holds instead, per partition (offsets):")
            output.table(table)
            output.line(
                "On the compose cluster `segments \(topic)` lists the files in \(StorageCommands.brokerLogDirectory)/\(topic)-<partition>/ on each replica."
            )
            return
        }
        var table = TextTable(
            headers: ["PARTITION", "BROKER", "ROLE", "SEGMENT (BASE OFFSET)", ".LOG", ".INDEX", ".TIMEINDEX", ""],
            alignments: [.right, .right, .left, .right, .right, .right, .right, .left])
        for s in segmentFiles {
            table.append([
                "\(s.partition)", "\(s.brokerID)", s.role, "\(s.baseOffset)", Units.bytes(s.logBytes),
                Units.bytes(s.indexBytes), Units.bytes(s.timeindexBytes), s.active ? "active" : "",
            ])
        }
        output.table(table)
        output.hint(
            "Index files are preallocated (10 MiB by default) while their segment is active and trimmed when it rolls.")
    }
}

/// `compaction demo`: what was written, what the log holds now, and whether the cleaner compacted it.
struct CompactionResult: CommandResult {
    /// A record as a consumer reads it back; a nil value is a tombstone.
    struct Record: Encodable, Equatable {
        let offset: Int64
        let key: String
        let value: String?
    }

    let topic: String
    let cluster: String
    let written: Int
    let remaining: Int
    let compacted: Bool
    /// The key the demo deleted with a tombstone.
    let tombstonedKey: String
    /// How long the demo would wait for the cleaner (`--wait`); nil where no cleaner runs.
    let cleanerWaitLimitMs: Double?
    let records: [Record]
    /// Whether this cluster runs a log cleaner at all (librdkafka's mock does not).
    let cleanerRuns: Bool

    func render(into output: Output) {
        var table = TextTable(headers: ["OFFSET", "KEY", "VALUE"], alignments: [.right, .left, .left])
        for r in records { table.append(["\(r.offset)", r.key, r.value ?? "(tombstone)"]) }
        output.table(table)
        if !cleanerRuns {
            output.line(
                "All \(remaining) records remain: no cleaner ran. On the compose cluster (`connect compose`), after the cleaner: one record per key with its latest value; \(tombstonedKey)'s earlier values go at the first cleaning that reaches its tombstone, and the tombstone itself at a later cleaning, once delete.retention.ms has passed since that first one."
            )
        } else if compacted {
            output.line(
                CompactionPlan.compactedReading(
                    tombstoned: tombstonedKey, written: written, remaining: remaining,
                    tombstoneRemains: records.contains { $0.key == tombstonedKey && $0.value == nil }))
        } else {
            output.line(
                "The cleaner has not finished within \(Arguments.formatDuration((cleanerWaitLimitMs ?? 0) / 1000)) (it checks every log.cleaner.backoff.ms, 15 s by default); run `consume \(topic)` again in a moment."
            )
        }
    }
}

extension CompactionResult.Record {
    init(_ m: ConsumedMessage) {
        self.init(
            offset: m.offset, key: String(decoding: m.key ?? [], as: UTF8.self),
            value: m.value.map { String(decoding: $0, as: UTF8.self) })
    }
}
