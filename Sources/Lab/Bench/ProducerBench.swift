import Foundation
import Histogram
import Kafka
import Synchronization

/// What every run of one `bench` command shares.
struct ProducerBenchPlan {
    let topic: String
    let count: Int
    let warmup: Int
    /// Messages per second to pace at; nil sends as fast as librdkafka takes them.
    let rate: Int?
    let payload: BenchPayload
    /// The payload's bytes, lent to librdkafka without copying; outlives every run's producer.
    let buffer: PayloadBuffer
    /// The connection's kind, for the JSON document ("embedded", "compose", "external").
    let cluster: String
    /// The running command's Ctrl-C.
    let cancellation: Cancellation
    /// Producers sending at once, each from its own thread (`--producers`).
    var producers: Int = 1
    /// Seconds without any delivery report, messages waiting, after which the
    /// run stops and says why instead of waiting out message.timeout.ms
    /// (300 s by default): no metadata for the topic, a failing TLS handshake...
    var stallLimitSeconds: Double = 5
}

/// The payload pool in memory that never moves or changes, so librdkafka
/// can point into it instead of copying every message.
///
/// `@unchecked Sendable`: immutable after init; freed only in deinit, and the
/// plan that owns it outlives every producer that borrowed from it.
final class PayloadBuffer: @unchecked Sendable {
    let bytes: UnsafeMutableRawBufferPointer
    init(_ payload: BenchPayload) {
        bytes = .allocate(byteCount: payload.pool.count, alignment: 64)
        bytes.copyBytes(from: payload.pool)
    }
    deinit { bytes.deallocate() }
}

/// Delivery reports and statistics of one run, gathered inside the delivery
/// and statistics callbacks.
///
/// `@unchecked Sendable`: only the thread that runs its producer touches it (the
/// bench thread, or with --producers that client's own thread, read by the
/// caller after it signalled it is done; see ProducerClient). The run's
/// producer is created with `pollsInBackground: false`, so librdkafka calls
/// the delivery and statistics callbacks only from inside `poll`/`flush`, and
/// only that thread calls those. That is also why the histogram needs
/// no lock: recording a latency costs a clock read and an array increment.
/// The per-message state sits behind a pointer rather than in stored
/// properties, so the hot path pays no dynamic exclusivity checks.
final class DeliveryRecorder: @unchecked Sendable {
    struct Hot {
        var histogram = LatencySummary.makeHistogram()
        var delivered = 0
        var failed = 0
        var purged = 0
        var lastDeliveryNanos: UInt64 = 0
        /// Reading the clock costs about as much as the rest of the callback,
        /// so consecutive reports of one poll call share a reading: they
        /// arrived with the same response, and the reading is at most
        /// `clockReuse` callbacks (well under a microsecond) old. `poll`
        /// makes the first report of each poll call read the clock afresh.
        var clockNow: UInt64 = 0
        var clockUses = DeliveryRecorder.clockReuse
    }
    static let clockReuse = 16

    private let hot = UnsafeMutablePointer<Hot>.allocate(capacity: 1)
    var failures: [Int32: Int] = [:]
    /// Raw statistics documents, decoded after the run so the JSON parsing
    /// never competes with the produce loop.
    var statistics: [String] = []

    init() { hot.initialize(to: Hot()) }
    deinit {
        hot.deinitialize(count: 1)
        hot.deallocate()
    }

    var histogram: Histogram<UInt64> { hot.pointee.histogram }
    var delivered: Int { hot.pointee.delivered }
    var failed: Int { hot.pointee.failed }
    var purged: Int { hot.pointee.purged }
    var lastDeliveryNanos: UInt64 { hot.pointee.lastDeliveryNanos }

    /// `opaque` carries the monotonic time of the produce call.
    @inline(__always)
    func record(_ report: DeliveryReport) {
        if hot.pointee.clockUses >= DeliveryRecorder.clockReuse {
            hot.pointee.clockNow = BenchClock.nanos()
            hot.pointee.clockUses = 0
        }
        hot.pointee.clockUses &+= 1
        let now = hot.pointee.clockNow
        hot.pointee.lastDeliveryNanos = now
        if report.errorCode == 0 {
            hot.pointee.delivered &+= 1
            let micros = (now &- UInt64(report.opaque)) / 1000
            _ = hot.pointee.histogram.record(min(max(micros, 1), LatencySummary.highestMicros))
        } else if report.errorCode == ProducerTopic.purgedFromQueue {
            // Dropped on purpose after Ctrl-C or an error: never sent, not a failure.
            hot.pointee.purged += 1
        } else {
            hot.pointee.failed += 1
            failures[report.errorCode, default: 0] += 1
        }
    }

