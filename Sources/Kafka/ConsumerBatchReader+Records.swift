import CRdKafka

/// A consumed record lent for the duration of one callback: its key, value and headers point into
/// librdkafka's buffers, so nothing is copied per record. Valid only inside the closure that
/// received it (the message is destroyed right after).
public struct BorrowedRecord {
    public let partition: Int32
    public let offset: Int64
    /// Nil for a null key (an empty key is an empty buffer).
    public let key: UnsafeRawBufferPointer?
    /// Nil for a null value (a tombstone).
    public let value: UnsafeRawBufferPointer?
    /// Milliseconds since the epoch, or nil when the broker sent none.
    public let timestamp: Int64?
    fileprivate let message: UnsafeMutablePointer<rd_kafka_message_t>

    /// Whether the record carries any header (parsed by librdkafka on first ask).
    public var hasHeaders: Bool {
        var hdrs: OpaquePointer?
        guard rd_kafka_message_headers(message, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR, let hdrs else { return false }
        return rd_kafka_header_cnt(hdrs) > 0
    }

    /// Each header in order: its name (NUL-terminated) and its value (nil for a null value).
    public func forEachHeader(_ body: (UnsafePointer<CChar>, UnsafeRawBufferPointer?) -> Void) {
        var hdrs: OpaquePointer?
        guard rd_kafka_message_headers(message, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR, let hdrs else { return }
        var idx = 0
        while true {
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            guard rd_kafka_header_get_all(hdrs, idx, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR else { return }
            let bytes = value.map { UnsafeRawBufferPointer(start: $0, count: size) }
            if let name { body(name, bytes) } else { "".withCString { body($0, bytes) } }
            idx += 1
        }
    }
}

/// What one read of a batch handed over.
public enum BorrowedEvent {
    case record(BorrowedRecord)
    /// The end of a partition was reached (only with `enable.partition.eof=true`).
    case partitionEOF(partition: Int32)
    case error(KafkaError)
}

extension ConsumerBatchReader {
    /// Hands over, in order, whatever the queue holds now (at most `limit` records and events),
    /// waiting up to `timeoutMs` only when it holds nothing: the first arrival ends the wait, so a
    /// live tail is not held back to fill a batch. `rd_kafka_consume_batch_queue` alone would wait
    /// for a full batch or the whole time-out. One queue lock per batch, nothing copied. Returns
    /// how many records and events were handed over (0 after a time-out). Offsets are stored
    /// (`enable.auto.offset.store`) only for what was handed over, as `poll` does.
    public func read(timeoutMs: Int32, limit: Int = .max, _ body: (BorrowedEvent) -> Void) -> Int {
        let wanted = max(1, min(limit, capacity))
        var n = rd_kafka_consume_batch_queue(queue, 0, slots, wanted)
        if n <= 0, timeoutMs > 0 { n = rd_kafka_consume_batch_queue(queue, timeoutMs, slots, 1) }
        guard n > 0 else { return 0 }
        for i in 0..<n {
            guard let m = slots[i] else { continue }
            let msg = m.pointee
            if msg.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                var tsType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
                let ts = rd_kafka_message_timestamp(m, &tsType)
                body(
                    .record(
                        BorrowedRecord(
                            partition: msg.partition, offset: msg.offset,
                            key: msg.key.map { UnsafeRawBufferPointer(start: $0, count: msg.key_len) },
                            value: msg.payload.map { UnsafeRawBufferPointer(start: $0, count: msg.len) },
                            timestamp: tsType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : ts, message: m)))
            } else if msg.err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                body(.partitionEOF(partition: msg.partition))
            } else {
                let text =
                    msg.len > 0
                    ? msg.payload.map {
                        String(decoding: UnsafeRawBufferPointer(start: $0, count: msg.len), as: UTF8.self)
                    } : nil
                body(.error(KafkaError(msg.err, message: text)))
            }
            rd_kafka_message_destroy(m)
        }
        return n
    }
}

extension ConsumerBatchReader {
    /// Records and events waiting in the consumer's queue (every assigned partition's fetch queue
    /// forwards to it).
    public var queueLength: Int { Int(rd_kafka_queue_length(queue)) }

    /// The consumer's `queued.min.messages` (librdkafka's default 100,000 when not set).
    public var queuedMinMessages: Int { consumer.config["queued.min.messages"].flatMap { Int($0) } ?? 100_000 }

    /// Wakes the broker threads so they fetch again. librdkafka 2.0.2 stops fetching a partition
    /// while the consumer's queue holds `queued.min.messages` (counted over the whole forwarded
    /// queue, not per partition) and looks again only when its broker thread next wakes: at I/O,
    /// at an op on its queue, or at its one-second tick, however soon the queue drains (2.1 added
    /// `fetch.queue.backoff.ms` for this). A reader slower than the fetchers then read in bursts
    /// with up to a second's stall between them.
    ///
    /// A metadata request (what this did first) reaches one broker only: `debug=fetch` showed the
    /// other leaders parked until their tick, 0.5 and 0.8 s later, in a 200,000-record read. A
    /// ListOffsets request for the assigned partitions (`rd_kafka_offsets_for_times`, latest) goes
    /// to every partition's leader at once, so every broker thread that holds a parked partition
    /// wakes and decides afresh; it costs one round trip. The answer is not used.
    ///
    /// Only the assigned partitions whose number is not in `skipped` are asked for (a read to the
    /// end skips those at their end: nothing is left to fetch there); none left, nothing is sent.
    public func wakeFetchers(skipping skipped: Set<Int32> = []) {
        var assigned: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        guard rd_kafka_assignment(consumer.rk, &assigned) == RD_KAFKA_RESP_ERR_NO_ERROR, let assigned else { return }
        defer { rd_kafka_topic_partition_list_destroy(assigned) }
        let list = rd_kafka_topic_partition_list_new(assigned.pointee.cnt)!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for i in 0..<Int(assigned.pointee.cnt) {
            let tp = assigned.pointee.elems[i]
            guard !skipped.contains(tp.partition) else { continue }
            // -1: the latest offset.
            rd_kafka_topic_partition_list_add(list, tp.topic, tp.partition).pointee.offset = -1
        }
        guard list.pointee.cnt > 0 else { return }
        _ = rd_kafka_offsets_for_times(consumer.rk, list, 1_000)
    }
}
