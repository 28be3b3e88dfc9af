import Foundation
import Kafka

/// What `DataCommands.swift`'s commands run: one function per command, so that the
/// declarations stay a list of names, options and help.
extension DataCommands {
    static func runProduce(_ ctx: CommandContext) throws {
        let args = ctx.arguments
        let session = ctx.session
        let topicName = try session.topic(args.value("--topic"), usage: ctx.command.usage)
        var headerTemplates: [(key: String, value: String)] = []
        for h in args.values("--header") {
            let parts = h.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw ctx.usageError("--header takes key=value, not '\(h)'")
            }
            headerTemplates.append((parts[0], parts[1]))
        }
        let partition = try args.optionalInt("--partition", range: 0...100_000).map(Int32.init)
        // Messages are made one at a time from the file's lines or the
        // templates, so `--count 100m` does not build 100 million up front.
        let source: ProduceSource
        if let path = args.value("--file") {
            try args.expectPositionals(atMost: 0)
            guard let lines = ProduceSource(file: path) else {
                throw LabError.invalid("cannot read \(path): no such file or not UTF-8 text")
            }
            source = lines
        } else {
            try args.expectPositionals(atMost: 1)
            let value = try args.positional(0, "<value>")
            let count = try args.int("--count", default: 1, range: 1...100_000_000)
            source = ProduceSource(key: args.value("--key"), value: value, count: count)
        }
        let planned = source.count
        let fixedHeaders = headerTemplates.map { MessageHeader(key: $0.key, value: Array($0.value.utf8)) }
        let numberedHeaders = headerTemplates.contains { $0.value.contains("{i}") }
        if let refusal = session.produceRefusal { throw LabError.invalid(refusal) }
        let topicInfo = try session.requireTopic(topicName)
        if let partition { _ = try topicInfo.partition(numbered: Int(partition)) }
        try ProduceAvailability.check(topicInfo, partition: partition, session: session)
        let sp = try session.producer()
        _ = sp.deliveries.take()
        // Reports that stop while messages wait (no metadata for the topic, a failing handshake):
        // stop within the limit and say why, not after message.timeout.ms (see ProgressStall).
        // Its clock starts before the leaders are looked up, which a failing handshake stalls too.
        var stall = ProgressStall(limit: session.producerStallLimit)
        _ = stall.isStalled(count: 0)
        // Leaders known before the clock starts: the rate measures sending, not setup. Asked in
        // slices, so Ctrl-C is heard; a handshake that keeps failing is the stall's to report.
        SlicedWait.until(
            within: min(Double(session.requestTimeoutMs) / 1000, stall.limit), isCancelled: { ctx.isCancelled }
        ) { sp.producer.prepare(topic: topicName, timeoutMs: $0) }
        let started = Date()
        var sent = 0
        // Without headers a message goes through the topic handle straight from the source's
        // buffers (no Swift allocation per message).
        let topicHandle = headerTemplates.isEmpty ? try sp.producer.topic(topicName) : nil
        // The reports, tallied here while this thread serves them (see `servingReportsHere`).
        let tally = ProduceTally()
        func checkStall() throws {
            let reported = (delivered: tally.summary.delivered, failed: tally.summary.failed)
            guard stall.isStalled(count: reported.delivered + reported.failed) else { return }
            let reason = ProgressStall.reason(sp.producer, topic: topicName, limit: stall.limit)
            sp.producer.purgeQueued()
            // What is still in flight would report into the next command's tally.
            session.resetProducer()
            throw LabError.invalid(
                "produce \(topicName): \(sent) of \(planned) sent, \(reported.delivered) delivered; \(reason)")
        }
        // A long run says about once a second how far it is and what is left at its pace.
        var lastProgress = started
        func showProgress(_ now: Date = Date()) {
            guard now.timeIntervalSince(lastProgress) >= 1 else { return }
            lastProgress = now
            let left = ProgressStall.timeLeft(done: sent, of: planned, elapsed: now.timeIntervalSince(started))
            ctx.output.progress(
                "produce: \(sent)/\(planned) sent, \(tally.summary.delivered) delivered"
                    + (left.map { ", about \(Arguments.formatDuration($0)) left" } ?? "") + " (Ctrl-C stops)")
        }
        /// False when the file shrank after its lines were counted: the run ends early.
        func send(_ i: Int) throws -> Bool {
            if let topicHandle { return try sendLent(i, from: source, to: topicHandle, partition: partition) }
            let made: Void? = try source.withMessage(i) { key, value in
                let headers =
                    numberedHeaders
                    ? headerTemplates.map {
                        MessageHeader(key: $0.key, value: Array(substitute($0.value, i).utf8))
                    }
                    : fixedHeaders
                try sp.producer.send(
                    topic: topicName, partition: partition, key: key.map { Array($0) }, value: Array(value),
                    headers: headers, queueFullTimeout: 0.1)
            }
            return made != nil
        }
        // Delivery reports are served here, between sends, not by the producer's poller thread
        // (see `servingReportsHere`); the flush below serves them too.
        try sp.producer.servingReportsHere(into: tally) {
            sending: while sent < planned {
                if sent % 256 == 0 {
                    sp.producer.poll()
                    if sent % 1_024 == 0 {
                        if ctx.isCancelled { break }
                        showProgress()
                    }
                }
                do {
                    guard try send(sent) else { break sending }
                } catch let e as KafkaError where e.code == ProducerTopic.queueFull {
                    // The local queue is full (queue.buffering.max.messages): wait for reports in
                    // short slices, so Ctrl-C and a stall are heard.
                    if ctx.isCancelled { break }
                    try checkStall()
                    showProgress()
                    continue
                }
                sent += 1
            }
            // Wait for every report: what was sent is either acknowledged or its
            // failure is shown, even after Ctrl-C.
            var waited = 0.0
            var rechecked = false
            while sp.producer.outQueueLength > 0 {
                try? sp.producer.flush(timeoutMs: 200)
                waited += 0.2
                // A broker killed just before the check still counted in its ISRs; once it
                // is fenced the ISR may be short, and acks=all writes stall until message.timeout.ms.
                if !rechecked, waited >= ProduceAvailability.stallRecheckSeconds {
                    rechecked = true
                    if let why = ProduceAvailability.stalled(
                        topicName, partition: partition, properties: session.settings.producerProperties,
                        outstanding: sp.producer.outQueueLength, waited: waited, session: session)
                    {
                        ctx.output.warning(why)
                    }
                }
                // Ctrl-C answers within a second; reports still due are counted below.
                if ctx.isCancelled && waited >= 0.6 { break }
                if !ctx.isCancelled { try checkStall() }
                if sent > 0 {
                    ctx.output.progress("produce: waiting for \(sp.producer.outQueueLength) delivery report(s)")
                }
            }
        }
        // Reports served by the poller after the wait above gave up (Ctrl-C).
        var summary = tally.summary
        summary.merge(sp.deliveries.take())
        let elapsed = Date().timeIntervalSince(started)
        for state in session.labState.values {
            state.sessionDidProduce(delivered: summary.delivered, failed: summary.failed, in: session)
        }
        report(summary, topic: topicName, sent: sent, planned: planned, seconds: elapsed, ctx: ctx)
        let outstanding = sent - summary.delivered - summary.failed
        if ctx.isCancelled && outstanding > 0 {
            ctx.output.line(
                "interrupted: \(outstanding) message(s) sent but not yet reported; they are not counted above")
        }
        if let fatal = sp.producer.fatalError {
            session.resetProducer()
            throw LabError.invalid("the producer hit a fatal error: \(fatal); the next command gets a fresh producer")
        }
        if summary.failed > 0 && summary.delivered == 0 {
            throw LabError.invalid(
                "no message was delivered (\(summary.failuresByName.map { $0.name }.joined(separator: ", ")))")
        }
    }

    /// `produce`'s message `i` without headers, lent from `source` to the topic handle. A function
    /// of its own, with its parameters borrowed: inside `runProduce` the closure took a copy of
    /// everything the message could need (the headers, the topic's name), retained and released
    /// for every message (5 % of the producing thread). False when a file has no line left.
    private static func sendLent(
        _ i: Int, from source: ProduceSource, to topic: ProducerTopic, partition: Int32?
    ) throws -> Bool {
        try source.withMessage(i) { key, value in
            try topic.producer.send(topic: topic, partition: partition, key: key, value: value, queueFullTimeout: 0.1)
        } != nil
    }

    /// How long `consume --group` waits for the coordinator to assign it partitions.
    static let groupJoinLimit = 60.0

    static func runConsume(_ ctx: CommandContext) throws {
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
            guard let o = Int64(from), o >= 0 else {
                throw ctx.usageError("--from takes beginning, end or an offset ≥ 0, not '\(from)'")
            }
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
            ctx.output.hint(
                "in a script --follow stops after \(Arguments.formatDuration(idle)) without a message (--idle sets it)")
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
            if isolation == "read_committed" && ctx.session.connection?.can(.transactionMarkers) == false {
                ctx.output.hint(
                    "embedded: the mock writes no transaction markers and ignores isolation.level, so read_committed also returns aborted and still-open transactional messages here"
                )
            }
        }
        let groupMode = try args.value("--group").map {
            try GroupConsumeMode(
                group: Arguments.checkGroupName($0), commit: args.value("--commit"), from: from,
                partitionGiven: args.value("--partition") != nil,
                ctx: ctx)
        }
        if groupMode == nil, args.value("--commit") != nil { throw ctx.usageError("--commit needs --group") }
        let consumer: Consumer
        if let groupMode {
            // A group's assignment and commits are written to __consumer_offsets: below its
            // min ISR the join never completes, and waiting the minute out teaches nothing.
            try ProduceAvailability.checkCoordinator(
                .groups, key: groupMode.group, connection: try ctx.session.requireConnection(),
                lab: "\(ctx.path) --group \(groupMode.group)")
            let props = extra.merging(groupMode.properties(session: ctx.session)) { $1 }
            consumer = try Consumer(config: ctx.session.consumerProperties(group: groupMode.group, props))
            try consumer.subscribe([topicName])
            ctx.session.joinedGroups.record(groupMode.group)
            ctx.output.hint(
                "joining group \(groupMode.group) (\(groupMode.commitDescription))"
                    + (ctx.session.connection?.control.isMock == true
                        ? "; the embedded cluster holds a first join ~3 s" : ""))
        } else {
            consumer = try Consumer(
                config: ctx.session.consumerProperties(
                    group: "kafkalab-consume-\(UUID().uuidString.prefix(8))", extra))
            // Absolute offsets from the watermarks: given a logical beginning or end, librdkafka
            // 2.0.2 looks the offset up itself, and its first lookup (sent before it knows the
            // leader) is retried after 500 ms, so every read started half a second late.
            let client = try ctx.session.requireConnection().client
            SlicedWait.until(
                within: Double(ctx.session.requestTimeoutMs) / 1000, isCancelled: { ctx.isCancelled }
            ) { consumer.prepare(topic: topicName, timeoutMs: $0) }
            // All partitions' watermarks in two ListOffsets round trips per leader, not one per
            // partition (a 300-partition read waited for 300 of them before its first record).
            let marks = startOffset < 0 ? (try? client.watermarks(topic: topicName, partitions: partitions)) : nil
            try consumer.assign(
                partitions.map { p in
                    var offset = startOffset
                    if startOffset < 0,
                        let w = marks?[p] ?? (try? client.watermarks(topic: topicName, partition: p, timeoutMs: 3_000))
                    {
                        offset = startOffset == TopicPartitionOffset.beginning ? w.low : w.high
                    }
                    return TopicPartitionOffset(topic: topicName, partition: p, offset: offset)
                })
        }
        var received = 0
        var sinceCommit = 0
        /// A commit the group coordinator refused because its log is below min ISR is
        /// explained in one line (a broker went down after the check before joining).
        func commit() throws {
            do {
                try consumer.commitStored()
            } catch let e as KafkaError where e.name == "COORDINATOR_NOT_AVAILABLE" {
                consumer.close()
                try ProduceAvailability.checkCoordinator(
                    .groups, key: groupMode?.group, connection: try ctx.session.requireConnection(),
                    lab:
                        "\(ctx.path) --group \(groupMode?.group ?? ""): a commit was answered COORDINATOR_NOT_AVAILABLE"
                )
                throw e
            }
        }
        var atEnd = Set<Int32>()
        var lastActivity = Date()
        // In a group, the partitions to read to the end are the ones assigned to this member. Asked
        // again only when a partition reaches its end or a second has passed (a rebalance may have
        // changed it): with thousands of partitions, asking after every record was most of the time.
        var endSet = groupMode == nil ? Set(partitions) : Set<Int32>()
        var endSetAsked = Date.distantPast
        func endPartitions(fresh: Bool = false) -> Set<Int32> {
            guard groupMode != nil else { return endSet }
            if fresh || Date().timeIntervalSince(endSetAsked) >= 1 {
                endSet = Set(((try? consumer.assignment()) ?? []).map(\.partition))
                endSetAsked = Date()
            }
            return endSet
        }
        // A group member reads nothing until the coordinator assigns it partitions: a join can
        // wait for a rebalance (a member that left without closing holds one until its session
        // time-out), so the idle clock starts at the assignment, and the join has its own bound.
        let joinStarted = Date()
        let group = groupMode?.group ?? ""
        var assigned = groupMode == nil
        var idled = false
        var fatal: KafkaError?
        var reachedEnd = false
        // Records come in batches straight from the consumer's queue and are written as bytes into
        // the output's buffer (`RecordFormat`): per record nothing is copied or allocated.
        let reader = ConsumerBatchReader(consumer, capacity: 1_000)
        let output = ctx.output
        let styled = output.isTerminal
        let json = output.isJSON
        var format = RecordFormat()
        let queueThreshold = reader.queuedMinMessages
        var wakes = FetcherWakes()
        // Reading to the end, a partition at its end has nothing left to fetch; following, it may.
        func wakeFetchers() { reader.wakeFetchers(skipping: follow ? [] : atEnd) }
        while !ctx.isCancelled {
            if let count, received >= count { break }
            if !follow, reachedEnd || (!atEnd.isEmpty && atEnd.isSuperset(of: endPartitions())) { break }
            if !assigned {
                if !endPartitions(fresh: true).isEmpty {
                    assigned = true
                    lastActivity = Date()
                } else if Date().timeIntervalSince(joinStarted) > Self.groupJoinLimit {
                    ctx.output.clearProgress()
                    consumer.close()
                    throw LabError.invalid(
                        "group \(group) assigned this consumer no partition of \(topicName) within \(Arguments.formatDuration(Self.groupJoinLimit)): the group is still rebalancing (a member that left without closing holds it until its session.timeout.ms passes); run the command again, or read without --group"
                    )
                } else if Date().timeIntervalSince(joinStarted) > 2 {
                    ctx.output.progress(
                        "waiting for group \(group) to assign partitions: \(Int(Date().timeIntervalSince(joinStarted))) s"
                    )
                }
            }
            // Never more than --count still wants: what a batch hands over has its offset stored
            // (and, in a group, committed).
            let limit = min(
                count.map { $0 - received } ?? .max, groupMode?.commitEvery.map { $0 - sinceCommit } ?? .max)
            var eofArrived = false
            let n = reader.read(timeoutMs: 200, limit: limit) { event in
                switch event {
                case .record(let r):
                    received += 1
                    sinceCommit += 1
                    atEnd.remove(r.partition)
                    output.appendRecords { buffer in
                        if json {
                            format.appendJSON(r, topic: topicName, into: &buffer)
                        } else {
                            format.appendText(r, styled: styled, into: &buffer)
                        }
                    }
                case .partitionEOF(let partition):
                    atEnd.insert(partition)
                    eofArrived = true
                case .error(let e):
                    if e.isFatal {
                        if fatal == nil { fatal = e }
                    } else {
                        output.warning(e.description)
                    }
                }
            }
            if let fatal {
                output.flush()
                throw fatal
            }
            guard n > 0 else {
                output.flush()
                // An empty queue while partitions still have records to give: the fetchers may
                // be parked without the threshold having been seen here (it is crossed between
                // two batches), so a read to the end wakes them, at most once a second.
                if wakes.afterEmptyWait(readingToEnd: !follow && assigned, now: ProcessInfo.processInfo.systemUptime) {
                    wakeFetchers()
                }
                if assigned && (!follow || followIdles) && Date().timeIntervalSince(lastActivity) > idle {
                    idled = true
                    break
                }
                continue
            }
            output.endBatch()
            lastActivity = Date()
            // See `ConsumerBatchReader.wakeFetchers`: once the queue reached the threshold the
            // fetchers stopped; when it has half drained they are woken rather than left to
            // their next one-second tick.
            if wakes.afterBatch(taken: n, queued: reader.queueLength, threshold: queueThreshold) { wakeFetchers() }
            if eofArrived, !follow, groupMode != nil {
                reachedEnd = atEnd.isSuperset(of: endPartitions(fresh: true))
            }
            if let every = groupMode?.commitEvery, sinceCommit >= every {
                try commit()
                sinceCommit = 0
            }
        }
        output.flush()
        if groupMode?.commitEvery != nil, sinceCommit > 0 { try commit() }
        consumer.close()
        let why: String
        if ctx.isCancelled {
            why = "interrupted"
        } else if let count, received >= count {
            why = "count reached"
        } else if follow {
            why = "idle"
        } else if idled {
            why = "no message for \(Arguments.formatDuration(idle)), end not reached"
        } else {
            why = "end of log"
        }
        if let groupMode {
            try reportGroupCommits(groupMode, topic: topic, consumed: received, stopped: why, ctx: ctx)
        } else {
            ctx.output.emit(ConsumeSummaryResult(topic: topicName, consumed: received, stopped: why))
        }
    }
}
