import Foundation
import Kafka
import Synchronization

/// `group max-poll`: two members of one group; one takes a message and then
/// "processes" it for longer than max.poll.interval.ms without polling. librdkafka
/// enforces the interval in the client: it leaves the group on the slow member's
/// behalf, the other member gets its partitions, and the slow member's next poll
/// returns _MAX_POLL_EXCEEDED. Client-side, so it happens on the embedded cluster too.
struct MaxPollDemo {
    /// Timings: librdkafka requires max.poll.interval.ms >= session.timeout.ms. A real
    /// broker refuses session timeouts under group.min.session.timeout.ms (6 s). The mock
    /// holds a group's first join for 3 s and drops a member silent for session.timeout.ms
    /// meanwhile, so below about 3.5 s the first join never completes there.
    struct Timings: Sendable, Equatable {
        let sessionTimeoutMs: Int
        let maxPollIntervalMs: Int
        let heartbeatMs: Int
        /// The longest slow processes; it comes back earlier once its partitions have moved.
        let processSeconds: Double

        static let embedded = Timings(
            sessionTimeoutMs: 3_500, maxPollIntervalMs: 3_500, heartbeatMs: 500, processSeconds: 9)
        static let real = Timings(
            sessionTimeoutMs: 6_000, maxPollIntervalMs: 6_000, heartbeatMs: 1_000, processSeconds: 15)
    }

    static let command = Command(
        "max-poll",
        summary: "a consumer that processes longer than max.poll.interval.ms leaves the group; its partitions move",
        usage: "group max-poll [--topic T]", options: ["--topic"],
        details: """
            Two consumers, fast and slow, join a fresh group on a 2-partition topic (default: max-poll-demo, created and \
            filled if missing). slow takes one message and then does not poll for longer than max.poll.interval.ms. \
            librdkafka enforces that interval itself (it checks twice a second): it leaves the group for slow, fast gets \
            both partitions, and slow's next poll returns _MAX_POLL_EXCEEDED. slow goes back to polling once its partitions \
            have moved. Embedded: session.timeout.ms and max.poll.interval.ms 3500 (librdkafka requires the second to be \
            at least the first; the mock's 3 s first join needs the first above 3 s), about 10 s in all, most of it the \
            mock's rebalance timers. Real cluster: 6000 (the brokers' minimum session timeout).
            """,
        completes: .topics
    ) { ctx in try MaxPollDemo(ctx: ctx).run() }

    let ctx: CommandContext

    func run() throws {
        let args = ctx.arguments
        try args.expectPositionals(atMost: 0)
        let session = ctx.session
        let c = try session.requireConnection()
        let timings = c.control.isMock ? Timings.embedded : Timings.real
        try ProduceAvailability.checkCoordinator(.groups, connection: c, lab: ctx.path)
        let topic = try ctx.demoTopic(
            args.value("--topic"), defaultName: "max-poll-demo", partitions: 2)
        guard topic.partitions.count >= 2 else {
            throw LabError.invalid(
                "\(topic.name) has \(topic.partitions.count) partition; the demo needs 2 so each member owns one")
        }
        // A few messages per partition, so slow has something to "process" whichever partition it gets.
        let producer = try Producer(config: c.clientProperties(.producer, ["client.id": "kafkalab-max-poll-demo"]))
        for p in topic.partitions {
            for i in 0..<3 { try producer.send(topic: topic.name, partition: p.id, value: Array("work \(i)".utf8)) }
        }
        try producer.flush(timeoutMs: 10_000)

        var config = try session.consumerProperties(group: "unset")
        for key in ["group.id", "group.instance.id", "partition.assignment.strategy"] {
            config.removeValue(forKey: key)
        }
        config.merge([
            "session.timeout.ms": String(timings.sessionTimeoutMs),
            "heartbeat.interval.ms": String(timings.heartbeatMs),
            "max.poll.interval.ms": String(timings.maxPollIntervalMs),
            "enable.auto.commit": "false", "auto.offset.reset": "earliest",
        ]) { $1 }
        let group = InProcessGroup(
            groupId: GroupRunPlan.groupId("max-poll"), topic: topic.name,
            partitions: Set(topic.partitions.map(\.id)), config: config, closeTimeout: 10,
            cancellation: ctx.cancellation)
        let out = ctx.output
        out.line(
            "group \(group.groupId) on \(topic.name): session.timeout.ms=\(timings.sessionTimeoutMs), max.poll.interval.ms=\(timings.maxPollIntervalMs); slow will process one message without polling until its partitions have moved (at most \(Self.seconds(timings.processSeconds)))"
        )
        var slowConfig = config.merging(["group.id": group.groupId, "client.id": "kafkalab-slow"]) { $1 }
        slowConfig["group.instance.id"] = nil
        let slow = try SlowMember(
            config: slowConfig, topic: topic.name, processSeconds: timings.processSeconds, recorder: group.recorder)
        try group.add("fast")

        // Bounded: the first join (3 s on the mock), the processing, the move, slow's return.
        let deadline =
            group.recorder.now() + 3 + timings.processSeconds + 4 * Double(timings.sessionTimeoutMs) / 1000 + 5
        while !slow.isFinished && group.recorder.now() < deadline {
            if ctx.isCancelled { break }
            if let stoppedAt = slow.stoppedAt,
                MaxPollReport(
                    timeline: group.recorder.timeline, slow: "slow", fast: "fast", stoppedAt: stoppedAt, backAt: nil,
                    errors: [], maxPollIntervalMs: timings.maxPollIntervalMs,
                    sessionTimeoutMs: timings.sessionTimeoutMs,
                    embedded: c.control.isMock
                ).movedAt != nil
            {
                slow.release()
            }
            out.progress("group max-poll: \(slow.phase) (\(Int(group.recorder.now())) s)")
            usleep(100_000)
        }
        if !ctx.isCancelled { slow.waitUntilFinished(timeout: 2) }
        let closingAt = group.recorder.now()
        slow.requestStop()
        slow.waitUntilFinished(timeout: 10)
        group.closeAll()
        if ctx.isCancelled { throw LabError.interrupted }

        let report = MaxPollReport(
            timeline: group.recorder.timeline, slow: "slow", fast: "fast",
            stoppedAt: slow.stoppedAt, backAt: slow.backAt, errors: slow.errors,
            maxPollIntervalMs: timings.maxPollIntervalMs, sessionTimeoutMs: timings.sessionTimeoutMs,
            embedded: c.control.isMock)
        var events = group.recorder.timeline.records.filter { $0.time < closingAt }.map {
            MaxPollResult.Event(
                timeMs: $0.time * 1000, member: $0.member, event: $0.kind.rawValue, partitions: $0.partitions.sorted())
        }
        if let t = slow.stoppedAt {
            events.append(.init(timeMs: t * 1000, member: "slow", event: "last poll, then processing", partitions: []))
        }
        for e in slow.errors {
            events.append(
                .init(timeMs: e.time * 1000, member: "slow", event: "poll returned \(e.name)", partitions: []))
        }
        events.append(.init(timeMs: closingAt * 1000, member: "both", event: "close (the demo ends)", partitions: []))
        out.emit(
            MaxPollResult(
                group: group.groupId, topic: topic.name, processingMs: Int(timings.processSeconds * 1000),
                report: report, events: events.sorted { $0.timeMs < $1.timeMs }))
    }

