import Foundation
import Kafka

/// The replication lab: who leads each partition, which replicas are in sync,
/// and what happens when brokers stop (`isr`, `isr watch`, `broker ...`, `min-isr demo`).
enum ReplicationCommands {
    static var all: [Command] { [isr, broker, minIsr] }

    // MARK: isr

    static let isr = Command(
        "isr",
        summary: "per partition: leader, replicas, ISR, offline replicas, watermarks; marks under-replicated ones",
        usage: "isr [<topic>] [--under-replicated] | isr watch [<topic>|--all] [--interval 1s] [--for 30s]",
        flags: ["--under-replicated"],
        details: """
            STATE marks partitions that are offline (no leader), under-replicated (ISR smaller than the replica list), \
            at-min-ISR (one more lost follower and acks=all writes fail) or under-min-ISR (acks=all writes are refused now). \
            min.insync.replicas is read from the topic's configs (DescribeConfigs), which the embedded cluster lacks. \
            HIGH is the high watermark. The leader epoch is shown only where the linked librdkafka exposes it (2.0.2 does not). \
            Embedded: the ISR always equals the replica list; a stopped broker's replicas show as OFFLINE and such rows' \
            STATE says `not modelled` (never ok); `sim` models the ISR step by step.
            """,
        completes: .topics,
        subcommands: [watch]
    ) { ctx in try runIsr(ctx) }

    /// The STATE column's marks, most urgent first; empty for a healthy partition.
    static func stateMarks(_ p: PartitionState, minIsr: Int?) -> [String] {
        var marks: [String] = []
        if !p.hasLeader { marks.append("offline") }
        if p.isUnderReplicated { marks.append("under-replicated") }
        if let minIsr {
            if p.isUnderMinIsr(minIsr: minIsr) {
                marks.append("under-min-ISR")
            } else if p.isAtMinIsr(minIsr: minIsr) {
                marks.append("at-min-ISR")
            }
        }
        return marks
    }

    /// The topic's min.insync.replicas when the cluster can say, and how it was found.
    static func minInsyncReplicas(of topic: String, on c: ClusterConnection) -> (value: Int?, text: String) {
        if !c.can(.topicConfigs) { return (nil, "unknown (embedded: no topic configs, no min.insync.replicas)") }
        do {
            let entries = try c.client.describeTopicConfig(topic)
            guard let entry = entries.first(where: { $0.name == "min.insync.replicas" }),
                let value = entry.value.flatMap(Int.init)
            else {
                return (nil, "unknown (not in the topic's configs)")
            }
            return (value, "\(value) (\(entry.source.lowercased()))")
        } catch {
            return (nil, "unknown (DescribeConfigs failed: \(describeError(error)))")
        }
    }

    /// What kafkalab can truthfully say about leader epochs with the linked library.
    static func leaderEpochNote() -> String {
        let version = ConfigCatalog.libraryVersionNumber
        // librdkafka 2.1.0 (0x020100ff) began reporting leader epochs, with fetched
        // messages and offsets only; its metadata API still has none.
        if version < 0x0201_0000 {
            return
                "leader epoch: not shown; librdkafka \(ConfigCatalog.libraryVersion) does not expose it (`explain leader-epoch`)"
        }
        return
            "leader epoch: not shown; kafkalab reads partitions through librdkafka's metadata API, which has no leader epoch (librdkafka \(ConfigCatalog.libraryVersion); `explain leader-epoch`)"
    }

    static func ids(_ list: [Int32]) -> String {
        list.isEmpty ? "-" : list.map(String.init).joined(separator: ",")
    }

    // MARK: isr watch

    static let watch = Command(
        "watch",
        summary: "poll metadata and print each ISR shrink/expand, leader change, offline partition, broker gone/back",
        usage: "isr watch [<topic>|--all] [--interval 1s] [--for 30s]",
        flags: ["--all"], options: ["--interval", "--for"],
        details: """
            One timestamped line per event; ends on Ctrl-C or after --for (in a script without --for, after 10 s) with a summary: events by kind and the longest \
            time each partition stayed under-replicated (as precise as --interval, at least 100ms). --all watches every \
            topic except internal ones. It first lists, without timestamps, what changed since the previous watch ended (or \
            since just before the first `broker` command), so `broker stop 2` then `isr watch` shows the stop. In JSON mode \
            each event is one document, then the summary. Embedded: the ISR never changes; broker gone/back and leader \
            changes come from `broker stop|start`, which moves leadership as a controller would.
            """,
        completes: .topics
    ) { ctx in try runWatch(ctx) }

