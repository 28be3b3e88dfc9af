/// One line on what turning a property does, for the properties the labs
/// turn; shown by `help config <property>`.
public enum PropertyNotes {
    public static func note(for key: String) -> String? { notes[key] }

    static let notes: [String: String] = [
        "linger.ms": "longer waits build bigger batches: more throughput and better compression, more latency per message",
        "acks": "all (-1) waits for every in-sync replica; 1 only for the leader; 0 for nobody (no delivery guarantee)",
        "compression.type": "codec applied per batch by the producer; the broker stores batches as sent",
        "enable.idempotence": "the broker gives the producer an id and drops re-sent batches by sequence number; forces acks=all, unlimited retries and max.in.flight ≤ 5 (`producer` shows them)",
        "transactional.id": "makes the producer transactional (and idempotent): `txn begin` registers the id, and a newer producer with the same id fences the older one",
        "isolation.level": "read_committed hides aborted and still-open transactional messages (reads up to the last stable offset); read_uncommitted returns everything written",
        "batch.size": "upper bound in bytes of one partition's batch; a full batch is sent without waiting for linger.ms",
    ]
}
