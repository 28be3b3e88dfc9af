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
    let queue: OpaquePointer
    let slots: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>
    let capacity: Int

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
            } else if msg.err != RD_KAFKA_RESP_ERR_NO_ERROR, msg.err != RD_KAFKA_RESP_ERR__PARTITION_EOF, failure == nil
            {
                failure = msg.err
            }
            rd_kafka_message_destroy(m)
        }
        if let failure { throw KafkaError(failure) }
        return handed
    }
}

extension AdminClient {
    /// Low and high watermarks of many partitions of one topic in two
    /// ListOffsets round trips per leader (`rd_kafka_offsets_for_times` with
    /// the EARLIEST and LATEST markers), instead of one
    /// `query_watermark_offsets` round trip per partition: for the 96
    /// partitions `benchmarks/compare.sh` reads, that was most of `bench
    /// consume`'s fixed client CPU before the first record.
    public func watermarks(topic: String, partitions: [Int32]) throws -> [Int32: Watermarks] {
        func query(_ marker: Int64) throws -> [Int32: Int64] {
            let list = rd_kafka_topic_partition_list_new(Int32(partitions.count))!
            defer { rd_kafka_topic_partition_list_destroy(list) }
            for p in partitions { rd_kafka_topic_partition_list_add(list, topic, p)!.pointee.offset = marker }
            let err = rd_kafka_offsets_for_times(rk, list, timeoutMs)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(err, message: "watermarks of \(topic): \(KafkaError.text(of: err.rawValue))")
            }
            var out: [Int32: Int64] = [:]
            for i in 0..<Int(list.pointee.cnt) {
                let e = list.pointee.elems[i]
                if e.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                    throw KafkaError(
                        e.err, message: "watermarks of \(topic)/\(e.partition): \(KafkaError.text(of: e.err.rawValue))")
                }
                out[e.partition] = e.offset
            }
            return out
        }
        let low = try query(Int64(RD_KAFKA_OFFSET_BEGINNING))
        let high = try query(Int64(RD_KAFKA_OFFSET_END))
        var result: [Int32: Watermarks] = [:]
        for p in partitions { result[p] = Watermarks(low: low[p] ?? 0, high: high[p] ?? 0) }
        return result
    }
}
