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
            ]),
        Concept(
            name: "ordering",
            aliases: [
                "message-ordering", "max.in.flight", "max.in.flight.requests.per.connection", "retries",
                "message.timeout.ms", "delivery.timeout.ms", "_queue_full", "queue-full", "buffer.memory",
                "max.block.ms",
            ],
            title: "Ordering on the producer side: retries, requests in flight, idempotence",
            text: """
                Kafka keeps a partition in the order its leader appended the batches, so the producer decides the order \
                by the order in which its batches arrive. A batch refused with a retriable error (a leader change, \
                NOT_ENOUGH_REPLICAS, a timeout) is sent again; if later batches of the same partition were in flight \
                meanwhile, they are written first and the retried one lands after them.

                Without idempotence that can happen whenever retries are on and more than one request may be in \
                flight. The Java producer with max.in.flight.requests.per.connection=1 holds the partition back until \
                each answer, at the cost of one round trip per request. librdkafka 2.0.2's max.in.flight=1 does not \
                close the gap: it limits the requests sent, while the next one is already built \
                (queue.buffering.backpressure.threshold, rdkafka_broker.c), and that one overtakes the retry; \
                `ordering demo` shows it. With enable.idempotence=true every batch carries sequence numbers: the \
                broker refuses a batch that follows a gap (OUT_OF_ORDER_SEQUENCE_NUMBER) and the producer re-sends \
                in order, with up to five requests in flight.

                message.timeout.ms (Java: delivery.timeout.ms, which librdkafka accepts as an alias) is the whole \
                budget of one message from produce() to its delivery report: the time in the local queue, lingering, \
                every retry and its backoff. retries defaults to 2147483647 in both clients, so in practice the budget \
                decides: when it is spent the message fails with _MSG_TIMED_OUT. Java also requires it to cover \
                linger.ms plus request.timeout.ms.

                _QUEUE_FULL is librdkafka's answer to a producer that outruns the network: produce() refuses at once \
                while queue.buffering.max.messages (100000) messages or queue.buffering.max.kbytes (1 GiB) of them wait \
                unsent, and the application must poll (serving delivery reports) and try again. The Java producer \
                instead blocks send() for up to max.block.ms (60 s) until buffer.memory (32 MiB) has room, then \
                throws a TimeoutException.

                Key question: why can retries reorder messages, and what prevents it? A retried batch is overtaken by \
                later ones already in flight; idempotence prevents it (sequence numbers), and in the Java producer \
                one request in flight does too, at a round trip per request. `ordering demo` injects one retriable \
                error on the embedded cluster and counts the records out of order per setting.
                """,
            commands: [
                "ordering demo", "help config max.in.flight", "help config message.timeout.ms", "explain idempotence",
            ]),
    ]
}
