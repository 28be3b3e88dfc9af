import Foundation
import Kafka

@testable import Lab

/// The stand-in's storage side: topic deletion, a log cleaner for compacted
/// topics, and the `docker compose exec ... ls -ln` that `segments` runs.
extension ScriptedKafka {
    func deleteTopic(_ name: String) throws {
        let listed = try admin.metadata().topic(name) != nil
        guard !deletedTopics.contains(name), model[name] != nil || listed else {
            // UNKNOWN_TOPIC_OR_PARTITION
            throw KafkaError(code: 3, message: "This server does not host this topic-partition.")
        }
        deletedTopics.insert(name)
        model[name] = nil
    }

    /// The records as a consumer reads them (through the proxy: read_committed stops at
    /// the LSO and skips aborted transactions), less what the scripted cleaner removed.
    func readPartition(
        topic: String, partition: Int32, consumerProperties: [String: String], timeoutSeconds: Double
    ) throws -> [ConsumedMessage] {
        transactions.writeDueMarkers()
        let records = try Consumer.readPartition(
            topic: topic, partition: partition, properties: consumerProperties, timeoutSeconds: timeoutSeconds)
        let configs = topicConfigs[topic] ?? [:]
        guard (configs["cleanup.policy"] ?? "delete").split(separator: ",").contains("compact") else { return records }
        let key = "\(topic)/\(partition)"
        var (cleaner, reads) =
            cleaners[key]
            ?? (
                ScriptedLogCleaner(
                    segmentMs: configs["segment.ms"].flatMap { Int64($0) } ?? 604_800_000,
                    deleteRetentionMs: configs["delete.retention.ms"].flatMap { Int64($0) } ?? 86_400_000), 0
            )
        reads += 1
        if reads > cleanerBackoffReads {
            cleaner.clean(
                records.map {
                    ScriptedLogCleaner.Entry(
                        offset: $0.offset, key: $0.key ?? [], isTombstone: $0.value == nil, timestamp: $0.timestamp ?? 0
                    )
                }, nowMs: Int64(Date().timeIntervalSince1970 * 1000))
        }
        cleaners[key] = (cleaner, reads)
        return records.filter { !cleaner.removed.contains($0.offset) }
    }

    /// `docker compose exec -T kafka-N sh -c "cd <log dir> && ls -ln <dir>..."`, as
    /// busybox's `ls -ln` prints it in the apache/kafka image; anything else is refused.
    func exec(broker id: Int32, _ command: [String]) throws -> String {
        composeCalls.append("exec kafka-\(id)")
        guard containers[id] == .running else {
            throw LabError.invalid(
                "`docker compose -f \(file) exec kafka-\(id)` failed (exit 1): service \"kafka-\(id)\" is not running")
        }
        let prefix = "cd \(StorageCommands.brokerLogDirectory) && ls -ln "
        guard command.count == 3, command[0] == "sh", command[1] == "-c", command[2].hasPrefix(prefix) else {
            throw LabError.invalid("the stand-in runs only the `ls -ln` of `segments`, not \(command)")
        }
        let directories = command[2].dropFirst(prefix.count).split(separator: " ").map(String.init)
        var listings: [String] = []
        for directory in directories {
            guard let dash = directory.lastIndex(of: "-"), let partition = Int32(directory[dash...].dropFirst()),
                case let topic = String(directory[..<dash]),
                let m = model[topic]?[partition], m.replicas.contains(id)
            else {
                throw LabError.invalid(
                    "`docker compose -f \(file) exec kafka-\(id)` failed (exit 1): ls: \(directory): No such file or directory"
                )
            }
            let w = try admin.watermarks(topic: topic, partition: partition, timeoutMs: nil)
            // Sizes are the stand-in's: 70 bytes a record in one active segment whose
            // indexes are preallocated (10 MiB; the time index rounded down to 12-byte entries).
            let files: [(bytes: Int64, name: String)] = [
                (10_485_760, "00000000000000000000.index"), (max(0, w.high - w.low) * 70, "00000000000000000000.log"),
                (10_485_756, "00000000000000000000.timeindex"), (8, "leader-epoch-checkpoint"),
                (43, "partition.metadata"),
            ]
            let lines = files.map { f in
                "-rw-r--r--    1 1000     1000     \(String(repeating: " ", count: max(0, 9 - String(f.bytes).count)))\(f.bytes) Dec  1 05:00 \(f.name)"
            }
            let body = (["total \(files.reduce(0) { $0 + ($1.bytes + 1023) / 1024 })"] + lines).joined(separator: "\n")
            listings.append(directories.count == 1 ? body : "\(directory):\n\(body)")
        }
        return listings.joined(separator: "\n\n") + "\n"
    }
}

/// Kafka's log cleaner (Kafka 3.9, `LogCleaner`/`Cleaner`) for one partition, as
/// far as a reader of the log can see it. Pure: the stand-in feeds it the records
/// the mock holds and shows readers what it kept.
/// - Segments: a record whose timestamp is more than segment.ms after the first
///   record of its segment starts a new one; the last segment is active and never cleaned.
/// - A pass keeps, below the active segment, only the latest record of each key;
///   offsets are unchanged (the gaps are the point).
/// - A tombstone survives the pass that first cleans it and is dropped by a later
///   pass once delete.retention.ms has passed since then.
struct ScriptedLogCleaner {
    struct Entry: Equatable {
        let offset: Int64
        let key: [UInt8]
        let isTombstone: Bool
        /// Create time, milliseconds since the epoch.
        let timestamp: Int64
    }
    let segmentMs: Int64
    let deleteRetentionMs: Int64
    private(set) var removed: Set<Int64> = []
    private(set) var tombstoneHorizons: [Int64: Int64] = [:]
    private(set) var passes = 0

    /// Base offsets of the segments the records fall into, oldest first.
    static func segmentBases(_ records: [Entry], segmentMs: Int64) -> [Int64] {
        var bases: [Int64] = []
        var segmentStart: Int64?
        for r in records {
            let ts = r.timestamp
            if let start = segmentStart, ts - start <= segmentMs { continue }
            bases.append(r.offset)
            segmentStart = ts
        }
        return bases
    }

    mutating func clean(_ records: [Entry], nowMs: Int64) {
        let live = view(records)
        let bases = Self.segmentBases(live, segmentMs: segmentMs)
        guard bases.count > 1, let active = bases.last else { return }
        passes += 1
        var latest: [[UInt8]: Int64] = [:]
        for r in live where r.offset < active { latest[r.key] = r.offset }
        for r in live where r.offset < active {
            if latest[r.key]! > r.offset {
                removed.insert(r.offset)
            } else if r.isTombstone {
                if let horizon = tombstoneHorizons[r.offset] {
                    if nowMs >= horizon { removed.insert(r.offset) }
                } else {
                    tombstoneHorizons[r.offset] = nowMs + deleteRetentionMs
                }
            }
        }
    }

    func view(_ records: [Entry]) -> [Entry] { records.filter { !removed.contains($0.offset) } }
}
