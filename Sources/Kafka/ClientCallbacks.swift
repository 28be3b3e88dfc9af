import CRdKafka
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The Swift side of one client's librdkafka callbacks. librdkafka gets an
/// unretained pointer to it through `rd_kafka_conf_set_opaque`; the owning
/// client (Producer, Consumer, AdminClient) keeps the strong reference and
/// destroys its `rd_kafka_t` before releasing this box, so the pointer never
/// dangles. What makes the `@unchecked Sendable` safe: the stored closures are
/// `let` and `@Sendable` (librdkafka calls them on its threads: the poll caller
/// for delivery, rebalance and statistics; its main thread for errors when no
/// queue is polled); `latestError` is behind a `Mutex`; `printsLogs` is set only
/// before `install`, so before librdkafka can call back; `heldSink` is set and
/// cleared by the one thread that polls while the producer's poller is held
/// (`Producer.servingReportsHere`), and read by the trampoline on that same thread.
final class ClientCallbacks: @unchecked Sendable {
    let onDelivery: (@Sendable (DeliveryReport) -> Void)?
    let onStatistics: (@Sendable (String) -> Void)?
    let onError: (@Sendable (KafkaError) -> Void)?
    let onRebalance: (@Sendable (RebalanceEvent) -> Void)?
    /// The last client-level error librdkafka reported (fatal ones included).
    let latestError = Mutex<KafkaError?>(nil)

    /// librdkafka's own log lines go to stderr only when the user asked for
    /// them (`set debug ...`); otherwise they would scribble over the prompt
    /// every time a lab stops a broker. Errors still reach `onError`.
    var printsLogs = false

    /// Where delivery reports go instead of `onDelivery` while a producing thread serves them
    /// itself (`Producer.servingReportsHere`), unretained: the caller keeps it alive meanwhile.
    var heldSink: Unmanaged<DeliverySink>?

    init(
        onDelivery: (@Sendable (DeliveryReport) -> Void)? = nil,
        onStatistics: (@Sendable (String) -> Void)? = nil,
        onError: (@Sendable (KafkaError) -> Void)? = nil,
        onRebalance: (@Sendable (RebalanceEvent) -> Void)? = nil
    ) {
        self.onDelivery = onDelivery
        self.onStatistics = onStatistics
        self.onError = onError
        self.onRebalance = onRebalance
    }

    static func from(_ opaque: UnsafeMutableRawPointer?) -> ClientCallbacks? {
        opaque.map { Unmanaged<ClientCallbacks>.fromOpaque($0).takeUnretainedValue() }
    }

    /// Installs the trampolines this box needs on `conf`.
    func install(on conf: OpaquePointer) {
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(self).toOpaque())
        if onDelivery != nil { rd_kafka_conf_set_dr_msg_cb(conf, deliveryTrampoline) }
        if onStatistics != nil { rd_kafka_conf_set_stats_cb(conf, statisticsTrampoline) }
        rd_kafka_conf_set_error_cb(conf, errorTrampoline)
        if printsLogs {
            rd_kafka_conf_set_log_cb(conf, printedLogLine)
        } else {
            rd_kafka_conf_set_log_cb(conf, silentLogLine)
        }
        if onRebalance != nil { rd_kafka_conf_set_rebalance_cb(conf, rebalanceTrampoline) }
    }
}

/// Drops a log line (see `ClientCallbacks.printsLogs`). Every handle kafkalab
/// creates gets this or `printedLogLine`, so librdkafka never writes its raw
/// `%3|...` lines to stderr on its own.
func silentLogLine(
    _ rk: OpaquePointer?, _ level: Int32, _ facility: UnsafePointer<CChar>?, _ message: UnsafePointer<CChar>?
) {}

/// With `set debug ...`: one line per log record on stderr, control
/// characters replaced, at most 1,000 characters. Called on librdkafka's threads.
func printedLogLine(
    _ rk: OpaquePointer?, _ level: Int32, _ facility: UnsafePointer<CChar>?, _ message: UnsafePointer<CChar>?
) {
    let fac = facility.map { String(cString: $0) } ?? ""
    var text = message.map { String(cString: $0) } ?? ""
    text = String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
    if text.count > 1_000 { text = String(text.prefix(1_000)) + "..." }
    let line = Array("librdkafka \(level) \(fac): \(text)\n".utf8)
    line.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
}

