import Foundation
import Kafka

/// `produce` and `consume`: messages in and out, like kcat -P / -C.
enum DataCommands {
    static var all: [Command] { [produce, consume] }

    static let produce = Command(
        "produce", summary: "produce messages ({i} in the key, value or a header becomes the message number)",
        usage:
            "produce [--topic T] [--count N] [--key K] [--header k=v]... [--partition P] <value> | produce [--topic T] --file PATH",
        options: ["--topic", "--count", "--key", "--header", "--partition", "--file"],
        details:
            "Waits for every delivery report and prints failures by error name. The session's producer properties apply (`set acks all`). A file gives one message per line, `key<TAB>value` optional. The rate counts from the first send to the last delivery report; the producer learns the topic's leaders before the clock starts. A keyed message's partition comes from librdkafka's partitioner: by default consistent_random, the CRC32 of the key, where a Java producer uses murmur2 (`set partitioner murmur2_random` to match it; `explain partitioning`).",
        completes: .nothing
    ) { ctx in try runProduce(ctx) }

    static func substitute(_ text: String, _ i: Int) -> String {
        text.contains("{i}") ? text.replacingOccurrences(of: "{i}", with: String(i)) : text
    }

    static func report(
        _ s: DeliverySummary, topic: String, sent: Int, planned: Int, seconds: Double, ctx: CommandContext
    ) {
        let out = ctx.output
        var line = "produced \(s.delivered) of \(sent) message(s) to \(topic)"
        if !s.offsetRanges.isEmpty {
            line +=
                ": "
                + s.offsetRanges.map {
                    "p\($0.partition) \($0.first == $0.last ? "@\($0.first)" : "@\($0.first)-\($0.last)")"
                }.joined(separator: ", ")
        }
        if s.delivered > 1 && seconds > 0 { line += String(format: " (%.0f msgs/s)", Double(s.delivered) / seconds) }
        out.line(line)
        if sent < planned { out.line("interrupted after \(sent) of \(planned); every message sent was reported below") }
        for f in s.failuresByName {
            out.line("failed: \(f.count) × \(f.name)" + (ErrorMeanings.meaning(of: f.name).map { ": \($0)" } ?? ""))
        }
        out.setResult(
            .object([
                ("topic", .string(topic)), ("sent", .integer(sent)), ("delivered", .integer(s.delivered)),
                ("failed", .integer(s.failed)),
                (
                    "partitions",
                    .array(
                        s.offsetRanges.map {
                            .object([
                                ("partition", .integer($0.partition)), ("first_offset", .integer($0.first)),
                                ("last_offset", .integer($0.last)),
                            ])
                        })
                ),
                (
                    "errors",
                    .array(
                        s.failuresByName.map {
                            .object([
                                ("error", .string($0.name)), ("count", .integer($0.count)),
                                ("meaning", .optional(ErrorMeanings.meaning(of: $0.name))),
                            ])
                        })
                ),
            ]))
    }