    /// Serves callbacks on this thread.
    @inline(__always)
    func poll(_ producer: Producer, timeoutMs: Int32) {
        hot.pointee.clockUses = DeliveryRecorder.clockReuse
        producer.poll(timeoutMs: timeoutMs)
    }

    func resetDeliveries() {
        hot.pointee = Hot()
        failures = [:]
    }
}

/// Runs one producer benchmark: its own producer, owner-polled like
/// rdkafka_performance, sending preallocated payload slices through the
/// topic-handle fast path.
enum ProducerBench {
    /// Statistics interval while benchmarking: often enough that the final
    /// emission after the flush comes quickly, rare enough to cost nothing.
    static let statisticsIntervalMs = 200
    /// Delivery reports are served every this many messages (a power of two
    /// minus one, as a mask): often enough that a report waits at most a few
    /// hundred microseconds for its callback, rarely enough that the queue
    /// lock stays out of the profile.
    static let pollMask = 63

    static let effectiveKeys = [
        "acks", "linger.ms", "batch.size", "batch.num.messages", "compression.type",
        "compression.level", "enable.idempotence",
    ]

    /// - `progress`: called on the calling thread with (sent, total, seconds so far) about every 200 ms.
    static func run(
        label: String, settings: [(key: String, value: String)], properties: [String: String],
        plan: ProducerBenchPlan, progress: (Int, Int, Double) -> Void
    ) throws -> BenchResult {
        var props = properties
        props["statistics.interval.ms"] = String(statisticsIntervalMs)
        let codec = props["compression.type"] ?? props["compression.codec"] ?? "none"
        let effective = (try? ClientConfig.effectiveValues(of: props, keys: effectiveKeys)) ?? [:]

        let clients: [ProducerClient]
        let cpuSeconds: Double
        if plan.producers == 1 {
            // One client: everything on this thread, as rdkafka_performance does.
            let client = try ProducerClient(
                index: 1, properties: props, plan: plan, count: plan.count, warmup: plan.warmup)
            client.warmUp()
            let cpuStart = BenchClock.processCPUSeconds()
            client.measure { sent, now in progress(sent, plan.count, Double(now &- client.start) / 1e9) }
            cpuSeconds = BenchClock.processCPUSeconds() - cpuStart
            client.finish()
            clients = [client]
        } else {
            (clients, cpuSeconds) = try runConcurrently(properties: props, plan: plan, progress: progress)
        }

        let delivered = clients.reduce(0) { $0 + $1.recorder.delivered }
        // A run that stopped making progress measured nothing worth a row.
        if let stall = clients.compactMap(\.stall).first { throw LabError.invalid(stall) }
        if delivered == 0, let e = clients.compactMap(\.sendError).first { throw e }
        var histogram = LatencySummary.makeHistogram()
        var totals = clients[0].totals
        for (i, c) in clients.enumerated() {
            histogram.add(c.recorder.histogram)
            if i > 0 { totals.absorb(c.totals) }
        }
        let start = clients.map(\.start).min()!
        let end = clients.map(\.end).max()!
        let sent = clients.reduce(0) { $0 + $1.sent - $1.recorder.purged }
        var result = BenchResult(
            label: label, codec: codec, count: sent, size: plan.payload.messageSize,
            payload: plan.payload.kind.description, delivered: delivered,
            failed: clients.reduce(0) { $0 + $1.recorder.failed },
            seconds: Double(end &- start) / 1e9, statistics: totals,
            latency: LatencySummary(histogram), cpuSeconds: cpuSeconds)
        result.settings = settings
        result.interrupted = clients.contains { $0.interrupted }
        result.effectiveProperties = effectiveKeys.compactMap { k in effective[k].map { (key: k, value: $0) } }
        if plan.producers > 1 {
            result.clients = clients.map {
                ClientRate(client: $0.index, messages: $0.recorder.delivered, seconds: Double($0.end &- $0.start) / 1e9)
            }
        }
        var failures: [Int32: Int] = [:]
        for c in clients { failures.merge(c.recorder.failures) { $0 + $1 } }
        if let worst = failures.max(by: { $0.value < $1.value }) {
            result.firstError = KafkaError.name(of: worst.key)
        } else if let e = clients.compactMap(\.sendError).first {
            result.firstError = e.name
        }
        return result
    }