/// Delivery report: called on the thread that polls the producer. Forwards a
/// plain value (no allocation) to the owner's closure. It runs once per
/// message, so it borrows the callbacks box without retaining it (the owner
/// keeps it alive while the handle exists): an atomic retain/release pair
/// here was 5 % of a benchmark's produce thread.
private func deliveryTrampoline(
    _ rk: OpaquePointer?, _ message: UnsafePointer<rd_kafka_message_t>?,
    _ opaque: UnsafeMutableRawPointer?
) {
    guard let message, let opaque else { return }
    let m = message.pointee
    Unmanaged<ClientCallbacks>.fromOpaque(opaque)._withUnsafeGuaranteedRef { callbacks in
        let report = DeliveryReport(
            partition: m.partition, offset: m.offset, errorCode: m.err.rawValue,
            opaque: UInt(bitPattern: m._private), valueLength: m.len)
        if let sink = callbacks.heldSink {
            sink._withUnsafeGuaranteedRef { $0.deliver(report) }
        } else {
            callbacks.onDelivery?(report)
        }
    }
}

/// Statistics JSON: called on the polling thread every statistics.interval.ms.
/// Returning 0 lets librdkafka free the buffer.
private func statisticsTrampoline(
    _ rk: OpaquePointer?, _ json: UnsafeMutablePointer<CChar>?, _ length: Int,
    _ opaque: UnsafeMutableRawPointer?
) -> Int32 {
    guard let json, let callbacks = ClientCallbacks.from(opaque) else { return 0 }
    let text = String(decoding: UnsafeRawBufferPointer(start: json, count: length), as: UTF8.self)
    callbacks.onStatistics?(text)
    return 0
}

/// Client-level errors (all brokers down, fatal idempotence errors): called
/// on the polling thread, or librdkafka's own thread. Kept as the latest error.
private func errorTrampoline(
    _ rk: OpaquePointer?, _ err: Int32, _ reason: UnsafePointer<CChar>?,
    _ opaque: UnsafeMutableRawPointer?
) {
    guard let callbacks = ClientCallbacks.from(opaque) else { return }
    var error = KafkaError(code: err, message: reason.map { String(cString: $0) })
    if err == RD_KAFKA_RESP_ERR__FATAL.rawValue, let rk {
        var buf = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(rk, &buf, buf.count)
        error = KafkaError(code: code.rawValue, message: String(cBuffer: buf), isFatal: true)
    }
    callbacks.latestError.withLock { $0 = error }
    callbacks.onError?(error)
}

/// Rebalance: called inside `rd_kafka_consumer_poll` on the consumer's polling
/// thread. Applies the assignment the way the group protocol requires (eager
/// assign/unassign, or incremental for cooperative-sticky) and then reports it.
private func rebalanceTrampoline(
    _ rk: OpaquePointer?, _ err: rd_kafka_resp_err_t,
    _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
    _ opaque: UnsafeMutableRawPointer?
) {
    guard let rk else { return }
    let cooperative = String(cString: rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE"
    let list = partitions.map { TopicPartitionList.read($0) } ?? []
    var failure: KafkaError?
    switch err {
    case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
        if cooperative {
            if let e = rd_kafka_incremental_assign(rk, partitions) { failure = KafkaError(consuming: e) }
        } else {
            let rc = rd_kafka_assign(rk, partitions)
            if rc != RD_KAFKA_RESP_ERR_NO_ERROR { failure = KafkaError(rc) }
        }
    default:
        if cooperative {
            if let e = rd_kafka_incremental_unassign(rk, partitions) { failure = KafkaError(consuming: e) }
        } else {
            _ = rd_kafka_assign(rk, nil)
        }
    }
    let kind: RebalanceEvent.Kind = err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS ? .assigned : .revoked
    ClientCallbacks.from(opaque)?.onRebalance?(
        RebalanceEvent(
            kind: kind, partitions: list.map { TopicPartition(topic: $0.topic, partition: $0.partition) },
            cooperative: cooperative, error: failure))
}

/// What a delivery report says about one message.
public struct DeliveryReport: Sendable {
    public let partition: Int32
    public let offset: Int64
    /// 0 on success; otherwise a librdkafka / broker error code.
    public let errorCode: Int32
    /// The per-message value passed to `produce` (the bench stores a send timestamp here).
    public let opaque: UInt
    public let valueLength: Int

    public var succeeded: Bool { errorCode == 0 }
    public var error: KafkaError? { errorCode == 0 ? nil : KafkaError(code: errorCode) }
}

/// Takes a producer's delivery reports on the thread that serves them itself
/// (`Producer.servingReportsHere`): a class, so that librdkafka's callback reaches it with no
/// retain, no lock and no closure per message (each of those is an atomic instruction, and an
/// atomic instruction waits for every store before it).
open class DeliverySink {
    public init() {}
    /// One message's report.
    open func deliver(_ report: DeliveryReport) {}
}

/// A partition assignment change seen by one consumer.
public struct RebalanceEvent: Sendable {
    public enum Kind: String, Sendable { case assigned, revoked }
    public let kind: Kind
    public let partitions: [TopicPartition]
    /// The incremental (cooperative) protocol was in use: only these partitions moved.
    public let cooperative: Bool
    public let error: KafkaError?
}
