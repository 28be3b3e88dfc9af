import CRdKafka

extension Producer {
    /// A topic handle whose `produce` lends the payload to librdkafka instead
    /// of copying it (what rdkafka_performance does by default).
    public func borrowingTopic(_ name: String) throws -> BorrowingProducerTopic {
        guard let rkt = rd_kafka_topic_new(rk, name, nil) else {
            throw KafkaError(rd_kafka_last_error())
        }
        return BorrowingProducerTopic(producer: self, rkt: rkt, name: name)
    }
}

/// A topic handle for benchmarks whose payload lives in one long-lived,
/// never-modified buffer. librdkafka keeps a pointer to the bytes (no copy,
/// so no per-message allocation of the payload's size and no memcpy) until
/// the message's delivery report. The caller must keep those bytes valid and
/// unchanged until every message is reported or the producer is destroyed.
///
/// `@unchecked Sendable`: the handle is thread-safe in librdkafka and holds
/// no mutable Swift state. Keeps its producer alive; destroyed before it.
public final class BorrowingProducerTopic: @unchecked Sendable {
    public let producer: Producer
    public let name: String
    private let rkt: OpaquePointer

    init(producer: Producer, rkt: OpaquePointer, name: String) {
        self.producer = producer
        self.rkt = rkt
        self.name = name
    }

    deinit { rd_kafka_topic_destroy(rkt) }

    /// Enqueues `count` bytes at `value` without copying them.
    /// Returns 0, or the error code (`_QUEUE_FULL` means: poll and retry).
    @inline(__always)
    public func produce(value: UnsafeRawPointer, count: Int, partition: Int32 = -1, opaque: UInt = 0) -> Int32 {
        let rc = rd_kafka_produce(rkt, partition, 0, UnsafeMutableRawPointer(mutating: value), count,
                                  nil, 0, UnsafeMutableRawPointer(bitPattern: opaque))
        return rc == 0 ? 0 : rd_kafka_last_error().rawValue
    }
}

extension ProducerTopic {
    /// The delivery error of a message dropped by `Producer.purgeQueued()`.
    public static let purgedFromQueue: Int32 = RD_KAFKA_RESP_ERR__PURGE_QUEUE.rawValue
}
