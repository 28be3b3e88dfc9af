import Foundation
import Kafka

/// `produce` and `consume`: messages in and out, like kcat -P / -C.
enum DataCommands {
    static var all: [Command] { [produce, consume] }

    static let produce = Command(
        "produce", summary: "produce messages ({i} in the key, value or a header becomes the message number)",
        usage: "produce [--topic T] [--count N] [--key K] [--header k=v]... [--partition P] <value> | produce [--topic T] --file PATH",
        options: ["--topic", "--count", "--key", "--header", "--partition", "--file"],
        details: "Waits for every delivery report and prints failures by error name. The session's producer properties apply (`set acks all`). A file gives one message per line, `key<TAB>value` optional. The rate counts from the first send to the last delivery report; the producer learns the topic's leaders before the clock starts. A keyed message's partition comes from librdkafka's partitioner: by default consistent_random, the CRC32 of the key, where a Java producer uses murmur2 (`set partitioner murmur2_random` to match it; `explain partitioning`).",
        completes: .nothing
    ) { ctx in
        let args = ctx.arguments
        let session = ctx.session
        let topicName = try session.topic(args.value("--topic"), usage: ctx.command.usage)
        var headerTemplates: [(key: String, value: String)] = []
        for h in args.values("--header") {
            let parts = h.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else { throw ctx.usageError("--header takes key=value, not '\(h)'") }
            headerTemplates.append((parts[0], parts[1]))
        }
        let partition = try args.optionalInt("--partition", range: 0...100_000).map(Int32.init)
        // Messages are made one at a time from the file's lines or the
        // templates, so `--count 100m` does not build 100 million up front.
        let planned: Int
        let message: (Int) -> (key: [UInt8]?, value: [UInt8])
        if let path = args.value("--file") {
            try args.expectPositionals(atMost: 0)
            guard let text = try? String(contentsOfFile: (path as NSString).expandingTildeInPath, encoding: .utf8) else {
                throw LabError.invalid("cannot read \(path): no such file or not UTF-8 text")
            }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
            planned = lines.count
            message = { i in
                let line = lines[i]
                guard let tab = line.firstIndex(of: "\t") else { return (nil, Array(line.utf8)) }
                return (Array(line[..<tab].utf8), Array(line[line.index(after: tab)...].utf8))
            }
        } else {
            try args.expectPositionals(atMost: 1)
            let value = try args.positional(0, "<value>")
            let key = args.value("--key")
            planned = try args.int("--count", default: 1, range: 1...100_000_000)
            message = { i in (key.map { Array(substitute($0, i).utf8) }, Array(substitute(value, i).utf8)) }
        }
        let fixedHeaders = headerTemplates.map { MessageHeader(key: $0.key, value: Array($0.value.utf8)) }
        let numberedHeaders = headerTemplates.contains { $0.value.contains("{i}") }
        if let refusal = session.produceRefusal { throw LabError.invalid(refusal) }
        let topicInfo = try session.requireTopic(topicName)
        if let partition { _ = try topicInfo.partition(numbered: Int(partition)) }
        try ProduceAvailability.check(topicInfo, partition: partition, session: session)
        let sp = try session.producer()
        // Leaders known before the clock starts: the rate measures sending, not setup.
        sp.producer.prepare(topic: topicName, timeoutMs: session.requestTimeoutMs)
        _ = sp.deliveries.take()
        let started = Date()
        var sent = 0
        while sent < planned {
            if ctx.isCancelled { break }
            let m = message(sent)
            let headers = numberedHeaders
                ? headerTemplates.map { MessageHeader(key: $0.key, value: Array(substitute($0.value, sent).utf8)) }
                : fixedHeaders
            try sp.producer.send(topic: topicName, partition: partition, key: m.key, value: m.value, headers: headers)
            sent += 1
            if sent % 10_000 == 0 {
                ctx.output.progress("produce: \(sent)/\(planned) sent")
            }
        }
        // Wait for every report: what was sent is either acknowledged or its
        // failure is shown, even after Ctrl-C.
        var waited = 0.0
        while sp.producer.outQueueLength > 0 {
            try? sp.producer.flush(timeoutMs: 200)
            waited += 0.2
            // Ctrl-C answers within a second; reports still due are counted below.
            if ctx.isCancelled && waited >= 0.6 { break }
            if sent > 0 { ctx.output.progress("produce: waiting for \(sp.producer.outQueueLength) delivery report(s)") }
        }
        let reports = sp.deliveries.take()
        let elapsed = Date().timeIntervalSince(started)
        let summary = DeliverySummary(reports: reports)
        for state in session.labState.values {
            state.sessionDidProduce(delivered: summary.delivered, failed: summary.failed, in: session)
        }
        report(summary, topic: topicName, sent: sent, planned: planned, seconds: elapsed, ctx: ctx)
        let outstanding = sent - summary.delivered - summary.failed
        if ctx.isCancelled && outstanding > 0 {
            ctx.output.line("interrupted: \(outstanding) message(s) sent but not yet reported; they are not counted above")
        }
        if let fatal = sp.producer.fatalError {
            session.resetProducer()
            throw LabError.invalid("the producer hit a fatal error: \(fatal); the next command gets a fresh producer")
        }
        if summary.failed > 0 && summary.delivered == 0 {
            throw LabError.invalid("no message was delivered (\(summary.failuresByName.map { $0.name }.joined(separator: ", ")))")
        }
    }

