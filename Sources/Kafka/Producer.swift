import CRdKafka
import Foundation
import Synchronization

/// A message header as produced or consumed.
public struct MessageHeader: Sendable, Equatable {
    public let key: String
    public let value: [UInt8]?
    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }
}

/// A librdkafka producer. Delivery reports, statistics and errors are served
/// by a background thread that polls the handle, unless the owner polls it
/// itself (`pollsInBackground: false`, as the bench loop does, like
/// rdkafka_performance).
///
/// `@unchecked Sendable` (only because `OpaquePointer` is not Sendable): every
/// stored property is a `let`: the handle, which librdkafka makes thread-safe;
/// the callbacks and the poller, Sendable by their own claims; the config, a value.
public final class Producer: @unchecked Sendable {
    let rk: OpaquePointer
    private let callbacks: ClientCallbacks
    private let poller: BackgroundPoller?
    public let config: [String: String]

    public init(
        config: [String: String],
        pollsInBackground: Bool = true,
        onDelivery: (@Sendable (DeliveryReport) -> Void)? = nil,
        onStatistics: (@Sendable (String) -> Void)? = nil,
        onError: (@Sendable (KafkaError) -> Void)? = nil
    ) throws {
        self.config = config
        let callbacks = ClientCallbacks(onDelivery: onDelivery, onStatistics: onStatistics, onError: onError)
        let conf = try ClientConfig.makeConf(config)
        callbacks.printsLogs = config["debug"] != nil
        callbacks.install(on: conf)
        rk = try makeHandle(type: RD_KAFKA_PRODUCER, conf: conf)
        self.callbacks = callbacks
        // Safe to share: deinit stops (joins) the poller before destroying the handle.
        let handle = SendableHandle(rk)
        poller = pollsInBackground ? BackgroundPoller { _ = rd_kafka_poll(handle.pointer, 100) } : nil
    }

    deinit {
        poller?.stop()
        rd_kafka_destroy(rk)
    }

    public var name: String { String(cString: rd_kafka_name(rk)) }

    /// Enqueues one message (librdkafka copies key, value and headers). When the
    /// local queue is full it serves delivery reports and retries, for at most
    /// `queueFullTimeout` seconds.
    public func send(
        topic: String, partition: Int32? = nil, key: [UInt8]? = nil, value: [UInt8]?,
        headers: [MessageHeader] = [], opaque: UInt = 0,
        queueFullTimeout: Double = 30
    ) throws {
        let deadline = Date().addingTimeInterval(queueFullTimeout)
        while true {
            let error = produceOnce(
                topic: topic, partition: partition ?? RD_KAFKA_PARTITION_UA,
                key: key, value: value, headers: headers, opaque: opaque)
            guard let error else { return }
            if error.code == RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue, Date() < deadline {
                if pollsHere { rd_kafka_poll(rk, 10) } else { usleep(5_000) }
                continue
            }
            throw error
        }
    }

    private func produceOnce(
        topic: String, partition: Int32, key: [UInt8]?, value: [UInt8]?,
        headers: [MessageHeader], opaque: UInt
    ) -> KafkaError? {
        // Strings and byte arrays must stay alive for the duration of the call;
        // RD_KAFKA_MSG_F_COPY makes librdkafka copy them before returning.
        let names = headers.map { strdup($0.key)! }
        defer { names.forEach { free($0) } }
        let headerValues = headers.map { $0.value }
        return topic.withCString { topicName in
            withOptionalBytes(key) { keyPtr, keyLen in
                withOptionalBytes(value) { valuePtr, valueLen in
                    var vus: [rd_kafka_vu_t] = []
                    vus.reserveCapacity(6 + headers.count)
                    var vu = rd_kafka_vu_t()
                    vu.vtype = RD_KAFKA_VTYPE_TOPIC; vu.u.cstr = topicName; vus.append(vu)
                    vu = rd_kafka_vu_t(); vu.vtype = RD_KAFKA_VTYPE_PARTITION; vu.u.i32 = partition; vus.append(vu)
                    vu = rd_kafka_vu_t(); vu.vtype = RD_KAFKA_VTYPE_MSGFLAGS; vu.u.i = RD_KAFKA_MSG_F_COPY;
                    vus.append(vu)
                    vu = rd_kafka_vu_t(); vu.vtype = RD_KAFKA_VTYPE_OPAQUE
                    vu.u.ptr = UnsafeMutableRawPointer(bitPattern: opaque); vus.append(vu)
                    if let valuePtr {
                        vu = rd_kafka_vu_t(); vu.vtype = RD_KAFKA_VTYPE_VALUE
                        vu.u.mem.ptr = UnsafeMutableRawPointer(mutating: valuePtr); vu.u.mem.size = valueLen
                        vus.append(vu)
                    }
                    if let keyPtr {
                        vu = rd_kafka_vu_t(); vu.vtype = RD_KAFKA_VTYPE_KEY
                        vu.u.mem.ptr = UnsafeMutableRawPointer(mutating: keyPtr); vu.u.mem.size = keyLen
                        vus.append(vu)
                    }
                    return withHeaderPointers(headerValues) { pointers in
                        for (i, name) in names.enumerated() {
                            vu = rd_kafka_vu_t(); vu.vtype = RD_KAFKA_VTYPE_HEADER
                            vu.u.header.name = UnsafePointer(name)
                            vu.u.header.val = pointers[i].0
                            vu.u.header.size = pointers[i].1
                            vus.append(vu)
                        }
                        guard let err = rd_kafka_produceva(rk, vus, vus.count) else { return nil }
                        return KafkaError(consuming: err)
                    }
                }
            }
        }
    }

