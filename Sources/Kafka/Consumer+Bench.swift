import CRdKafka

/// Where a consumed record sits, read without copying its key or value.
public struct RecordPosition: Sendable, Equatable {
    public let partition: Int32
    public let offset: Int64
    public let valueLength: Int
}

extension Consumer {
    /// The benchmark's allocation-free poll, like `pollLength`, but also
    /// telling which partition and offset the record came from, so a run can
    /// prove it saw every record exactly once. Returns nil when nothing
    /// arrived; throws on a consumer error.
    public func pollPosition(timeoutMs: Int32) throws -> RecordPosition? {
        guard let m = rd_kafka_consumer_poll(rk, timeoutMs) else { return nil }
        defer { rd_kafka_message_destroy(m) }
        let msg = m.pointee
        if msg.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            return RecordPosition(partition: msg.partition, offset: msg.offset, valueLength: msg.len)
        }
        if msg.err == RD_KAFKA_RESP_ERR__PARTITION_EOF { return nil }
        throw KafkaError(msg.err)
    }

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