    static func substitute(_ text: String, _ i: Int) -> String {
        text.contains("{i}") ? text.replacingOccurrences(of: "{i}", with: String(i)) : text
    }

    static func report(_ s: DeliverySummary, topic: String, sent: Int, planned: Int, seconds: Double, ctx: CommandContext) {
        let out = ctx.output
        var line = "produced \(s.delivered) of \(sent) message(s) to \(topic)"
        if !s.offsetRanges.isEmpty {
            line += ": " + s.offsetRanges.map { "p\($0.partition) \($0.first == $0.last ? "@\($0.first)" : "@\($0.first)-\($0.last)")" }.joined(separator: ", ")
        }
        if s.delivered > 1 && seconds > 0 { line += String(format: " (%.0f msgs/s)", Double(s.delivered) / seconds) }
        out.line(line)
        if sent < planned { out.line("interrupted after \(sent) of \(planned); every message sent was reported below") }
        for f in s.failuresByName {
            out.line("failed: \(f.count) × \(f.name)" + (ErrorMeanings.meaning(of: f.name).map { ": \($0)" } ?? ""))
        }
        out.setResult(.object([
            ("topic", .string(topic)), ("sent", .integer(sent)), ("delivered", .integer(s.delivered)), ("failed", .integer(s.failed)),
            ("partitions", .array(s.offsetRanges.map { .object([("partition", .integer($0.partition)), ("first_offset", .integer($0.first)), ("last_offset", .integer($0.last))]) })),
            ("errors", .array(s.failuresByName.map { .object([("error", .string($0.name)), ("count", .integer($0.count)), ("meaning", .optional(ErrorMeanings.meaning(of: $0.name)))]) })),
        ]))
    }