    /// A reusable topic handle for the fast produce path.
    public func topic(_ name: String) throws -> ProducerTopic {
        guard let rkt = rd_kafka_topic_new(rk, name, nil) else {
            throw KafkaError(rd_kafka_last_error())
        }
        return ProducerTopic(producer: self, rkt: rkt, name: name)
    }

    /// Learns the topic's partitions and leaders on this producer's own
    /// connection before its first message. Without it librdkafka 2.0.2 parks
    /// the first messages of a new topic on a queue that does not wake the
    /// leader's broker thread, which then sends them only at its next 1 s tick.
    /// Returns whether the metadata came within `timeoutMs` (a caller may ask again in slices).
    @discardableResult
    public func prepare(topic: String, timeoutMs: Int32) -> Bool {
        learnTopic(topic, on: rk, timeoutMs: timeoutMs)
    }

    /// Runs `body` with the background poller held: delivery reports, statistics and errors
    /// wait for `poll()` on the caller's thread (and `send` polls when the queue is full), as
    /// kcat and rdkafka_performance serve them, and the reports go to `sink` instead of the
    /// handler the producer was made with (which it must have been made with). Only the caller
    /// may poll meanwhile. A producing loop wants this: with the poller serving reports,
    /// librdkafka's messages were allocated on the producing thread and freed on the poller's,
    /// and the two threads fought over malloc's arena lock (600,000 futex calls in a
    /// 2,000,000-message `produce --count`, a third of its system time); and a sink of its own
    /// tallies with no atomic instruction per message (a lock, or a retained closure, was up to a
    /// fifth of the producing thread).
    public func servingReportsHere<R>(into sink: DeliverySink, _ body: () throws -> R) rethrows -> R {
        precondition(callbacks.onDelivery != nil, "servingReportsHere needs a producer made with onDelivery")
        // The poller may be waiting inside rd_kafka_poll (up to 100 ms): it returns when its
        // queue yields. (rd_kafka_yield only works inside a callback on the polling thread: with
        // it the hold waited out the poller's 100 ms, and a 200,000-message produce took 0.2 s
        // instead of 0.1.)
        poller?.hold {
            guard let queue = rd_kafka_queue_get_main(rk) else { return }
            rd_kafka_queue_yield(queue)
            rd_kafka_queue_destroy(queue)
        }
        defer { poller?.release() }
        return try withExtendedLifetime(sink) {
            callbacks.heldSink = Unmanaged.passUnretained(sink)
            defer { callbacks.heldSink = nil }
            return try body()
        }
    }

    /// Whether librdkafka's callbacks are this thread's to serve (no poller, or it is held).
    private var pollsHere: Bool { poller?.isHeld ?? true }

    /// Serves queued callbacks (delivery reports, statistics) on this thread.
    @discardableResult
    public func poll(timeoutMs: Int32 = 0) -> Int { Int(rd_kafka_poll(rk, timeoutMs)) }

    /// Messages not yet delivered (queued, in flight, or awaiting their report).
    public var outQueueLength: Int { Int(rd_kafka_outq_len(rk)) }

