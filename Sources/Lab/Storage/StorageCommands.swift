import Foundation
import Kafka

/// The storage lab: segment files on the brokers' disks, and log compaction.
/// Both need a real broker's log directory, reached with `docker compose exec`
/// on the project's cluster; elsewhere they say what they would show.
enum StorageCommands {
    static var all: [Command] { [segments, compaction] }

    /// KAFKA_LOG_DIRS of the brokers in docker-compose.yml.
    static let brokerLogDirectory = "/var/lib/kafka/data"

    static let segments = Command(
        "segments", summary: "a topic's segment files (.log, .index, .timeindex) on each broker, active segment marked",
        usage: "segments [<topic>] [<partition>] [--compose-file PATH]", options: ["--compose-file"],
        details:
            "Lists the partition directories in the brokers' log directory of the compose cluster through `docker compose exec`. The embedded cluster keeps its log in memory and has no segment files.",
        completes: .topics
    ) { ctx in try runSegments(ctx) }

    static func listSegments(
        topic: String, partitions: [PartitionInfo], compose: any ComposeControl, ctx: CommandContext
    ) throws {
        var table = TextTable(
            headers: ["PARTITION", "BROKER", "ROLE", "SEGMENT (BASE OFFSET)", ".LOG", ".INDEX", ".TIMEINDEX", ""],
            alignments: [.right, .right, .left, .right, .right, .right, .right, .left])
        var json: [JSONValue] = []
        let brokers = Set(partitions.flatMap(\.replicas)).sorted()
        for broker in brokers {
            if ctx.isCancelled { throw LabError.interrupted }
            let dirs = partitions.filter { $0.replicas.contains(broker) }.map { "\(topic)-\($0.id)" }
            let listing: String
            do {
                listing = try compose.exec(
                    broker: broker, ["sh", "-c", "cd \(brokerLogDirectory) && ls -ln " + dirs.joined(separator: " ")])
            } catch {
                ctx.output.warning("broker \(broker): \(describeError(error))")
                continue
            }
            let byDir = SegmentListing.directories(fromLongListing: listing, single: dirs.count == 1 ? dirs[0] : nil)
            for p in partitions where p.replicas.contains(broker) {
                let role = p.leader == broker ? "leader" : "follower"
                for s in SegmentListing.segments(from: byDir["\(topic)-\(p.id)"] ?? []) {
                    table.append([
                        "\(p.id)", "\(broker)", role, "\(s.baseOffset)", Units.bytes(s.logBytes),
                        Units.bytes(s.indexBytes), Units.bytes(s.timeIndexBytes), s.isActive ? "active" : "",
                    ])
                    json.append(
                        .object([
                            ("partition", .integer(p.id)), ("broker_id", .integer(broker)), ("role", .string(role)),
                            ("base_offset", .integer(s.baseOffset)), ("log_bytes", .integer(s.logBytes)),
                            ("index_bytes", .integer(s.indexBytes)), ("timeindex_bytes", .integer(s.timeIndexBytes)),
                            ("active", .bool(s.isActive)),
                        ]))
                }
            }
        }
        ctx.output.table(table)
        ctx.output.hint(
            "Index files are preallocated (10 MiB by default) while their segment is active and trimmed when it rolls.")
        ctx.output.setResult(.object([("topic", .string(topic)), ("segments", .array(json))]))
    }

    static let compaction = Command(
        "compaction", summary: "log compaction: only the latest value per key remains",
        usage: "compaction demo [--keys N] [--wait 90s]",
        subcommands: [
            Command(
                "demo",
                summary:
                    "create a compacted topic, write several values per key and a tombstone, wait for the cleaner, read what remains",
                usage: "compaction demo [--keys N] [--wait 90s]", options: ["--keys", "--wait"],
                details:
                    "On the compose cluster the topic uses cleanup.policy=compact with segment.ms=1000, min.cleanable.dirty.ratio=0.01 and delete.retention.ms=1000 so the cleaner acts within about 15-30 s (log.cleaner.backoff.ms); min.compaction.lag.ms=0 lets it clean records of any age. The first cleaning that reaches the tombstone removes the key's earlier values; delete.retention.ms decides only when the tombstone itself goes. The embedded cluster has no log cleaner: there it writes the same records and shows that all of them remain."
            ) { ctx in
                try CompactionDemo.run(ctx)
            }
        ])
}

/// Byte counts for people: 512 B, 4.0 KiB, 10.0 MiB.
enum Units {
    static func bytes(_ n: Int64) -> String {
        let v = Double(n)
        if v < 1024 { return "\(n) B" }
        if v < 1024 * 1024 { return String(format: "%.1f KiB", v / 1024) }
        if v < 1024 * 1024 * 1024 { return String(format: "%.1f MiB", v / 1024 / 1024) }
        return String(format: "%.2f GiB", v / 1024 / 1024 / 1024)
    }
}
