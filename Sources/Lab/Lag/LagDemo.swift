import Foundation
import Kafka

/// `lag demo`'s run: a producer at a steady rate and a group consumer that is first
/// too slow, then fast, then stopped, with `lag watch` on the group (the phases
/// and their lessons are `LagDemoScript`).
struct LagDemo {
    let ctx: CommandContext

    /// The demo's producer: the connection's properties (security above all) and its own.
    static func makeProducer(_ c: ClusterConnection) throws -> Producer {
        try Producer(
            config: c.clientProperties(.producer, ["client.id": "kafkalab-lag-demo-producer", "linger.ms": "5"]))
    }

    /// The demo's group member, in group `group`, over the connection's properties.
    static func makeConsumer(_ c: ClusterConnection, group: String) throws -> Consumer {
        try Consumer(
            config: c.clientProperties(
                .consumer,
                [
                    "group.id": group, "client.id": "kafkalab-lag-demo-consumer",
                    "enable.auto.commit": "false", "auto.offset.reset": "earliest",
                    // The mock holds every join after the first for session.timeout.ms - 1 s.
                    "session.timeout.ms": "6000",
                    // Fetches answered within 50 ms instead of 500, so a caught-up consumer trails
                    // the producer by a few messages, not by half a second of them.
                    "fetch.wait.max.ms": "50",
                ]))
    }