    /// Waits until every message is delivered or failed; throws `_TIMED_OUT`
    /// with the count still outstanding.
    public func flush(timeoutMs: Int32 = 30_000) throws {
        let err = rd_kafka_flush(rk, timeoutMs)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(err, message: "\(outQueueLength) message(s) still undelivered after \(timeoutMs) ms")
        }
    }

    /// Drops messages not yet sent (their reports say `_PURGE_QUEUE`).
    public func purgeQueued() {
        _ = rd_kafka_purge(rk, Int32(RD_KAFKA_PURGE_F_QUEUE))
    }

    /// The fatal error that disabled this producer, if any (idempotence or
    /// transaction fencing). A producer with a fatal error must be replaced.
    public var fatalError: KafkaError? {
        var buf = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(rk, &buf, buf.count)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return KafkaError(code: code.rawValue, message: String(cBuffer: buf), isFatal: true)
    }

    /// The last client-level error reported through the error callback.
    public var lastClientError: KafkaError? { callbacks.latestError.withLock { $0 } }

    // MARK: Transactions

    public func initTransactions(timeoutMs: Int32 = 30_000) throws {
        if let e = rd_kafka_init_transactions(rk, timeoutMs) { throw KafkaError(consuming: e) }
    }

    public func beginTransaction() throws {
        if let e = rd_kafka_begin_transaction(rk) { throw KafkaError(consuming: e) }
    }

    public func commitTransaction(timeoutMs: Int32 = 30_000) throws {
        if let e = rd_kafka_commit_transaction(rk, timeoutMs) { throw KafkaError(consuming: e) }
    }

    public func abortTransaction(timeoutMs: Int32 = 30_000) throws {
        if let e = rd_kafka_abort_transaction(rk, timeoutMs) { throw KafkaError(consuming: e) }
    }

    /// The same calls, waited for in slices of at most 200 ms so that the
    /// caller can stop waiting (Ctrl-C) within a fraction of a second:
    /// librdkafka lets init, commit and abort be called again after a time-out
    /// and resumes where they were. A slice that times out while the broker
    /// answers a retriable error (init_transactions while the coordinator still
    /// aborts the transaction of a fenced producer: CONCURRENT_TRANSACTIONS, which
    /// librdkafka retries every 500 ms) comes back as that retriable error instead
    /// of `_TIMED_OUT`: it is waited on too. Throws the last error after `timeoutMs`,
    /// and `stopped` when `stop()` turned true (the operation is then still in
    /// progress inside librdkafka; calling it again resumes it).
    public func initTransactions(timeoutMs: Int32, stopWhen stop: () -> Bool) throws {
        try sliced(timeoutMs, stop) { rd_kafka_init_transactions(rk, $0) }
    }

    public func commitTransaction(timeoutMs: Int32, stopWhen stop: () -> Bool) throws {
        try sliced(timeoutMs, stop) { rd_kafka_commit_transaction(rk, $0) }
    }

    public func abortTransaction(timeoutMs: Int32, stopWhen stop: () -> Bool) throws {
        try sliced(timeoutMs, stop) { rd_kafka_abort_transaction(rk, $0) }
    }

    /// Thrown by the `stopWhen` calls when the caller stopped waiting.
    public struct Stopped: Error {}

    private func sliced(_ timeoutMs: Int32, _ stop: () -> Bool, _ call: (Int32) -> OpaquePointer?) throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeoutMs))
        while true {
            let left = deadline - ContinuousClock.now
            let sliceMs = Int32(
                max(1, min(200, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)))
            let started = ContinuousClock.now
            guard let e = call(sliceMs) else { return }
            let error = KafkaError(consuming: e)
            let timedOut = error.code == RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue
            guard timedOut || error.isRetriable, !error.isFatal, !error.txnRequiresAbort else { throw error }
            if stop() { throw Stopped() }
            if ContinuousClock.now >= deadline { throw error }
            // A retriable error returned at once: do not ask again in a tight loop.
            if !timedOut && ContinuousClock.now - started < .milliseconds(50) { Thread.sleep(forTimeInterval: 0.05) }
        }
    }
}

/// A producer's topic handle (`rd_kafka_topic_t`) for the allocation-free
/// produce path. Keeps its producer alive; destroyed before it.
///
/// `@unchecked Sendable` (only because `OpaquePointer` is not Sendable): every
/// stored property is a `let`, and `rd_kafka_produce` on a topic handle is
/// thread-safe in librdkafka.
public final class ProducerTopic: @unchecked Sendable {
    public let producer: Producer
    public let name: String
    let rkt: OpaquePointer

    init(producer: Producer, rkt: OpaquePointer, name: String) {
        self.producer = producer
        self.rkt = rkt
        self.name = name
    }

    deinit { rd_kafka_topic_destroy(rkt) }

    /// Enqueues a copy of `value` (and `key`) with no Swift allocation.
    /// Returns 0, or the error code (`_QUEUE_FULL` means: poll and retry).
    @inline(__always)
    public func produce(
        value: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer? = nil,
        partition: Int32 = -1, opaque: UInt = 0
    ) -> Int32 {
        let rc = rd_kafka_produce(
            rkt, partition, RD_KAFKA_MSG_F_COPY,
            UnsafeMutableRawPointer(mutating: value.baseAddress), value.count,
            key?.baseAddress, key?.count ?? 0,
            UnsafeMutableRawPointer(bitPattern: opaque))
        return rc == 0 ? 0 : rd_kafka_last_error().rawValue
    }

