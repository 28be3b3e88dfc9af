/// One line on what turning a property does, for the properties the labs
/// turn; shown by `help config <property>`.
enum PropertyNotes {
    static func note(for key: String) -> String? { notes[key] }

    static let notes: [String: String] = [
        "linger.ms":
            "longer waits build bigger batches: more throughput and better compression, more latency per message; keyless messages also stick to one partition for twice as long (sticky.partitioning.linger.ms defaults to 2 × linger.ms)",
        "acks": "all (-1) waits for every in-sync replica; 1 only for the leader; 0 for nobody (no delivery guarantee)",
        "compression.type":
            "codec applied per batch by the producer; the broker keeps batches compressed as sent unless the topic's own compression.type names another codec (then it recompresses)",
        "enable.idempotence":
            "the broker gives the producer an id and acknowledges a re-sent batch it already wrote without writing it again (sequence numbers count records); forces acks=all, unlimited retries and max.in.flight ≤ 5 (`producer` shows them); off by default in librdkafka, on in the Java client from 3.0.1/3.1.1/3.2 unless acks, retries or max.in.flight conflict (`explain defaults`)",
        "transactional.id":
            "makes the producer transactional (and idempotent): `txn begin` registers the id, and a newer producer with the same id fences the older one",
        "isolation.level":
            "read_committed hides aborted and still-open transactional messages (reads up to the last stable offset); read_uncommitted returns everything written; librdkafka defaults to read_committed, the Java consumer to read_uncommitted",
        "batch.size":
            "upper bound in bytes of one partition's batch; a full batch is sent without waiting for linger.ms",
        "fetch.min.bytes":
            "the broker holds a fetch until this much data is ready (or fetch.wait.max.ms passes): fewer, bigger fetches, more latency when traffic is light",
        "fetch.wait.max.ms":
            "how long the broker may hold a fetch waiting for fetch.min.bytes; the latency bound of a quiet partition",
        "max.partition.fetch.bytes":
            "most data one partition returns per fetch; too small for a big message slows consumption to one batch at a time (the embedded cluster's mock ignores it: one message set per partition per fetch)",
        "session.timeout.ms":
            "a member silent this long is dropped and its partitions reassigned: lower detects crashes sooner, higher survives pauses (the embedded cluster also waits this minus 1 s for every rebalance)",
        "max.poll.interval.ms":
            "longest gap between polls before the member leaves the group (librdkafka enforces it in the client and needs it ≥ session.timeout.ms); must cover the slowest processing of one poll (`group max-poll` shows it)",
        "partition.assignment.strategy":
            "range and roundrobin rebalance eagerly (every member gives everything back); cooperative-sticky moves only what must move; librdkafka's default range,roundrobin and Java's [Range, CooperativeSticky] both use range until configured otherwise",
        "partitioner":
            "how a key picks its partition: the default consistent_random hashes it with CRC32, the Java producer with murmur2; murmur2_random places keys as Java does",
        "socket.timeout.ms":
            "librdkafka's client-side timeout of a request (a Produce also stops at the message's remaining message.timeout.ms): a request unanswered this long is given up and its batch re-sent; Java calls its equivalent request.timeout.ms",
        "request.timeout.ms":
            "in librdkafka only sent to the broker, as the time it may wait for acks=all replicas; the client's own request timeout is socket.timeout.ms",
        "enable.auto.commit":
            "commits the stored offsets in the background every auto.commit.interval.ms and on close; what is stored decides what a crash loses (`commit demo`)",
        "enable.auto.offset.store":
            "true (the default) stores each record's offset as poll hands it out, so an auto commit can cover a record still being processed; false, with an explicit store after processing, makes auto commit at-least-once (`commit demo`)",
        "auto.offset.reset":
            "where a group without a committed offset starts: latest (the default) skips everything already written, earliest reads it all (`commit demo`)",
        "max.in.flight":
            "produce requests per broker connection not yet answered; above 1 without idempotence a retried batch can land after a later one (`ordering demo`)",
        "message.timeout.ms":
            "the whole delivery budget of one message, queueing, retries and backoff included (Java's delivery.timeout.ms); when it runs out the message fails with _MSG_TIMED_OUT",
        "group.instance.id":
            "static membership: a member back within session.timeout.ms keeps its partitions with no rebalance (real Kafka only; the embedded cluster ignores it)",
    ]
}