    /// Several producers, one thread each, measured together: every client
    /// warms up, then all start at once; CPU covers the process from the
    /// start to the last client's final delivery report.
    static func runConcurrently(
        properties: [String: String], plan: ProducerBenchPlan,
        progress: (Int, Int, Double) -> Void
    ) throws -> ([ProducerClient], Double) {
        let n = plan.producers
        var clients: [ProducerClient] = []
        for i in 0..<n {
            // An even split of the messages; the first clients take the remainder.
            let share = plan.count / n + (i < plan.count % n ? 1 : 0)
            let warm = plan.warmup / n + (i < plan.warmup % n ? 1 : 0)
            clients.append(
                try ProducerClient(index: i + 1, properties: properties, plan: plan, count: share, warmup: warm))
        }
        let ready = DispatchSemaphore(value: 0)
        let go = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        for client in clients {
            let thread = Thread {
                client.warmUp()
                ready.signal()
                go.wait()
                client.measure { _, _ in }
                done.signal()
                client.finish()
                done.signal()
            }
            thread.name = "kafkalab-bench-producer-\(client.index)"
            thread.start()
        }
        for _ in clients { ready.wait() }
        let cpuStart = BenchClock.processCPUSeconds()
        let start = BenchClock.nanos()
        for _ in clients { go.signal() }
        var measured = 0
        while measured < n {
            if done.wait(timeout: .now() + .milliseconds(200)) == .success { measured += 1; continue }
            let sent = clients.reduce(0) { $0 + $1.progressSent.load(ordering: .relaxed) }
            progress(sent, plan.count, Double(BenchClock.nanos() &- start) / 1e9)
        }
        let cpuSeconds = BenchClock.processCPUSeconds() - cpuStart
        for _ in clients { done.wait() }
        return (clients, cpuSeconds)
    }

    /// Serves delivery reports until none is outstanding (a flush, polled
    /// here so the recorder's clock stays fresh). After Ctrl-C the queue is
    /// purged first and the wait is bounded (half a second: Ctrl-C answers within one).
    /// A stall (no report for `stallLimit` seconds, messages waiting) purges
    /// the queue too, says why through `onStall`, and gives up a second later.
    static func drain(
        _ producer: Producer, _ recorder: DeliveryRecorder, _ cancellation: Cancellation,
        stallLimit: Double = .infinity, topic: String = "", onStall: (String) -> Void = { _ in }
    ) {
        var interruptedAt: UInt64?
        var stalledAt: UInt64?
        let waitStart = BenchClock.nanos()
        while producer.outQueueLength > 0 {
            recorder.poll(producer, timeoutMs: 10)
            if cancellation.isCancelled {
                if interruptedAt == nil { interruptedAt = BenchClock.nanos(); producer.purgeQueued() }
                if BenchClock.nanos() &- interruptedAt! > 500_000_000 { return }
            }
            let now = BenchClock.nanos()
            if let stalledAt {
                if now &- stalledAt > 1_000_000_000 { return }
            } else if isStalled(recorder, since: waitStart, now: now, limit: stallLimit) {
                stalledAt = now
                onStall(ProgressStall.reason(producer, topic: topic, limit: stallLimit))
                producer.purgeQueued()
            }
        }
    }

    /// No delivery report for `limit` seconds since `since` (or the last report).
    static func isStalled(_ recorder: DeliveryRecorder, since: UInt64, now: UInt64, limit: Double) -> Bool {
        guard limit.isFinite else { return false }
        let last = max(recorder.lastDeliveryNanos, since)
        return now > last && Double(now &- last) / 1e9 > limit
    }

    /// Polls until a statistics document newer than `after` arrives (at most a few intervals).
    static func awaitStatistics(_ producer: Producer, _ recorder: DeliveryRecorder, after: Int) -> String? {
        let deadline = BenchClock.nanos() + UInt64(statisticsIntervalMs * 5) * 1_000_000
        while recorder.statistics.count <= after && BenchClock.nanos() < deadline {
            recorder.poll(producer, timeoutMs: 20)
        }
        return recorder.statistics.count > after ? recorder.statistics.last : nil
    }
}