    func run() throws {
        let args = ctx.arguments
        try args.expectPositionals(atMost: 0)
        let rate = Double(try args.int("--rate", default: 40, range: 3...10_000))
        let options = try LagWatchOptions(args, defaultInterval: 0.5, defaultDuration: 0, defaultWindow: 8)
        let session = ctx.session
        let c = try session.requireConnection()
        let md = try c.client.metadata()
        var name = "lag-demo"
        var n = 1
        while md.topic(name) != nil { n += 1; name = "lag-demo-\(n)" }
        // Its group (named as its topic) commits to __consumer_offsets.
        try ProduceAvailability.checkCoordinator(.groups, key: name, connection: c, lab: ctx.path)
        let partitionIds: [Int32] = [0, 1, 2]
        _ = try c.ensureTopic(
            name, partitions: Int32(partitionIds.count), replicationFactor: Int32(min(3, max(1, md.brokers.count))),
            cancellation: ctx.cancellation)
        try ProduceAvailability.check(
            topic: name, properties: ["linger.ms": "5"], connection: c, output: ctx.output, lab: ctx.path)

        let span = Double(options.window - 1) * options.interval
        let phaseLength = max(8, 3 * span)
        let script = LagDemoScript(rate: rate, phaseLength: phaseLength, stopLength: max(8, 2.5 * span))

        let payload = Array(repeating: UInt8(ascii: "x"), count: 100)
        let producer = try Self.makeProducer(c)
        // One warm-up message per partition, delivered before anything else: without it the
        // producer's first second waits for the new topic's metadata and goes out as one big
        // batch per partition, which a slow consumer reads one partition at a time, freezing
        // the other partition's offset (a STALL in the middle of the "slow" phase).
        let warmUpMessages = partitionIds.count
        for partition in partitionIds { try producer.send(topic: name, partition: partition, value: payload) }
        try producer.flush(timeoutMs: 5_000)
        let consumer = try Self.makeConsumer(c, group: name)
        try consumer.subscribe([name])
        session.joinedGroups.record(name)
        defer { consumer.close() }

        ctx.output.line(
            "lag demo: topic \(name) (\(partitionIds.count) partitions, keyed messages), group \(name); producer \(LagFormat.rate(rate)); sample every \(Arguments.formatDuration(options.interval)), window \(options.window) samples (\(LagFormat.duration(span)))"
        )
        if c.control.isMock {
            ctx.output.hint(
                "embedded: the first join of a group waits ~3 s; member, host and client id stay unknown (no DescribeGroups)"
            )
        }

        let target = LagTarget(
            group: name, client: c.client, topics: [name],
            partitions: partitionIds.map { TopicPartition(topic: name, partition: $0) },
            topicsExplanation: "topic \(name) (the demo's)", checked: "topic \(name)",
            description: c.can(.describeGroups) ? .failed("the demo does not describe its group") : .unsupported,
            owners: [:])
        // The phases start when the consumer has its first message, so the group join
        // (~3 s on the embedded cluster, longer on a busy real one) does not eat into them.
        let joinAllowance = 30.0
        let runOptions = LagWatchOptions(
            interval: options.interval, duration: script.totalLength + joinAllowance, window: options.window)
        let loop = LagWatchLoop(ctx: ctx, target: target, options: runOptions)
        let start = Date()
        var produced = 0
        var nextConsumeAt = 0.0
        var lastCommit = Date.distantPast
        var uncommitted = 0
        var consumed = 0
        var statusesByPhase: [String: [String]] = [:]
        var maxLagByPartition: [Int32: Int64] = [:]
        var joinedAt: Double?
        // From the join on; each phase ends once its lesson has held for a window of samples (or at its length).
        var progress: LagDemoScript.Progress?

        func currentPhase(_ now: Double) -> LagDemoScript.Phase {
            progress?.tick(at: now)
            return progress?.phase ?? script.joining
        }
        loop.phase = { currentPhase(Date().timeIntervalSince(start)).announcement }
        loop.isFinished = {
            progress?.tick(at: Date().timeIntervalSince(start))
            return progress?.isOver ?? false
        }
        loop.onReport = { report, _ in
            let name = progress?.phase.name ?? script.joining.name
            progress?.sampled(report, at: Date().timeIntervalSince(start))
            for p in report.partitions {
                maxLagByPartition[p.partition] = max(maxLagByPartition[p.partition] ?? 0, p.lag)
            }
            if !(statusesByPhase[name] ?? []).contains(report.groupStatus.rawValue) {
                statusesByPhase[name, default: []].append(report.groupStatus.rawValue)
            }
        }
        func consumeAtPace(_ now: Double, waitMs: Int32) {
            let phase = currentPhase(now)
            guard phase.consumeRate > 0 else { return }
            // Paced, never bursting more than 0.1 s of backlog, so "slow" stays slow after the join.
            while now >= nextConsumeAt {
                guard let event = consumer.poll(timeoutMs: waitMs) else { return }
                if case .message = event {
                    uncommitted += 1
                    consumed += 1
                    nextConsumeAt = max(nextConsumeAt, now - 0.1) + 1 / currentPhase(now).consumeRate
                }
            }
        }
        loop.tick = {
            let now = Date().timeIntervalSince(start)
            // The producer waits for the consumer's partitions: a backlog built during the
            // join would be read one partition at a time, and the other partition's frozen
            // offset would show STALL in the middle of the "slow" phase.
            guard let joinedAt else {
                _ = consumer.poll(timeoutMs: 0)
                if !((try? consumer.assignment()) ?? []).isEmpty {
                    joinedAt = now
                    progress = LagDemoScript.Progress(script: script, hold: options.window, startedAt: now)
                }
                return
            }
            while Double(produced) < rate * (now - joinedAt) {
                // Keyed: the partitioner (CRC32 of the key by default) picks the partition,
                // so every partition gets some customers and carries lag of its own.
                try producer.send(topic: name, key: Array("customer-\(produced % 12)".utf8), value: payload)
                produced += 1
            }
            consumeAtPace(now, waitMs: 0)
            let sinceCommit = Date().timeIntervalSince(lastCommit)
            if uncommitted > 0 && sinceCommit >= options.interval {
                try consumer.commitStored()
                lastCommit = Date()
                uncommitted = 0
            }
        }
        // A fast consumer is caught up whenever it has read all that was produced; it
        // finishes that and commits just before each sample, so the sample shows lag 0
        // instead of the few messages in flight (which Burrow would read as a lag that
        // never decreases).
        loop.beforeSample = {
            let now = Date().timeIntervalSince(start)
            guard currentPhase(now).consumeRate > rate else { return }
            try? producer.flush(timeoutMs: 500)
            let deadline = Date().addingTimeInterval(min(0.2, options.interval / 2))
            while consumed < produced + warmUpMessages && Date() < deadline {
                let now = Date().timeIntervalSince(start)
                if now < nextConsumeAt { Thread.sleep(forTimeInterval: min(0.01, nextConsumeAt - now)) }
                consumeAtPace(Date().timeIntervalSince(start), waitMs: 10)
            }
            if uncommitted > 0 {
                try consumer.commitStored()
                lastCommit = Date()
                uncommitted = 0
            }
        }
        let watch = loop.run()
        try? producer.flush(timeoutMs: 5_000)

        ctx.output.emit(
            LagDemoResult(
                topic: name, group: name, producePerSec: rate,
                phases: ([script.joining] + script.phases).map { phase in
                    LagDemoResult.Phase(
                        phase: phase.name, consumePerSec: phase.consumeRate,
                        groupStatusesSeen: statusesByPhase[phase.name] ?? [], lesson: phase.lesson)
                },
                samples: loop.summary.samples, maxTotalLag: loop.summary.maxTotalLag,
                maxLagByPartition: partitionIds.map {
                    LagDemoResult.PartitionMaximum(partition: $0, maxLag: maxLagByPartition[$0] ?? 0)
                },
                finalStatus: loop.summary.last?.groupStatus.rawValue, joinedAfterMs: joinedAt.map { $0 * 1000 },
                watch: watch, ownersVisible: c.can(.describeGroups)))
    }
}
