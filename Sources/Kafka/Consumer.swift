import CRdKafka
import Foundation
import Synchronization

/// One consumed record, copied out of librdkafka's buffers.
public struct ConsumedMessage: Sendable {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
    public let key: [UInt8]?
    public let value: [UInt8]?
    public let headers: [MessageHeader]
    /// Milliseconds since the epoch, or nil when the broker sent none.
    public let timestamp: Int64?
    public let timestampIsLogAppendTime: Bool
}

/// What a consumer poll returned.
public enum ConsumerEvent: Sendable {
    case message(ConsumedMessage)
    /// The end of a partition was reached (only with `enable.partition.eof=true`).
    case partitionEOF(TopicPartition, offset: Int64)
    case error(KafkaError)
}

/// A high-level (group) consumer. Polled by its owner's thread: librdkafka
/// serves rebalance and statistics callbacks inside `poll`.
///
/// `@unchecked Sendable` (only because `OpaquePointer` is not Sendable):
/// librdkafka's consumer handle is thread-safe; the two flags are atomics (so a
/// close from two threads closes once); everything else is a `let`.
public final class Consumer: @unchecked Sendable {
    let rk: OpaquePointer
    private let callbacks: ClientCallbacks
    private let closed = Atomic<Bool>(false)
    private let leaveGroupOnDestroy = Atomic<Bool>(true)
    public let config: [String: String]

    /// `config` must contain `group.id` (librdkafka requires it for the
    /// consumer API even when partitions are assigned by hand).
    public init(
        config: [String: String],
        onRebalance: (@Sendable (RebalanceEvent) -> Void)? = nil,
        onStatistics: (@Sendable (String) -> Void)? = nil,
        onError: (@Sendable (KafkaError) -> Void)? = nil
    ) throws {
        guard config["group.id"] != nil else {
            throw KafkaError.invalidArgument("a consumer needs group.id")
        }
        self.config = config
        // Without a Swift rebalance handler librdkafka's default assignment
        // behaviour (eager or incremental, as the protocol needs) applies.
        let callbacks = ClientCallbacks(
            onStatistics: onStatistics, onError: onError,
            onRebalance: onRebalance)
        let conf = try ClientConfig.makeConf(config)
        callbacks.printsLogs = config["debug"] != nil
        callbacks.install(on: conf)
        rk = try makeHandle(type: RD_KAFKA_CONSUMER, conf: conf)
        self.callbacks = callbacks
        rd_kafka_poll_set_consumer(rk)
    }

    deinit {
        if leaveGroupOnDestroy.load(ordering: .acquiring) {
            close()
            rd_kafka_destroy(rk)
        } else {
            rd_kafka_destroy_flags(rk, Int32(RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE))
        }
    }

