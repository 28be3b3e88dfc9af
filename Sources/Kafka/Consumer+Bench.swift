import CRdKafka

/// Where a consumed record sits, read without copying its key or value.
public struct RecordPosition: Sendable, Equatable {
    public let partition: Int32
    public let offset: Int64
    public let valueLength: Int
}

extension Consumer {
    /// Pauses fetching for every assigned partition, so counters read after a
    /// benchmark run (fetch requests) stop growing while the last statistics
    /// emission is awaited.
    public func pauseAssignment() throws {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        let err = rd_kafka_assignment(rk, &list)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err) }
        guard let list else { return }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let rc = rd_kafka_pause_partitions(rk, list)
        if rc != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(rc) }
    }

    /// Serves queued callbacks (rebalance, statistics) once a run has what it
    /// needs; a record still queued is dropped uncounted.
    public func serveCallbacks(timeoutMs: Int32) {
        if let m = rd_kafka_consumer_poll(rk, timeoutMs) { rd_kafka_message_destroy(m) }
    }
}

/// Reads a consumer's records in batches straight from its queue
/// (`rd_kafka_consume_batch_queue`), the way rdkafka_performance drains its
/// queue: one queue lock per batch instead of one per record, and nothing
/// copied. Rebalance and statistics callbacks are served by the same calls.
///
/// Not `Sendable`: one thread polls it. It keeps its consumer alive and
/// releases the queue reference before the consumer can be destroyed.
public final class ConsumerBatchReader {
    public let consumer: Consumer
    private let queue: OpaquePointer
    private let slots: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>
    private let capacity: Int

    public init(_ consumer: Consumer, capacity: Int = 1_000) {
        self.consumer = consumer
        self.capacity = max(1, capacity)
        queue = rd_kafka_queue_get_consumer(consumer.rk)
        slots = .allocate(capacity: self.capacity)
    }

    deinit {
        rd_kafka_queue_destroy(queue)
        slots.deallocate()
    }

    /// Waits up to `timeoutMs` for records and hands each one's position to
    /// `body`. Returns how many records it handed over; throws the first
    /// consumer error of the batch (after releasing every message).
    @inline(__always)
    public func poll(timeoutMs: Int32, _ body: (RecordPosition) -> Void) throws -> Int {
        try poll(timeoutMs: timeoutMs, claim: { $0 }, body)
    }

    /// As `poll(timeoutMs:_:)`, but first asks `claim` how many of the
    /// batch's `n` messages it may hand over; the rest are released
    /// uncounted (several readers sharing one message budget).
    @inline(__always)
    public func poll(timeoutMs: Int32, claim: (Int) -> Int, _ body: (RecordPosition) -> Void) throws -> Int {
        let n = rd_kafka_consume_batch_queue(queue, timeoutMs, slots, capacity)
        guard n > 0 else { return 0 }
        let allowed = claim(n)
        var handed = 0
        var failure: rd_kafka_resp_err_t?
        for i in 0..<n {
            guard let m = slots[i] else { continue }
            let msg = m.pointee
            if msg.err == RD_KAFKA_RESP_ERR_NO_ERROR && handed < allowed {
                body(RecordPosition(partition: msg.partition, offset: msg.offset, valueLength: msg.len))
                handed += 1
            } else if msg.err != RD_KAFKA_RESP_ERR_NO_ERROR, msg.err != RD_KAFKA_RESP_ERR__PARTITION_EOF, failure == nil {
                failure = msg.err
            }
            rd_kafka_message_destroy(m)
        }
        if let failure { throw KafkaError(failure) }
        return handed
    }
}