    static let consume = Command(
        "consume", summary: "read messages: partition, offset, key, value, timestamp",
        usage: "consume [<topic>] [--from beginning|end|<offset>] [--count N] [--partition P] [--follow] [--idle 5s] [--isolation read_committed|read_uncommitted] [--group G [--commit auto|every:N|off]]",
        flags: ["--follow"], options: ["--from", "--count", "--partition", "--idle", "--isolation", "--group", "--commit"],
        details: "Reads to the end of every partition and stops (like kcat -e; the end shows once a fetch comes back empty, so such a read asks for fetch.wait.max.ms=100 unless you set it), or keeps waiting with --follow until Ctrl-C, --count or --idle without a message (in a script, where nobody can press Ctrl-C, --idle defaults to 10 s). Without --group it uses no consumer group offsets (a throwaway group id; nothing is committed). With --group G it joins G (like kcat -G), starts where G committed (else --from beginning|end), and commits: auto (librdkafka's auto-commit, and on close), every:N (after every N messages and at the end) or off; at the end it shows what G has committed. On the embedded cluster session.timeout.ms defaults to 6000 here, since the mock holds every later join or leave for session.timeout.ms - 1 s. --isolation sets isolation.level for this read (librdkafka's default is read_committed); the embedded cluster ignores it.",
        completes: .topics
    ) { ctx in
        let args = ctx.arguments
        try args.expectPositionals(atMost: 1)
        let topicName = try ctx.session.topic(args.optionalPositional(0), usage: ctx.command.usage)
        let count = try args.optionalInt("--count", range: 1...100_000_000)
        var idle = try args.seconds("--idle", default: 10, minimum: 0.1)
        let from = args.value("--from") ?? "beginning"
        let startOffset: Int64
        switch from {
        case "beginning": startOffset = TopicPartitionOffset.beginning
        case "end": startOffset = TopicPartitionOffset.end
        default:
            guard let o = Int64(from), o >= 0 else { throw ctx.usageError("--from takes beginning, end or an offset ≥ 0, not '\(from)'") }
            startOffset = o
        }
        let topic = try ctx.session.requireTopic(topicName)
        var partitions = topic.partitions.map(\.id)
        if let p = try args.optionalInt("--partition", range: 0...100_000) {
            partitions = [try topic.partition(numbered: p).id]
        }
        let follow = args.has("--follow")
        // --follow waits for new messages until Ctrl-C; --idle bounds it, and
        // a script (nobody there to press Ctrl-C) always gets a bound.
        let followIdles = follow && (args.value("--idle") != nil || ctx.session.isScript)
        if follow && args.value("--idle") == nil && ctx.session.isScript {
            idle = ctx.session.scriptWaitLimit
            ctx.output.hint("in a script --follow stops after \(Arguments.formatDuration(idle)) without a message (--idle sets it)")
        }
        var extra = ["enable.auto.commit": "false", "enable.partition.eof": "true"]
        // The end of a partition shows only once a fetch comes back empty, and a broker holds an
        // empty fetch for fetch.wait.max.ms (500 ms by default): reading to the end asks for 100 ms
        // unless you set it.
        if !follow && ctx.session.settings.consumerProperties["fetch.wait.max.ms"] == nil {
            extra["fetch.wait.max.ms"] = "100"
        }
        if let isolation = args.value("--isolation") {
            guard ["read_committed", "read_uncommitted"].contains(isolation) else {
                throw ctx.usageError("--isolation takes read_committed or read_uncommitted, not '\(isolation)'")
            }
            extra["isolation.level"] = isolation
            if isolation == "read_committed" && ctx.session.connection?.isEmbedded == true {
                ctx.output.hint("embedded: the mock writes no transaction markers and ignores isolation.level, so read_committed also returns aborted and still-open transactional messages here")
            }
        }
        let groupMode = try args.value("--group").map { try GroupConsumeMode(group: $0, commit: args.value("--commit"), from: from, partitionGiven: args.value("--partition") != nil, ctx: ctx) }
        if groupMode == nil, args.value("--commit") != nil { throw ctx.usageError("--commit needs --group") }
        let consumer: Consumer
        if let groupMode {
            let props = extra.merging(groupMode.properties(session: ctx.session)) { $1 }
            consumer = try Consumer(config: ctx.session.consumerProperties(group: groupMode.group, props))
            try consumer.subscribe([topicName])
            ctx.session.lagState.recordJoin(groupMode.group)
            ctx.output.hint("joining group \(groupMode.group) (\(groupMode.commitDescription))" + (ctx.session.connection?.isEmbedded == true ? "; the embedded cluster holds a first join ~3 s" : ""))
        } else {
            consumer = try Consumer(config: ctx.session.consumerProperties(
                group: "kafkalab-consume-\(UUID().uuidString.prefix(8))", extra))
            // Absolute offsets from the watermarks: given a logical beginning or end, librdkafka
            // 2.0.2 looks the offset up itself, and its first lookup (sent before it knows the
            // leader) is retried after 500 ms, so every read started half a second late.
            let admin = try ctx.session.requireConnection().admin
            consumer.prepare(topic: topicName, timeoutMs: ctx.session.requestTimeoutMs)
            try consumer.assign(partitions.map { p in
                var offset = startOffset
                if startOffset < 0, let w = try? admin.watermarks(topic: topicName, partition: p, timeoutMs: 3_000) {
                    offset = startOffset == TopicPartitionOffset.beginning ? w.low : w.high
                }
                return TopicPartitionOffset(topic: topicName, partition: p, offset: offset)
            })
        }
        var received = 0
        var sinceCommit = 0
        var atEnd = Set<Int32>()
        var lastActivity = Date()
        // In a group, the partitions to read to the end are the ones assigned to this member.
        func endPartitions() -> Set<Int32> {
            guard groupMode != nil else { return Set(partitions) }
            return Set(((try? consumer.assignment()) ?? []).map(\.partition))
        }
        while !ctx.isCancelled {
            if let count, received >= count { break }
            if !follow, !atEnd.isEmpty, atEnd.isSuperset(of: endPartitions()) { break }
            guard let event = consumer.poll(timeoutMs: 200) else {
                if (!follow || followIdles) && Date().timeIntervalSince(lastActivity) > idle { break }
                continue
            }
            lastActivity = Date()
            switch event {
            case .message(let m):
                received += 1
                sinceCommit += 1
                atEnd.remove(m.partition)
                printRecord(m, ctx.output)
                if let every = groupMode?.commitEvery, sinceCommit >= every {
                    try commitStored(consumer)
                    sinceCommit = 0
                }
            case .partitionEOF(let tp, _):
                atEnd.insert(tp.partition)
            case .error(let e):
                if e.isFatal { throw e }
                ctx.output.warning(e.description)
            }
        }
        if groupMode?.commitEvery != nil, sinceCommit > 0 { try commitStored(consumer) }
        consumer.close()
        let why = ctx.isCancelled ? "interrupted" : (count.map { received >= $0 } ?? false) ? "count reached" : follow ? "idle" : "end of log"
        if let groupMode {
            try reportGroupCommits(groupMode, topic: topic, consumed: received, stopped: why, ctx: ctx)
        } else if ctx.output.isJSON {
            ctx.output.setResult(.object([("topic", .string(topicName)), ("consumed", .integer(received)), ("stopped", .string(why))]))
        } else {
            ctx.output.hint("\(received) message(s) from \(topicName) (\(why))")
        }
    }