    public func subscribe(_ topics: [String]) throws {
        let list = TopicPartitionList(
            topics.map {
                TopicPartitionOffset(topic: $0, partition: RD_KAFKA_PARTITION_UA, offset: TopicPartitionOffset.invalid)
            })
        let err = list.withUnsafeList { rd_kafka_subscribe(rk, $0) }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err) }
    }

    /// Assigns partitions by hand (no group rebalancing), starting at each offset.
    /// Learns the topic's partitions and leaders on this consumer's own
    /// connection before it is assigned them (see `Producer.prepare`): in
    /// librdkafka 2.0.2 fetching otherwise often starts at the broker
    /// thread's next 1 s tick. Returns whether the metadata came within `timeoutMs`.
    @discardableResult
    public func prepare(topic: String, timeoutMs: Int32) -> Bool {
        learnTopic(topic, on: rk, timeoutMs: timeoutMs)
    }

    public func assign(_ partitions: [TopicPartitionOffset]) throws {
        let list = TopicPartitionList(partitions)
        let err = list.withUnsafeList { rd_kafka_assign(rk, $0) }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err) }
    }

    public func assignment() throws -> [TopicPartition] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        let err = rd_kafka_assignment(rk, &list)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err) }
        guard let list else { return [] }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        return TopicPartitionList.read(list).map(\.topicPartition).sorted()
    }

    /// Waits up to `timeoutMs` for one record, error or end-of-partition.
    public func poll(timeoutMs: Int32) -> ConsumerEvent? {
        guard let m = rd_kafka_consumer_poll(rk, timeoutMs) else { return nil }
        defer { rd_kafka_message_destroy(m) }
        return Self.event(from: m)
    }

    /// The allocation-free path for benchmarks: counts a record's bytes
    /// without copying them. Returns the value length, -1 when nothing
    /// arrived, and throws on a consumer error.
    public func pollLength(timeoutMs: Int32) throws -> Int {
        guard let m = rd_kafka_consumer_poll(rk, timeoutMs) else { return -1 }
        defer { rd_kafka_message_destroy(m) }
        let err = m.pointee.err
        if err == RD_KAFKA_RESP_ERR_NO_ERROR { return m.pointee.len }
        if err == RD_KAFKA_RESP_ERR__PARTITION_EOF { return -1 }
        throw KafkaError(err, message: Self.payloadText(m))
    }

    static func event(from m: UnsafeMutablePointer<rd_kafka_message_t>) -> ConsumerEvent {
        let msg = m.pointee
        let topic = msg.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        if msg.err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
            return .partitionEOF(TopicPartition(topic: topic, partition: msg.partition), offset: msg.offset)
        }
        if msg.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            return .error(KafkaError(msg.err, message: payloadText(m)))
        }
        var tsType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let ts = rd_kafka_message_timestamp(m, &tsType)
        return .message(
            ConsumedMessage(
                topic: topic, partition: msg.partition, offset: msg.offset,
                key: bytes(msg.key, msg.key_len), value: bytes(msg.payload, msg.len),
                headers: headers(of: m), timestamp: tsType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : ts,
                timestampIsLogAppendTime: tsType == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME))
    }

    private static func bytes(_ p: UnsafeRawPointer?, _ n: Int) -> [UInt8]? {
        guard let p else { return nil }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }

    private static func payloadText(_ m: UnsafeMutablePointer<rd_kafka_message_t>) -> String? {
        guard let p = m.pointee.payload, m.pointee.len > 0 else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: m.pointee.len), as: UTF8.self)
    }

    private static func headers(of m: UnsafeMutablePointer<rd_kafka_message_t>) -> [MessageHeader] {
        var hdrs: OpaquePointer?
        guard rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR, let hdrs else { return [] }
        var out: [MessageHeader] = []
        var idx = 0
        while true {
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            guard rd_kafka_header_get_all(hdrs, idx, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR else { break }
            out.append(
                MessageHeader(
                    key: name.map { String(cString: $0) } ?? "",
                    value: value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }))
            idx += 1
        }
        return out
    }

    /// Commits the current positions (or the given offsets) synchronously.
    public func commit(_ offsets: [TopicPartitionOffset]? = nil) throws {
        let err: rd_kafka_resp_err_t
        if let offsets {
            let list = TopicPartitionList(offsets)
            err = list.withUnsafeList { rd_kafka_commit(rk, $0, 0) }
        } else {
            err = rd_kafka_commit(rk, nil, 0)
        }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err) }
    }

    /// The group's committed offsets for these partitions (`offset` is
    /// `TopicPartitionOffset.invalid` where nothing was committed).
    public func committed(_ partitions: [TopicPartition], timeoutMs: Int32 = 10_000) throws -> [TopicPartitionOffset] {
        let list = TopicPartitionList(
            partitions.map {
                TopicPartitionOffset(topic: $0.topic, partition: $0.partition, offset: TopicPartitionOffset.invalid)
            })
        let err = list.withUnsafeList { rd_kafka_committed(rk, $0, timeoutMs) }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err) }
        return list.entries
    }

    /// The member id the group coordinator gave this consumer ("" before joining).
    public var memberId: String {
        guard let p = rd_kafka_memberid(rk) else { return "" }
        defer { rd_kafka_mem_free(rk, p) }
        return String(cString: p)
    }

    /// Leaves the group (revoking partitions) and stops fetching. Idempotent.
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = rd_kafka_consumer_close(rk)
    }

    /// Marks the consumer to be destroyed WITHOUT leaving the group, as a crashed process
    /// would: the coordinator notices only after session.timeout.ms. Used by
    /// the static-membership lab. The consumer must not be used afterwards.
    public func abandon() {
        closed.store(true, ordering: .releasing)
        leaveGroupOnDestroy.store(false, ordering: .releasing)
    }

    public var lastClientError: KafkaError? { callbacks.latestError.withLock { $0 } }
}