    static func seconds(_ s: Double) -> String { MaxPollReport.seconds(s) }
}

/// The slow member: polls until it has a message, then stays away from poll for
/// `processSeconds` (as an application stuck in processing would), then polls
/// again for a moment to collect what librdkafka tells it, and closes.
///
/// Sendable as the compiler checks it: every property is a `let` of a Sendable
/// type; what the main thread reads is behind a Mutex or an Atomic. By design
/// only the member's own thread polls the consumer.
final class SlowMember: Sendable {
    private let consumer: Consumer
    private let state = Mutex<
        (phase: String, stoppedAt: Double?, backAt: Double?, errors: [(time: Double, name: String)])
    >(("joining", nil, nil, []))
    private let stop = Atomic<Bool>(false)
    private let released = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let finishedFlag = Atomic<Bool>(false)

    init(config: [String: String], topic: String, processSeconds: Double, recorder: RebalanceRecorder) throws {
        consumer = try Consumer(config: config, onRebalance: { recorder.record("slow", $0) })
        try consumer.subscribe([topic])
        let thread = Thread { [self] in work(processSeconds, recorder) }
        thread.name = "kafkalab-member-slow"
        thread.start()
    }

    var phase: String { state.withLock { $0.phase } }
    var stoppedAt: Double? { state.withLock { $0.stoppedAt } }
    var backAt: Double? { state.withLock { $0.backAt } }
    var errors: [(time: Double, name: String)] { state.withLock { $0.errors } }
    var isFinished: Bool { finishedFlag.load(ordering: .acquiring) }

    private func work(_ processSeconds: Double, _ recorder: RebalanceRecorder) {
        defer {
            consumer.close()
            finishedFlag.store(true, ordering: .releasing)
            finished.signal()
        }
        while !stop.load(ordering: .acquiring) {
            guard let event = consumer.poll(timeoutMs: 100) else { continue }
            if case .message = event { break }
        }
        let stoppedAt = recorder.now()
        state.withLock {
            $0.stoppedAt = stoppedAt; $0.phase = "slow is processing (not polling)"
        }
        while recorder.now() < stoppedAt + processSeconds && !stop.load(ordering: .acquiring)
            && !released.load(ordering: .acquiring)
        {
            usleep(50_000)
        }
        state.withLock {
            $0.backAt = recorder.now(); $0.phase = "slow polls again"
        }
        let until = recorder.now() + 1
        while recorder.now() < until && !stop.load(ordering: .acquiring) {
            if case .error(let e) = consumer.poll(timeoutMs: 100) {
                let t = recorder.now()
                state.withLock { $0.errors.append((t, e.name)) }
                if e.name == MaxPollReport.exceededName { break }
            }
        }
    }

    func requestStop() { stop.store(true, ordering: .releasing) }

    /// Ends the processing early: the demo has seen what it waited for.
    func release() { released.store(true, ordering: .releasing) }

    @discardableResult
    func waitUntilFinished(timeout: Double) -> Bool {
        if isFinished { return true }
        return finished.wait(timeout: .now() + timeout) == .success
    }
}