    static let consume = Command(
        "consume", summary: "read messages: partition, offset, key, value, timestamp",
        usage:
            "consume [<topic>] [--from beginning|end|<offset>] [--count N] [--partition P] [--follow] [--idle 5s] [--isolation read_committed|read_uncommitted] [--group G [--commit auto|every:N|off]]",
        flags: ["--follow"],
        options: ["--from", "--count", "--partition", "--idle", "--isolation", "--group", "--commit"],
        details:
            "Reads to the end of every partition and stops (like kcat -e; the end shows once a fetch comes back empty, so such a read asks for fetch.wait.max.ms=100 unless you set it), or keeps waiting with --follow until Ctrl-C, --count or --idle without a message (in a script, where nobody can press Ctrl-C, --idle defaults to 10 s). Without --group it uses no consumer group offsets (a throwaway group id; nothing is committed). With --group G it joins G (like kcat -G), starts where G committed (else --from beginning|end), waits (up to 60 s, with a progress line) until G assigns it partitions before --idle starts counting, and commits: auto (librdkafka's auto-commit, and on close), every:N (after every N messages and at the end) or off; at the end it shows what G has committed. On the embedded cluster session.timeout.ms defaults to 6000 here, since the mock holds every later join or leave for session.timeout.ms - 1 s. --isolation sets isolation.level for this read (librdkafka's default is read_committed); the embedded cluster ignores it.",
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
        let text =
            withOffsets.isEmpty
            ? "nothing" : withOffsets.map { "p\($0.partition) @\($0.offset)" }.joined(separator: ", ")
        ctx.output.line(
            "consumed \(consumed) message(s) from \(topic.name) as group \(mode.group) (\(stopped)); the group's committed offsets: \(text)"
        )
        if mode.commitEvery == nil && !mode.autoCommit {
            ctx.output.hint(
                "--commit off: this run committed nothing; `lag \(mode.group) --topic \(topic.name)` shows the group's lag"
            )
        } else {
            ctx.output.hint("`lag \(mode.group)` shows the lag these commits leave")
        }
        ctx.output.setResult(
            .object([
                ("topic", .string(topic.name)), ("group", .string(mode.group)), ("consumed", .integer(consumed)),
                ("stopped", .string(stopped)), ("commit", .string(mode.commitDescription)),
                (
                    "committed",
                    .array(
                        withOffsets.map {
                            .object([("partition", .integer($0.partition)), ("offset", .integer($0.offset))])
                        })
                ),
            ]))
    }

    static func printRecord(_ m: ConsumedMessage, _ out: Output) {
        let key = m.key.map { String(decoding: $0, as: UTF8.self) }
        let value = m.value.map { String(decoding: $0, as: UTF8.self) }
        let time = m.timestamp.map { formatTimestamp($0) }
        if out.isJSON {
            out.stream(
                .object([
                    ("topic", .string(m.topic)), ("partition", .integer(m.partition)), ("offset", .integer(m.offset)),
                    ("key", .optional(key)), ("value", .optional(value)),
                    (
                        "headers",
                        .object(
                            m.headers.map { ($0.key, .optional($0.value.map { String(decoding: $0, as: UTF8.self) })) })
                    ),
                    ("timestamp_ms", .optional(m.timestamp)),
                ]))
            return
        }
        var line = "p\(m.partition) @\(m.offset)"
        if let key { line += "  key=\(printable(key))" }
        line += "  " + (value.map(printable) ?? "(null)")
        if !m.headers.isEmpty {
            line +=
                "  ["
                + m.headers.map {
                    "\($0.key)=\($0.value.map { printable(String(decoding: $0, as: UTF8.self)) } ?? "null")"
                }.joined(separator: ",") + "]"
        }
        if let time { line += "  " + out.dim(time) }
        out.line(line)
    }

    /// Control characters shown escaped so a record cannot garble the terminal.
    static func printable(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += String(format: "\\x%02x", scalar.value)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func formatTimestamp(_ ms: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }
}

/// Delivery reports condensed: how many made it, where, and what failed.
struct DeliverySummary {
    let delivered: Int
    let failed: Int
    let offsetRanges: [(partition: Int32, first: Int64, last: Int64)]
    let failuresByName: [(name: String, count: Int)]

    init(reports: [DeliveryReport]) {
        var ok = 0
        var ranges: [Int32: (Int64, Int64)] = [:]
        var failures: [String: Int] = [:]
        for r in reports {
            if r.succeeded {
                ok += 1
                let current = ranges[r.partition] ?? (r.offset, r.offset)
                ranges[r.partition] = (min(current.0, r.offset), max(current.1, r.offset))
            } else {
                failures[KafkaError.name(of: r.errorCode), default: 0] += 1
            }
        }
        delivered = ok
        failed = reports.count - ok
        offsetRanges = ranges.keys.sorted().map { ($0, ranges[$0]!.0, ranges[$0]!.1) }
        failuresByName = failures.sorted { $0.value > $1.value }.map { ($0.key, $0.value) }
    }
}
