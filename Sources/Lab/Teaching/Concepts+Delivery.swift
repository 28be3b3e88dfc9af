/// Delivery guarantees end to end: when a consumer commits (`commit demo`).
extension Concepts {
    static let delivery: [Concept] = [
        Concept(
            name: "delivery-guarantees",
            aliases: [
                "commit", "commits", "offset-commit", "at-least-once", "at-most-once", "enable.auto.commit",
                "enable.auto.offset.store", "auto.offset.reset",
            ],
            title: "Delivery guarantees on the consumer side: when to commit",
            text: """
                A consumer group keeps one number per partition, the committed offset: the next record to read. \
                After a crash or a rebalance, whoever takes the partition starts there. The consumer's guarantee is \
                therefore decided by the order of two steps for each record: processing it and committing past it.

                Commit, then process: at-most-once. A crash between the two has moved the group past a record nobody \
                handled; it is lost, and never repeated. Process, then commit: at-least-once. A crash between the two \
                leaves the commit behind the work; the record is processed again, and never lost, so the processing \
                must tolerate repeats (idempotent writes, de-duplication by key or offset). Exactly-once within Kafka \
                takes a transaction that commits the input offsets together with the output (`explain transactions`).

                librdkafka's trap: by default (enable.auto.commit=true, enable.auto.offset.store=true) it stores a \
                record's offset as poll hands the record out, and commits the stored offsets in the background every \
                auto.commit.interval.ms (5 s by default) and on close. A commit can therefore cover a record the \
                application is still processing, and a crash then loses it, however carefully the code processes \
                before it polls again. The fix keeps auto commit but sets enable.auto.offset.store=false and stores \
                each offset after processing (rd_kafka_offsets_store; store_offsets in confluent-kafka-python): auto \
                commit then covers only processed records, which is at-least-once. The Java consumer commits inside \
                poll() what earlier polls returned, so processing each batch before the next poll is at-least-once \
                there.

                auto.offset.reset decides where a group without a committed offset starts: a new group, or one whose \
                offsets expired (offsets.retention.minutes, 7 days). latest, the default in both clients, skips every \
                record already in the partition; earliest reads them all. A new service deployed with the default \
                never sees what was written before its first fetch.

                Key question: which order gives at-least-once, and what must the processing then tolerate? Process, \
                then commit; a crash repeats records, so processing must be idempotent. `commit demo` crashes a real \
                consumer under each strategy and counts, from the output its processing wrote, the records processed \
                twice and never.
                """,
            commands: [
                "commit demo", "help config enable.auto.offset.store", "help config auto.offset.reset",
                "explain transactions",
            ])
    ]
}
