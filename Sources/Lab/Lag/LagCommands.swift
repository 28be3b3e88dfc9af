import Foundation
import Kafka

/// `lag`, `lag watch`, `lag demo` and `groups`: consumer lag per partition, live, with
/// Burrow's verdict (curriculum phase 6).
enum LagCommands {
    static var all: [Command] { [lag, groups] }

    static let lag = Command(
        "lag", summary: "consumer group lag per partition: committed, log end, lag, owner; totals",
        usage:
            "lag <group> [--topic T] [--lagging] [--all] | lag watch <group> ... | lag demo | lag export --group G ...",
        flags: ["--lagging", "--all"], options: ["--topic"],
        details: """
            Committed offsets come from the group coordinator (OffsetFetch), log-end offsets from the partition leaders \
            (high watermarks); lag = log end - committed. A partition the group never committed on shows the whole retained \
            log as lag, marked "no commits". Without --topic the topics are those the group has committed on (every topic's \
            partitions are checked) plus, on real Kafka, those assigned to its members; if there are none, the session's \
            topic. Member, host and client id come from DescribeGroups, which the embedded cluster lacks: there they show \
            "-", and a group with no commits cannot be told from a missing one unless a consumer of this session joined it. \
            At a terminal a table longer than the screen is cut after the rows that fit, the totals below it (--all prints \
            every row; piped output and --json have every row).
            """,
        completes: .nothing,
        subcommands: [watch, demo, export]
    ) { ctx in try runLag(ctx) }

    // MARK: lag watch

    static let watch = Command(
        "watch", summary: "live lag per partition with sparkline, rates, time to drain and Burrow status",
        usage: "lag watch <group> [--topic T] [--interval 2s] [--for 60s] [--window 10]",
        options: ["--topic", "--interval", "--for", "--window"],
        details: """
            Samples committed and log-end offsets every --interval (at least 100ms) for --for (default 60s) or until Ctrl-C, \
            then prints a summary. Each partition gets Burrow's status over the last --window samples that carry a commit: \
            OK, WARN (lag never decreased), STALL (offset stuck, lag > 0), STOP (offset unchanged for longer than the window \
            spans), REWIND (offset went backwards and has not yet returned); the group is its worst partition, errors shown as ERR. Burrow tells \
            STALL (a live consumer re-committing the same offset) from STOP (no commits) because it reads every commit; \
            polling the committed offset cannot, so here they differ only by how long the offset has been stuck. Rates are offsets \
            per second over the window; drain = lag / (consumption - production), or "growing". At a terminal the table is \
            redrawn in place; piped, one block per sample; --json prints one document per sample and a summary.
            """
    ) { ctx in try runWatch(ctx) }

    // MARK: groups

    static let groups = Command(
        "groups", summary: "consumer groups with state and member count (ListGroups; not on the embedded cluster)",
        usage: "groups",
        details:
            "Lists the cluster's consumer groups (ListGroups) and describes each (DescribeGroups) for its member count. The embedded cluster has neither API: there it says so and lists the groups this session's consumers joined."
    ) { ctx in try runGroups(ctx) }

    // MARK: lag demo

    /// `lag demo`: a producer at a steady rate and a group consumer that is first too slow,
    /// then fast, then stopped, all in this process, with `lag watch` on the group.
    static let demo = Command(
        "demo",
        summary: "watch lag grow (WARN), drain (OK) and freeze (STALL/STOP) with an in-process producer and consumer",
        usage: "lag demo [--rate 40] [--interval 500ms] [--window 8]",
        options: ["--rate", "--interval", "--window"],
        details: """
            Creates a fresh 3-partition topic lag-demo-N and group of the same name. A producer writes --rate msg/s the whole \
            time, keyed by customer-0..11 so the partitioner spreads them over every partition (each carries its own lag); the consumer (session.timeout.ms 6000, committing every interval) reads at a third of that rate, then at \
            five times it, then stops polling and committing while staying in the group. The producer starts once the \
            consumer has its partitions. A phase ends once what it shows (WARN, then OK with nothing left to read, \
            then STOP on every partition) has held for a whole window of samples, or after about three window spans \
            (at least 8 s) if it does not; the defaults take about 20 s. Nothing is injected: the statuses come from \
            real commits and end offsets.
            """
    ) { ctx in try LagDemo(ctx: ctx).run() }
}