    /// Commits the offsets stored by poll (each consumed message's offset + 1).
    static func commitStored(_ consumer: Consumer) throws {
        do {
            try consumer.commit()
        } catch let e as KafkaError where e.name == "_NO_OFFSET" {
            // Nothing new was consumed since the last commit.
        }
    }

    /// What the group has committed now, as the coordinator reports it (not what this
    /// consumer believes it sent).
    static func reportGroupCommits(_ mode: GroupConsumeMode, topic: TopicInfo, consumed: Int, stopped: String, ctx: CommandContext) throws {
        let admin = try ctx.session.requireConnection().admin
        let committed = try admin.committedOffsets(group: mode.group, partitions: topic.partitions.map { TopicPartition(topic: topic.name, partition: $0.id) })
        let withOffsets = committed.filter { $0.offset >= 0 }
        let text = withOffsets.isEmpty ? "nothing" : withOffsets.map { "p\($0.partition) @\($0.offset)" }.joined(separator: ", ")
        ctx.output.line("consumed \(consumed) message(s) from \(topic.name) as group \(mode.group) (\(stopped)); the group's committed offsets: \(text)")
        if mode.commitEvery == nil && !mode.autoCommit {
            ctx.output.hint("--commit off: this run committed nothing; `lag \(mode.group) --topic \(topic.name)` shows the group's lag")
        } else {
            ctx.output.hint("`lag \(mode.group)` shows the lag these commits leave")
        }
        ctx.output.setResult(.object([
            ("topic", .string(topic.name)), ("group", .string(mode.group)), ("consumed", .integer(consumed)),
            ("stopped", .string(stopped)), ("commit", .string(mode.commitDescription)),
            ("committed", .array(withOffsets.map { .object([("partition", .integer($0.partition)), ("offset", .integer($0.offset))]) })),
        ]))
    }

    static func printRecord(_ m: ConsumedMessage, _ out: Output) {
        let key = m.key.map { String(decoding: $0, as: UTF8.self) }
        let value = m.value.map { String(decoding: $0, as: UTF8.self) }
        let time = m.timestamp.map { formatTimestamp($0) }
        if out.isJSON {
            out.stream(.object([
                ("topic", .string(m.topic)), ("partition", .integer(m.partition)), ("offset", .integer(m.offset)),
                ("key", .optional(key)), ("value", .optional(value)),
                ("headers", .object(m.headers.map { ($0.key, .optional($0.value.map { String(decoding: $0, as: UTF8.self) })) })),
                ("timestamp_ms", .optional(m.timestamp)),
            ]))
            return
        }
        var line = "p\(m.partition) @\(m.offset)"
        if let key { line += "  key=\(printable(key))" }
        line += "  " + (value.map(printable) ?? "(null)")
        if !m.headers.isEmpty {
            line += "  [" + m.headers.map { "\($0.key)=\($0.value.map { printable(String(decoding: $0, as: UTF8.self)) } ?? "null")" }.joined(separator: ",") + "]"
        }
        if let time { line += "  " + out.dim(time) }
        out.line(line)
    }

    /// Control characters shown escaped so a record cannot garble the terminal.
    static func printable(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F { out += String(format: "\\x%02x", scalar.value) } else { out.unicodeScalars.append(scalar) }
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
public struct DeliverySummary {
    public let delivered: Int
    public let failed: Int
    public let offsetRanges: [(partition: Int32, first: Int64, last: Int64)]
    public let failuresByName: [(name: String, count: Int)]

    public init(reports: [DeliveryReport]) {
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
