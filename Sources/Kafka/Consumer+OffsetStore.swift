import CRdKafka

extension Consumer {
    /// Stores offsets (each the next offset to read, as a commit takes it) for the next
    /// automatic commit (rd_kafka_offsets_store). With enable.auto.offset.store=false this
    /// is how the application says what it has processed; with the default (true)
    /// librdkafka stores each message's offset itself as it hands the message out.
    public func store(_ offsets: [TopicPartitionOffset]) throws {
        let list = TopicPartitionList(offsets)
        let err = list.withUnsafeList { rd_kafka_offsets_store(rk, $0) }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err) }
        if let failed = list.entries.first(where: { $0.errorCode != 0 }) {
            throw KafkaError(rd_kafka_resp_err_t(rawValue: failed.errorCode))
        }
    }
}
