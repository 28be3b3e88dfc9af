import Foundation
import Kafka
import Synchronization

/// What `ConsumerCommands.swift`'s commands run: one function per command, so that the
/// declarations stay a list of names, options and help.
extension ConsumerCommands {
    static func runSeed(_ ctx: CommandContext) throws {
        let args = ctx.arguments
        try args.expectPositionals(atMost: 1)
        let topicName = args.optionalPositional(0) ?? defaultTopic
        try TopicName.validate(topicName)
        let count = try args.int("--count", default: 50_000, range: 1...10_000_000)
        let size = try args.int("--size", default: 100, range: 8...1_048_576)
        let partitionsWanted = try args.int("--partitions", default: defaultPartitions, range: 1...1_000)
        let session = ctx.session
        let c = try session.requireConnection()
        let producerProperties = try session.producerProperties()
        if producerProperties["transactional.id"] != nil {
            throw LabError.invalid(
                "the session producer is transactional (transactional.id is set); `unset transactional.id` before seeding"
            )
        }

        let md = try c.client.metadata()
        var created = false
        let partitionCount: Int
        if let existing = md.topic(topicName) {
            partitionCount = existing.partitions.count
            if args.value("--partitions") != nil && partitionCount != partitionsWanted {
                ctx.output.warning(
                    "\(topicName) already exists with \(partitionCount) partitions; --partitions applies only when seed creates the topic"
                )
            }
        } else {
            let rf = min(3, max(md.brokers.count, 1))
            // What the cluster holds, not what was asked: the topic may have appeared
            // meanwhile (another client, or a broker auto-creating it on a metadata request),
            // and producing to a partition it lacks fails with _UNKNOWN_PARTITION.
            let ensured = try c.ensureTopic(
                topicName, partitions: Int32(partitionsWanted), replicationFactor: Int32(rf))
            created = ensured.created
            partitionCount = ensured.topic.partitions.count
        }

        try ProduceAvailability.check(
            topic: topicName, properties: producerProperties, connection: c, output: ctx.output, lab: ctx.path)
        let counter = DeliveryCounter()
        let producer = try Producer(
            config: producerProperties, pollsInBackground: false,
            onDelivery: { counter.record($0) })
        let handle = try producer.topic(topicName)
        var value = [UInt8](repeating: UInt8(ascii: "."), count: size)
        let started = Date()
        var sent = 0
        // Reports that stop while messages wait: stop and say why (see ProgressStall).
        var stall = ProgressStall(limit: session.producerStallLimit)
        func checkStall() throws {
            guard stall.isStalled(count: counter.delivered + counter.failed) else { return }
            let reason = ProgressStall.reason(producer, topic: topicName, limit: stall.limit)
            producer.purgeQueued()
            throw LabError.invalid(
                "seed \(topicName): \(sent) of \(count) sent, \(counter.delivered) delivered; \(reason)")
        }
        // A progress line about once a second, with what is left at the rate so far.
        var lastProgress = started
        func showProgress() {
            let now = Date()
            guard now.timeIntervalSince(lastProgress) >= 1, sent > 0 else { return }
            lastProgress = now
            let left = Double(count - sent) * now.timeIntervalSince(started) / Double(sent)
            ctx.output.progress(
                "seed \(topicName): \(sent)/\(count) sent, \(counter.delivered) delivered, about \(Arguments.formatDuration(left.rounded(.up))) left (Ctrl-C stops)"
            )
        }
        while sent < count {
            if sent % 2_000 == 0 {
                if ctx.isCancelled { break }
                producer.poll(timeoutMs: 0)
                showProgress()
            }
            writeNumber(sent, into: &value)
            let rc = value.withUnsafeBytes { handle.produce(value: $0, partition: Int32(sent % partitionCount)) }
            if rc == ProducerTopic.queueFull {
                if ctx.isCancelled { break }
                producer.poll(timeoutMs: 10)
                try checkStall()
                showProgress()
                continue
            }
            if rc != 0 { throw KafkaError(code: rc) }
            sent += 1
        }
        let flushStarted = Date()
        var rechecked = false
        while producer.outQueueLength > 0 {
            try? producer.flush(timeoutMs: 200)
            let waited = Date().timeIntervalSince(flushStarted)
            if !rechecked, waited >= ProduceAvailability.stallRecheckSeconds {
                rechecked = true
                if let why = ProduceAvailability.stalled(
                    topicName, partition: nil, properties: producerProperties,
                    outstanding: producer.outQueueLength, waited: waited, session: session)
                {
                    ctx.output.warning(why)
                }
            }
            // Ctrl-C answers within a second: what is still queued is dropped, not awaited.
            if ctx.isCancelled { producer.purgeQueued() }
            if ctx.isCancelled && Date().timeIntervalSince(flushStarted) > 0.5 { break }
            if !ctx.isCancelled { try checkStall() }
            ctx.output.progress("seed \(topicName): waiting for \(producer.outQueueLength) delivery report(s)")
        }
        producer.poll(timeoutMs: 0)
        let seconds = Date().timeIntervalSince(started)
        let delivered = counter.delivered
        let failed = counter.failed
        for state in session.labState.values {
            state.sessionDidProduce(delivered: delivered, failed: failed, in: session)
        }

        // What the topic holds, only as far as the watermarks say: a partition
        // whose watermarks cannot be read is not counted as empty.
        var total: Int64 = 0
        var unreadable: (count: Int, error: String)? = nil
        for p in 0..<partitionCount {
            do {
                let w = try c.client.watermarks(topic: topicName, partition: Int32(p))
                total += w.high - w.low
            } catch {
                unreadable = ((unreadable?.count ?? 0) + 1, unreadable?.error ?? errorLine(error))
            }
        }
        let rate = seconds > 0 ? Double(delivered) / seconds : 0
        ctx.output.emit(
            SeedResult(
                topic: topicName, created: created, partitions: partitionCount, sent: sent, delivered: delivered,
                failed: failed, sizeBytes: size, durationMs: seconds * 1000, msgsPerSec: rate,
                messagesInTopic: unreadable == nil ? total : nil, planned: count, readableMessages: total,
                unreadable: unreadable))
        if failed > 0 {
            ctx.output.warning("\(failed) message(s) failed: \(counter.firstErrorName ?? "?")")
        }
        if delivered == 0 && sent > 0 {
            throw LabError.invalid(
                "no message was delivered to \(topicName) (\(counter.firstErrorName ?? "no delivery report"))")
        }
    }