/// One producer of a bench run, with its delivery recorder and statistics:
/// warm-up, the measured send, and the statistics read afterwards. Used by
/// one thread at a time (its own, or the caller's for a single client).
///
/// `@unchecked Sendable`: handed to the thread that runs it, and read by the
/// caller only after that thread has signalled it is done (the semaphores in
/// `ProducerBench.runConcurrently` order the accesses); `progressSent` is atomic.
final class ProducerClient: @unchecked Sendable {
    let index: Int
    let plan: ProducerBenchPlan
    let count: Int
    let warmup: Int
    let recorder: DeliveryRecorder
    let producer: Producer
    /// `plan.stallLimitSeconds` plus this client's linger.ms (see `ProgressStall.limit`).
    let stallLimit: Double
    private var loop: ProduceLoop
    private var baseline: ProduceStatisticsSample?
    let progressSent = Atomic<Int>(0)
    private(set) var start: UInt64 = 0
    private(set) var end: UInt64 = 0
    private(set) var sent = 0
    private(set) var sendError: KafkaError?
    /// Why the run stopped making progress (see `ProducerBenchPlan.stallLimitSeconds`).
    private(set) var stall: String?
    private(set) var interrupted = false
    private(set) var totals = ProduceStatisticsTotals()

    init(index: Int, properties: [String: String], plan: ProducerBenchPlan, count: Int, warmup: Int) throws {
        self.index = index
        self.plan = plan
        self.count = count
        self.warmup = warmup
        let recorder = DeliveryRecorder()
        self.recorder = recorder
        producer = try Producer(
            config: properties, pollsInBackground: false,
            onDelivery: { recorder.record($0) },
            onStatistics: { recorder.statistics.append($0) })
        let topic = try producer.topic(plan.topic)
        stallLimit = ProgressStall.limit(plan.stallLimitSeconds, producerProperties: properties)
        loop = ProduceLoop(
            topic: topic, producer: producer, recorder: recorder, cancellation: plan.cancellation,
            pool: UnsafeRawBufferPointer(plan.buffer.bytes), messageSize: plan.payload.messageSize,
            stallLimit: stallLimit)
    }

    /// Warm-up: connections, metadata and the allocator's first pages, all
    /// before the clock starts. Its batches end up in the statistics
    /// emission awaited here, which then serves as the baseline.
    func warmUp() {
        guard warmup > 0 else { return }
        do {
            _ = try loop.send(warmup, rate: nil, progress: { _, _ in })
        } catch let e as ProduceLoop.Stalled {
            stall = e.reason
        } catch {}
        ProducerBench.drain(
            producer, recorder, plan.cancellation, stallLimit: stallLimit, topic: plan.topic
        ) { stall = stall ?? $0 }
        if !plan.cancellation.isCancelled && stall == nil {
            baseline = ProducerBench.awaitStatistics(producer, recorder, after: recorder.statistics.count)
                .flatMap { ProduceStatisticsSample.decode($0, topic: plan.topic) }
        }
        recorder.resetDeliveries()
        recorder.statistics.removeAll()
    }

    /// The measured part: send, then serve every delivery report.
    func measure(progress: (Int, UInt64) -> Void) {
        let rate = plan.rate.map { max(1, $0 / plan.producers) }
        start = BenchClock.nanos()
        if !plan.cancellation.isCancelled && stall == nil {
            do {
                sent = try loop.send(count, rate: rate) { sent, now in
                    self.progressSent.store(sent, ordering: .relaxed)
                    progress(sent, now)
                }
            } catch let e as ProduceLoop.Stalled {
                stall = e.reason
                sent = loop.sent
            } catch let e as KafkaError {
                sendError = e
                sent = loop.sent
            } catch {
                sent = loop.sent
            }
        }
        progressSent.store(sent, ordering: .relaxed)
        interrupted = plan.cancellation.isCancelled
        if interrupted || sendError != nil || stall != nil { producer.purgeQueued() }
        ProducerBench.drain(
            producer, recorder, plan.cancellation, stallLimit: stallLimit, topic: plan.topic
        ) { stall = stall ?? $0 }
        end = recorder.lastDeliveryNanos > start ? recorder.lastDeliveryNanos : BenchClock.nanos()
    }

