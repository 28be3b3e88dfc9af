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
        usage: "isr [<topic>] [--under-replicated] [--all] | isr watch [<topic>|--all] [--interval 1s] [--for 30s]",
        flags: ["--under-replicated", "--all"],
        details: """
            STATE marks partitions that are offline (no leader), under-replicated (ISR smaller than the replica list), \
            at-min-ISR (one more lost follower and acks=all writes fail) or under-min-ISR (acks=all writes are refused now). \
            min.insync.replicas is read from the topic's configs (DescribeConfigs), which the embedded cluster lacks. \
            HIGH is the high watermark. The leader epoch is shown only where the linked librdkafka exposes it (2.0.2 does not). \
            Embedded: the ISR always equals the replica list; a stopped broker's replicas show as OFFLINE and such rows' \
            STATE says `not modelled` (never ok); `sim` models the ISR step by step. \
            A topic of more than 20 partitions gets a one-line digest first; at a terminal a table longer than the screen \
            is cut after the rows that fit (--all prints every row; piped output and --json have every row).
            """,
        completes: .topics,
        subcommands: [watch]
    ) { ctx in try runIsr(ctx) }

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
}
