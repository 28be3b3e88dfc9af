import Foundation
import Kafka

/// `produce` and `consume`: messages in and out, like kcat -P / -C.
enum DataCommands {
    static var all: [Command] { [produce, consume] }

    static let produce = Command(
        "produce", summary: "produce messages ({i} in the key, value or a header becomes the message number)",
        usage:
            "produce [--topic T] [--count N] [--key K] [--header k=v]... [--partition P] [--verbose] <value> | produce [--topic T] --file PATH [--verbose]",
        flags: ["--verbose"],
        options: ["--topic", "--count", "--key", "--header", "--partition", "--file"],
        details:
            "Waits for every delivery report and prints failures by error name. The session's producer properties apply (`set acks all`). A file gives one message per line, `key<TAB>value` optional. The rate counts from the first send to the last delivery report; the producer learns the topic's leaders before the clock starts. A keyed message's partition comes from librdkafka's partitioner: by default consistent_random, the CRC32 of the key, where a Java producer uses murmur2 (`set partitioner murmur2_random` to match it; `explain partitioning`). Where the messages landed is listed per partition up to \(listedPartitions) partitions; beyond that one phrase says how many partitions and which offsets (--verbose lists every one; --json always does).",
        completes: .nothing
    ) { ctx in try runProduce(ctx) }

    /// Up to this many partitions `produce` lists where each one's messages landed.
    static let listedPartitions = 8

    static func substitute(_ text: String, _ i: Int) -> String {
        text.contains("{i}") ? text.replacingOccurrences(of: "{i}", with: String(i)) : text
    }

    static func report(
        _ s: DeliverySummary, topic: String, sent: Int, planned: Int, seconds: Double, ctx: CommandContext
    ) {
        ctx.output.emit(
            ProduceResult(
                s, topic: topic, sent: sent, planned: planned, seconds: seconds,
                verbose: ctx.arguments.has("--verbose")))
    }

    static let consume = Command(
        "consume", summary: "read messages: partition, offset, key, value, timestamp",
        usage:
            "consume [<topic>] [--from beginning|end|<offset>] [--count N] [--partition P] [--follow] [--idle 10s] [--isolation read_committed|read_uncommitted] [--group G [--commit auto|every:N|off] [--verbose]]",
        flags: ["--follow", "--verbose"],
        options: ["--from", "--count", "--partition", "--idle", "--isolation", "--group", "--commit"],
        details:
            "Reads to the end of every partition and stops (like kcat -e; the end shows once a fetch comes back empty, so such a read asks for fetch.wait.max.ms=100 unless you set it), or keeps waiting with --follow until Ctrl-C, --count or --idle without a message (in a script, where nobody can press Ctrl-C, --idle defaults to 10 s). Without --group it uses no consumer group offsets (a throwaway group id; nothing is committed). With --group G it joins G (like kcat -G), starts where G committed (else --from beginning|end), waits (up to 60 s, with a progress line) until G assigns it partitions before --idle starts counting, and commits: auto (librdkafka's auto-commit, and on close), every:N (after every N messages and at the end) or off; at the end it shows what G has committed (per partition up to \(listedPartitions) partitions, beyond that how many and which offsets; --verbose lists every one, --json always does). On the embedded cluster session.timeout.ms defaults to 6000 here, since the mock holds every later join or leave for session.timeout.ms - 1 s. --isolation sets isolation.level for this read (librdkafka's default is read_committed); the embedded cluster ignores it.",
        completes: .topics
    ) { ctx in try runConsume(ctx) }

    /// What the group has committed now, as the coordinator reports it (not what this
    /// consumer believes it sent).
    static func reportGroupCommits(
        _ mode: GroupConsumeMode, topic: TopicInfo, consumed: Int, stopped: String, ctx: CommandContext
    ) throws {
        let client = try ctx.session.requireConnection().client
        let committed = try client.committedOffsets(
            group: mode.group, partitions: topic.partitions.map { TopicPartition(topic: topic.name, partition: $0.id) })
        let withOffsets = committed.filter { $0.offset >= 0 }
        ctx.output.emit(
            GroupConsumeSummaryResult(
                topic: topic.name, group: mode.group, consumed: consumed, stopped: stopped,
                commit: mode.commitDescription,
                committed: withOffsets.map { .init(partition: $0.partition, offset: $0.offset) },
                commitsOff: mode.commitEvery == nil && !mode.autoCommit, verbose: ctx.arguments.has("--verbose")))
    }

    /// A timestamp as `ISO8601DateFormatter` writes it; `RecordFormat.appendTimestamp` computes
    /// the same text without ICU for the years 1900-9999 and asks this for the rest.
    static func formatTimestamp(_ ms: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }
}
