/// One line on what a delivery error means, for the errors the labs meet.
enum ErrorMeanings {
    static func meaning(of name: String) -> String? { meanings[name] }

    /// Three limits give code 10, one of them before anything is sent.
    static let tooLarge =
        "too large: the record batch exceeds the broker's message.max.bytes or the topic's max.message.bytes, or (refused locally, before sending, rdkafka_msg.c) one message exceeds the client's own message.max.bytes"

    static let meanings: [String: String] = [
        "NOT_ENOUGH_REPLICAS":
            "the broker refused the write: fewer in-sync replicas than min.insync.replicas (acks=all)",
        "NOT_ENOUGH_REPLICAS_AFTER_APPEND":
            "written by the leader, but the ISR shrank below min.insync.replicas before it was acknowledged",
        "REQUEST_TIMED_OUT":
            "the broker did not complete the request in time (e.g. followers did not acknowledge for acks=all)",
        "_MSG_TIMED_OUT": "librdkafka gave up after message.timeout.ms without a successful delivery",
        "NOT_LEADER_OR_FOLLOWER":
            "the broker is no longer the partition leader; the client refreshes metadata and retries",
        // librdkafka 2.0.2's name for the same code (6).
        "NOT_LEADER_FOR_PARTITION":
            "the broker is no longer the partition leader; the client refreshes metadata and retries",
        "BROKER_NOT_AVAILABLE": "the broker is not available (shutting down or not yet started)",
        "NETWORK_EXCEPTION": "the broker lost its connection mid-request (often the leader going down)",
        "KAFKA_STORAGE_ERROR": "the leader's log directory failed; the partition is offline on that broker",
        "INVALID_REQUIRED_ACKS": "the acks value is not 0, 1 or all (-1)",
        "_TIMED_OUT": "the operation did not finish within its local time-out",
        "_ALL_BROKERS_DOWN": "librdkafka has no connection to any broker (all down or unreachable)",
        "_UNKNOWN_PARTITION": "the partition does not exist in the topic's metadata",
        "_UNKNOWN_TOPIC": "the topic does not exist in the cluster's metadata",
        "LEADER_NOT_AVAILABLE": "the partition has no leader right now (election in progress or all replicas down)",
        "UNKNOWN_TOPIC_OR_PART": "the topic or partition does not exist on the broker",
        "_TRANSPORT": "the connection to the broker failed",
        "_PURGE_QUEUE": "purged before it was sent (the run was stopped)",
        "_PURGE_INFLIGHT": "purged while in flight (the run was stopped)",
        "PRODUCER_FENCED": "another producer with the same transactional.id took over (this one is a zombie)",
        "INVALID_PRODUCER_EPOCH": "the producer's epoch is old: a newer instance fenced it",
        "_FENCED": "this producer was fenced by a newer one with the same transactional.id",
        "OUT_OF_ORDER_SEQUENCE_NUMBER": "the broker saw a gap in the idempotent producer's sequence numbers",
        "DUPLICATE_SEQUENCE_NUMBER":
            "the broker already wrote a batch with this sequence number (this was a retry of it); librdkafka counts its messages as delivered",
        "_MAX_POLL_EXCEEDED":
            "the application did not poll within max.poll.interval.ms: librdkafka left the group for it and its partitions went to other members; the next poll rejoins",
        "_TIMED_OUT_QUEUE": "the request timed out before it was sent (waiting in librdkafka's queue)",
        // librdkafka 2.0.2 names code 10 MSG_SIZE_TOO_LARGE; Kafka and the Java client MESSAGE_TOO_LARGE.
        "MSG_SIZE_TOO_LARGE": tooLarge,
        "MESSAGE_TOO_LARGE": tooLarge,
        "_QUEUE_FULL":
            "librdkafka's local queue is full: queue.buffering.max.messages messages or queue.buffering.max.kbytes of them wait unsent (rdkafka_int.h); produce refuses at once, where Java's send() blocks up to max.block.ms for buffer.memory to free up",
    ]
}