    /// One event line. `since` marks a change found between the previous look and this
    /// watch: its exact time is unknown, so it gets no timestamp.
    static func report(
        _ event: ReplicationEvent, at date: Date?, elapsed: Double,
        since: (reason: String, secondsAgo: Double)? = nil, embedded: Bool, _ out: Output
    ) {
        var text = event.description
        // The mock keeps a stopped broker in metadata; say what kafkalab actually saw.
        switch event {
        case .brokerGone(let id) where embedded:
            text = "broker \(id) gone (stopped; the mock still lists it in metadata)"
        case .brokerBack(let id) where embedded: text = "broker \(id) back (started again)"
        default: break
        }
        let stamp = date.map(clockTime)
        if out.isJSON {
            var pairs: [(String, JSONValue)] = [
                ("time", .optional(stamp)),
                ("elapsed_ms", since == nil ? .integer(Int64((elapsed * 1000).rounded())) : .null),
                (
                    "since_previous_look",
                    since.map {
                        .object([
                            ("reason", .string($0.reason)),
                            ("ago_ms", .integer(Int64(($0.secondsAgo * 1000).rounded()))),
                        ])
                    } ?? .null
                ),
                ("kind", .string(event.kind)), ("topic", .optional(event.topic)),
                ("partition", .optional(event.partition)), ("broker_id", .optional(event.broker)),
            ]
            switch event {
            case let .isrShrink(_, _, left, isr): pairs += [("left", .ints(left)), ("isr", .ints(isr))]
            case let .isrExpand(_, _, joined, isr): pairs += [("joined", .ints(joined)), ("isr", .ints(isr))]
            case let .leaderChange(_, _, from, to): pairs += [("from", .integer(from)), ("to", .integer(to))]
            case let .partitionOffline(_, _, last): pairs += [("last_leader", .integer(last))]
            case let .partitionOnline(_, _, leader): pairs += [("leader", .integer(leader))]
            case let .replicasChanged(_, _, from, to): pairs += [("from", .ints(from)), ("to", .ints(to))]
            case let .partitionAppeared(_, _, leader, replicas):
                pairs += [("leader", .integer(leader)), ("replicas", .ints(replicas))]
            case .brokerGone, .brokerBack, .partitionRemoved: break
            }
            pairs.append(("text", .string(text)))
            out.stream(.object(pairs))
        } else {
            out.line((stamp.map(out.dim) ?? "  ") + "  " + text)
        }
    }

    static func clockTime(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "HH:mm:ss.SSS"
        return f.string(from: date)
    }

    static func printSummary(_ s: ReplicationWatchSummary, interrupted: Bool, _ out: Output) {
        let counts = s.orderedEventCounts
        let why = interrupted ? "interrupted" : "time up"
        out.line(
            String(format: "watched %.1f s (%d polls, %@): ", s.watchedSeconds, s.snapshotsRecorded, why)
                + (counts.isEmpty
                    ? "no events"
                    : "\(s.totalEvents) event(s): " + counts.map { "\($0.kind) \($0.count)" }.joined(separator: ", ")))
        let under = s.underReplicated
        if under.isEmpty {
            out.line("no partition was under-replicated")
        } else {
            var table = TextTable(
                headers: ["PARTITION", "LONGEST UNDER-REPLICATED", "PERIODS", "AT END"],
                alignments: [.left, .right, .right, .left])
            for u in under {
                table.append([
                    "\(u.topic)/\(u.partition)", String(format: "%.1f s", u.longestSeconds), "\(u.periods)",
                    u.stillUnderReplicated ? "still under-replicated" : "in sync",
                ])
            }
            out.table(table)
        }
        out.setResult(
            .object([
                ("summary", true), ("stopped", .string(why)),
                ("watched_ms", .integer(Int64((s.watchedSeconds * 1000).rounded()))),
                ("polls", .integer(s.snapshotsRecorded)),
                (
                    "events",
                    .array(counts.map { .object([("kind", .string($0.kind)), ("count", .integer($0.count))]) })
                ),
                (
                    "under_replicated",
                    .array(
                        under.map {
                            .object([
                                ("topic", .string($0.topic)), ("partition", .integer($0.partition)),
                                ("longest_ms", .integer(Int64(($0.longestSeconds * 1000).rounded()))),
                                ("periods", .integer($0.periods)),
                                ("still_under_replicated", .bool($0.stillUnderReplicated)),
                            ])
                        })
                ),
            ]))
    }
}
