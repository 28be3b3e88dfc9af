import CRdKafka

extension ProducerTopic {
    /// Enqueues `count` bytes at `value` WITHOUT copying them (what
    /// rdkafka_performance does by default): no per-message allocation and no
    /// memcpy. librdkafka keeps the pointer until the message's delivery
    /// report, so the bytes must stay valid and unchanged until every message
    /// is reported or the producer is destroyed (the bench keeps its payloads
    /// in one long-lived pool). Returns 0, or the error code (`_QUEUE_FULL`
    /// means: poll and retry).
    @inline(__always)
    public func produce(borrowing value: UnsafeRawPointer, count: Int, partition: Int32 = -1, opaque: UInt = 0) -> Int32
    {
        let rc = rd_kafka_produce(
            rkt, partition, 0, UnsafeMutableRawPointer(mutating: value), count,
            nil, 0, UnsafeMutableRawPointer(bitPattern: opaque))
        return rc == 0 ? 0 : rd_kafka_last_error().rawValue
    }

    /// The delivery error of a message dropped by `Producer.purgeQueued()`.
    public static let purgedFromQueue: Int32 = RD_KAFKA_RESP_ERR__PURGE_QUEUE.rawValue
}