    public static let queueFull: Int32 = RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue
    public static let unassignedPartition: Int32 = RD_KAFKA_PARTITION_UA
}

/// Calls `body` with a pointer to the bytes (or nil) and their count.
func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawPointer?, Int) -> R) -> R {
    guard let bytes else { return body(nil, 0) }
    return bytes.withUnsafeBytes { body($0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), $0.count) }
}

/// Header values as (pointer, size) pairs, -1 size for a null value, kept alive for `body`.
private func withHeaderPointers<R>(_ values: [[UInt8]?], _ body: ([(UnsafeRawPointer?, Int)]) -> R) -> R {
    let copies: [UnsafeMutableRawBufferPointer?] = values.map { v in
        guard let v else { return nil }
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: max(v.count, 1), alignment: 1)
        buf.copyBytes(from: v)
        return buf
    }
    defer { copies.forEach { $0?.deallocate() } }
    let pairs = zip(values, copies).map { v, c -> (UnsafeRawPointer?, Int) in
        guard let v, let c else { return (nil, -1) }
        return (UnsafeRawPointer(c.baseAddress), v.count)
    }
    return body(pairs)
}

/// A thread that calls `tick` until stopped; `stop` joins it. While held (`hold`, `release`,
/// which nest) it calls nothing and waits to be released; `hold` returns once the call in
/// progress, if any, has returned. Sendable as the compiler checks it: a mutex and semaphores.
final class BackgroundPoller: Sendable {
    private struct State {
        var running = true
        var holds = 0
        /// Inside `tick`: what `hold` waits out.
        var ticking = false
    }
    private enum Step { case tick, wait, stop }
    private let state = Mutex(State())
    private let released = DispatchSemaphore(value: 0)
    private let parked = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)

    init(_ tick: @escaping @Sendable () -> Void) {
        let thread = Thread { [self] in
            loop: while true {
                let step = state.withLock { s -> Step in
                    guard s.running else { return .stop }
                    guard s.holds == 0 else { return .wait }
                    s.ticking = true
                    return .tick
                }
                switch step {
                case .stop: break loop
                // A release before this wait left a signal behind: the loop looks again.
                case .wait: released.wait()
                case .tick:
                    tick()
                    let holder = state.withLock { s in
                        s.ticking = false
                        return s.holds > 0
                    }
                    if holder { parked.signal() }
                }
            }
            done.signal()
        }
        thread.name = "kafkalab-poll"
        thread.start()
    }

    var isHeld: Bool { state.withLock { $0.holds > 0 } }

    /// Stops calling `tick`: returns when no call is in progress. `interrupt` makes a call in
    /// progress return early (it is asked again every 10 ms until it has).
    func hold(interrupting interrupt: () -> Void) {
        state.withLock { $0.holds += 1 }
        while state.withLock({ $0.ticking }) {
            interrupt()
            _ = parked.wait(timeout: .now() + .milliseconds(10))
        }
    }

    func release() {
        let last = state.withLock { s in
            s.holds -= 1
            return s.holds == 0
        }
        if last { released.signal() }
    }

    func stop() {
        let stopping = state.withLock { s in
            defer { s.running = false }
            return s.running
        }
        guard stopping else { return }
        released.signal()
        done.wait()
    }
}

extension Producer {
    /// Enqueues a copy of `value` and `key` lent as raw bytes (no Swift allocation, no
    /// headers), waiting while librdkafka's queue is full as `send` does.
    public func send(
        topic: ProducerTopic, partition: Int32?, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer,
        queueFullTimeout: Double = 30
    ) throws {
        var deadline: Date?
        while true {
            // An empty buffer may have no address, which librdkafka would read as a null value or key.
            let rc = withUnsafeBytes(of: UInt8(0)) { zero in
                let empty = UnsafeRawBufferPointer(rebasing: zero[0..<0])
                return topic.produce(
                    value: value.baseAddress == nil ? empty : value,
                    key: key.map { $0.baseAddress == nil ? empty : $0 }, partition: partition ?? RD_KAFKA_PARTITION_UA)
            }
            if rc == 0 { return }
            if rc == ProducerTopic.queueFull {
                let limit = deadline ?? Date().addingTimeInterval(queueFullTimeout)
                deadline = limit
                if Date() < limit {
                    if pollsHere { rd_kafka_poll(rk, 10) } else { usleep(1_000) }
                    continue
                }
            }
            throw KafkaError(code: rc)
        }
    }
}