    static func runDescribe(_ ctx: CommandContext) throws {
        try ctx.arguments.expectPositionals(atMost: 1)
        let id = try Arguments.checkGroupName(ctx.arguments.positional(0, "<group>"))
        let c = try ctx.session.requireConnection()
        if c.control.isMock {
            throw LabError.unsupported(
                "the embedded cluster cannot describe groups (librdkafka's mock has no DescribeGroups); run `group describe \(id)` on the compose cluster (`connect compose`)"
            )
        }
        let g: GroupDescription
        do {
            g = try c.client.describeGroup(id)
        } catch let e as KafkaError where e.name == "_UNSUPPORTED_FEATURE" || e.name == "UNSUPPORTED_VERSION" {
            throw LabError.unsupported("\(c.label) does not support DescribeGroups (\(e.name))")
        }
        if g.state == "Dead" && g.members.isEmpty {
            throw LabError.notFound("no group '\(id)' on \(c.label) (state Dead)")
        }
        ctx.output.emit(
            GroupDescribeResult(
                group: g.id, state: g.state, protocol: g.partitionAssignor, coordinator: g.coordinator,
                members: g.members.map { m in
                    GroupDescribeResult.Member(
                        memberID: m.memberId, clientID: m.clientId, host: m.host, groupInstanceID: m.groupInstanceId,
                        assignment: m.assignment.map { .init(topic: $0.topic, partition: $0.partition) })
                }))
    }
}