    /// Every batch went out before its delivery report, so the next emission
    /// covers the rest of the run. Only the last emission is decoded in full
    /// for the counters; the per-interval batch figures of every emission are summed.
    func finish() {
        _ = ProducerBench.awaitStatistics(producer, recorder, after: recorder.statistics.count)
        var totals = ProduceStatisticsTotals(baseline: baseline)
        for text in recorder.statistics {
            if let s = ProduceStatisticsSample.decode(text, topic: plan.topic) { totals.add(s) }
        }
        self.totals = totals
    }
}

/// The produce loop. Nothing in `send` allocates, converts strings or takes
/// a Swift lock: a payload slice is a pointer into the preallocated pool
/// that librdkafka borrows (no copy, as rdkafka_performance does), and the
/// send time travels in the message's opaque.
struct ProduceLoop {
    let topic: ProducerTopic
    let producer: Producer
    let recorder: DeliveryRecorder
    let cancellation: Cancellation
    let base: UnsafeRawPointer
    let messageSize: Int
    let poolCount: Int
    let topicName: String
    let stallLimit: Double
    var slot = 0
    var sent = 0

    /// The queue stayed full with no delivery report for the stall limit.
    struct Stalled: Error { let reason: String }

    init(
        topic: ProducerTopic, producer: Producer, recorder: DeliveryRecorder, cancellation: Cancellation,
        pool: UnsafeRawBufferPointer, messageSize: Int, stallLimit: Double = .infinity
    ) {
        self.cancellation = cancellation
        self.topicName = topic.name
        self.stallLimit = stallLimit
        self.topic = topic
        self.producer = producer
        self.recorder = recorder
        base = pool.baseAddress!
        self.messageSize = messageSize
        poolCount = pool.count / messageSize
    }

    /// Sends `n` messages. Returns how many were enqueued (fewer after
    /// Ctrl-C); throws the first error that is not back-pressure.
    mutating func send(_ n: Int, rate: Int?, progress: (Int, UInt64) -> Void) throws -> Int {
        sent = 0
        let queueFull = ProducerTopic.queueFull
        let size = messageSize
        let partition = ProducerTopic.unassignedPartition
        let checkEvery = rate == nil ? 1024 : 1
        var nextCheck = 0
        let nanosPerMessage = rate.map { 1_000_000_000 / Double($0) }
        let loopStart = BenchClock.nanos()
        var lastProgress = loopStart
        while sent < n {
            if sent >= nextCheck {
                nextCheck = sent + checkEvery
                if cancellation.isCancelled { break }
                let now = BenchClock.nanos()
                if now &- lastProgress > 200_000_000 { lastProgress = now; progress(sent, now) }
                if let nanosPerMessage {
                    let due = loopStart + UInt64(Double(sent) * nanosPerMessage)
                    if due > now { pace(until: due) }
                }
            }
            let value = base + slot &* size
            var rc = topic.produce(
                borrowing: value, count: size, partition: partition, opaque: UInt(BenchClock.nanos()))
            let fullSince = BenchClock.nanos()
            while rc != 0 {
                guard rc == queueFull else { throw KafkaError(code: rc) }
                // Back-pressure: serve reports (freeing queue space) and retry.
                recorder.poll(producer, timeoutMs: 10)
                if cancellation.isCancelled { return sent }
                if ProducerBench.isStalled(recorder, since: fullSince, now: BenchClock.nanos(), limit: stallLimit) {
                    throw Stalled(
                        reason: ProgressStall.reason(producer, topic: topicName, limit: stallLimit))
                }
                rc = topic.produce(
                    borrowing: value, count: size, partition: partition, opaque: UInt(BenchClock.nanos()))
            }
            sent &+= 1
            slot &+= 1
            if slot == poolCount { slot = 0 }
            if sent & ProducerBench.pollMask == 0 { recorder.poll(producer, timeoutMs: 0) }
        }
        return sent
    }

    /// Waits for the rate limiter, serving delivery reports meanwhile.
    private func pace(until due: UInt64) {
        while true {
            let now = BenchClock.nanos()
            guard now < due else { return }
            let waitMs = Int32((due - now) / 1_000_000)
            if waitMs >= 1 {
                recorder.poll(producer, timeoutMs: waitMs)
            } else {
                recorder.poll(producer, timeoutMs: 0); usleep(UInt32((due - now) / 1000))
            }
        }
    }
}
