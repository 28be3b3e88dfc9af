import Foundation
import Kafka

/// `compaction demo`: several values per key and a tombstone on a compacted
/// topic, then what the log cleaner left. Runs for real on the compose
/// cluster; on the embedded cluster it writes the same records and shows that
/// nothing is compacted there.
enum CompactionDemo {
    static func run(_ ctx: CommandContext) throws {
        try ctx.arguments.expectPositionals(atMost: 0)
        let keys = try ctx.arguments.int("--keys", default: 4, range: 2...100)
        let wait = try ctx.arguments.seconds("--wait", default: 90, minimum: 5, maximum: 900)
        let c = try ctx.session.requireConnection()
        let topic = "compaction-demo-\(UUID().uuidString.prefix(6).lowercased())"
        let configs = [
            "cleanup.policy": "compact", "segment.ms": "1000", "min.cleanable.dirty.ratio": "0.01",
            "delete.retention.ms": "1000", "min.compaction.lag.ms": "0",
        ]
        let records = CompactionPlan(keys: keys)
        let out = ctx.output
        if let reason = c.cannot(.logCleaner) {
            out.line("embedded: \(reason).")
            out.line("Writing the demo's records anyway, to show what a compacted topic starts from:")
        } else {
            out.line(
                "topic \(topic) with "
                    + configs.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
        _ = try c.ensureTopic(
            topic, partitions: 1, replicationFactor: Int32(min(3, try c.client.metadata().brokers.count)),
            configs: configs)
        try ProduceAvailability.check(
            topic: topic, properties: ["acks": "all"], connection: c, output: ctx.output, lab: ctx.path)
        let producer = try Producer(config: try ctx.session.plainProducerProperties(["linger.ms": "0", "acks": "all"]))
        for r in records.writes {
            try producer.send(topic: topic, partition: 0, key: Array(r.key.utf8), value: r.value.map { Array($0.utf8) })
        }
        try producer.flush(timeoutMs: 30_000)
        out.line(
            "wrote \(records.writes.count) records: \(keys) keys × 3 values, then a tombstone (null value) for \(records.tombstoned)"
        )
        if !c.can(.logCleaner) {
            let remaining = try readAll(topic: topic, ctx: ctx)
            out.emit(
                CompactionResult(
                    topic: topic, cluster: "embedded", written: records.writes.count, remaining: remaining.count,
                    compacted: false, tombstonedKey: records.tombstoned, cleanerWaitLimitMs: nil,
                    records: remaining.map(CompactionResult.Record.init), cleanerRuns: false))
            return
        }
        // The active segment is never cleaned: wait past segment.ms and write
        // one more record so the demo's records sit in a closed segment. That wait
        // is in wall time (segment.ms counts from the records' timestamps, which the
        // producer stamps); the cleaner's passes are the cluster's time (its clock:
        // the wall clock on real Kafka, a scripted one on the tests' stand-in).
        usleep(1_500_000)
        let clock = c.client.clock
        try producer.send(topic: topic, partition: 0, key: Array("roll".utf8), value: Array("rolls the segment".utf8))
        try producer.flush(timeoutMs: 30_000)
        let started = clock.now
        var remaining: [ConsumedMessage] = []
        while clock.now - started < wait {
            if ctx.isCancelled { throw LabError.interrupted }
            remaining = try readAll(topic: topic, ctx: ctx)
            if records.isCompacted(
                remaining.map {
                    (
                        String(decoding: $0.key ?? [], as: UTF8.self),
                        $0.value.map { String(decoding: $0, as: UTF8.self) }
                    )
                })
            {
                break
            }
            out.progress(
                "waiting for the log cleaner: \(remaining.count) records still in the log, \(Int(clock.now - started)) s"
            )
            clock.sleep(2)
        }
        let done = records.isCompacted(
            remaining.map {
                (String(decoding: $0.key ?? [], as: UTF8.self), $0.value.map { String(decoding: $0, as: UTF8.self) })
            })
        out.emit(
            CompactionResult(
                topic: topic, cluster: c.control.name, written: records.writes.count + 1, remaining: remaining.count,
                compacted: done, tombstonedKey: records.tombstoned, cleanerWaitLimitMs: wait * 1000,
                records: remaining.map(CompactionResult.Record.init), cleanerRuns: true))
    }

    /// The demo's partition as a consumer reads it now, through the cluster seam.
    static func readAll(topic: String, ctx: CommandContext) throws -> [ConsumedMessage] {
        try ctx.session.requireConnection().client.readPartition(
            topic: topic, partition: 0,
            consumerProperties: ctx.session.consumerProperties(
                group: "kafkalab-compaction-\(UUID().uuidString.prefix(8))", [:]),
            timeoutSeconds: 10)
    }

}

/// The demo's records and the test of whether compaction is visible. Pure.
struct CompactionPlan {
    let writes: [(key: String, value: String?)]
    let tombstoned: String

    init(keys: Int) {
        var w: [(String, String?)] = []
        for version in 1...3 {
            for k in 0..<keys { w.append(("user-\(k)", "user-\(k) v\(version)")) }
        }
        tombstoned = "user-\(keys - 1)"
        w.append((tombstoned, nil))
        writes = w
    }

    /// Latest value per key among the demo's own keys (nil: deleted).
    var latest: [String: String?] {
        var m: [String: String?] = [:]
        for w in writes { m[w.key] = .some(w.value) }
        return m
    }

    /// Compaction is visible when every live key appears once with its latest
    /// value and the tombstoned key has no value left (its tombstone may linger).
    /// What a finished cleaning shows, tombstone included: the key's older values
    /// went at the first cleaning that reached the tombstone; delete.retention.ms
    /// decides only when the tombstone itself goes.
    func compactedReading(written: Int, remaining: Int, tombstoneRemains: Bool) -> String {
        Self.compactedReading(
            tombstoned: tombstoned, written: written, remaining: remaining, tombstoneRemains: tombstoneRemains)
    }

    /// The same, for a result that carries the tombstoned key itself.
    static func compactedReading(tombstoned: String, written: Int, remaining: Int, tombstoneRemains: Bool) -> String {
        "Compacted: \(written) records became \(remaining); each key kept only its latest value, offsets unchanged (note the gaps). "
            + "\(tombstoned)'s earlier values went at the first cleaning that reached its tombstone; the tombstone itself "
            + (tombstoneRemains
                ? "is still there, and goes at a later cleaning once delete.retention.ms (1 s here) has passed since that one."
                : "is gone too: a later cleaning removed it, delete.retention.ms (1 s here) after the first.")
    }

    func isCompacted(_ records: [(key: String, value: String?)]) -> Bool {
        let own = records.filter { latest[$0.key] != nil }
        for (key, value) in latest {
            let seen = own.filter { $0.key == key }
            if let value {
                guard seen.count == 1, seen[0].value == value else { return false }
            } else if seen.contains(where: { $0.value != nil }) {
                return false
            }
        }
        return true
    }
}
