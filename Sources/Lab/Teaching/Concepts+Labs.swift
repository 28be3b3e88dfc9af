/// The concepts of the storage, producer, consumer and lag labs. The
/// replication lab's live in Concepts.swift; `Concepts.table` joins them.
extension Concepts {
    static let storage: [Concept] = [
        Concept(
            name: "segments", aliases: ["segment", "indexes", "index", "log-segments"],
            title: "Segments and indexes: how a partition sits on disk",
            text: """
                A partition's log is not one file but a sequence of segments in the partition's directory \
                (for example /var/lib/kafka/data/orders-0/). Each segment is named after its base offset, the offset of \
                its first record, and comes as a set: NNN.log holds the record batches, NNN.index maps offsets to byte \
                positions in the .log, and NNN.timeindex maps timestamps to offsets. Both indexes are sparse (an entry \
                every log.index.interval.bytes, 4 KiB by default), so a fetch at any offset costs one binary search and \
                a short scan. A segment may also have NNN.txnindex, the aborted transactions whose data it holds, which \
                a read_committed fetch uses to skip them; beside the segments sit NNN.snapshot files, the producer \
                state (last sequence numbers per producer id) that idempotence needs after a restart.

                The batches are not byte for byte what the producer sent: the leader assigns their offsets and stamps \
                its leader epoch into each batch header, and it recompresses them when the topic's compression.type \
                differs from the producer's codec (with the default, producer, it keeps them compressed as sent).

                Only the newest segment, the active one, is written to. The leader rolls it, and starts a new one, \
                only while appending a batch (UnifiedLog.maybeRoll, LogSegment.shouldRoll): when the batch would not fit \
                in log.segment.bytes (1 GiB by default), when the segment's first record is older than segment.ms (the \
                broker's log.roll.ms has no default, so log.roll.hours, 168 hours, applies), or when its offset or \
                time index is full. A quiet partition therefore never rolls, however old its active segment gets \
                (retention may still delete that segment once every record in it has expired, leaving an empty one). \
                Retention and compaction work on whole closed segments: with cleanup.policy=delete a segment is removed once all its records are older \
                than retention.ms (7 days by default), which is why a topic's low watermark moves in jumps.

                Key question: why can a consumer read from any offset quickly even in a huge log? Because the segment \
                is found by its base offset (file names sorted) and the position inside it by the sparse index. \
                `segments` lists the files on the compose cluster; the embedded cluster keeps its log in memory and has \
                no segment files.
                """,
            commands: ["segments <topic>", "topic describe", "explain compaction"]),
        Concept(
            name: "compaction", aliases: ["log-compaction", "compact", "cleanup.policy"],
            title: "Log compaction: the latest value per key",
            text: """
                With cleanup.policy=compact Kafka does not delete old segments by age. The log cleaner instead rewrites \
                closed segments keeping only the latest record for each key, so the topic converges to a table: one \
                value per key, in offset order, offsets unchanged (compaction leaves gaps, it never renumbers). A record \
                with a key and a null value is a tombstone: the first cleaning that reaches it removes every earlier \
                value of its key; the tombstone itself stays for delete.retention.ms (1 day by default) after that \
                cleaning, and a later cleaning removes it.

                The dirty ratio is a property of the whole log, not of a segment: the bytes written since the last \
                cleaning over all the bytes of the log's closed segments. The cleaner picks the log whose ratio is \
                highest and above min.cleanable.dirty.ratio (0.5 by default) and never touches the active segment, so a \
                small segment.ms or segment.bytes makes compaction visible sooner. Changelog topics of Kafka Streams, \
                CDC topics and __consumer_offsets itself are compacted.

                Two lags bound when a record can go. min.compaction.lag.ms (0 by default) keeps a record out of the \
                cleaner's reach until it is that old: a segment holding a younger record is not cleaned \
                (LogCleanerManager), so consumers get a guaranteed window to see every value. max.compaction.lag.ms \
                (unlimited by default, KIP-354) makes a log cleanable once its oldest uncleaned record is that old, \
                whatever its dirty ratio, and on a compacted topic also lowers segment.ms to it \
                (LogConfig.maxSegmentMs), so a key's old values and deletes go within a bounded time.

                Key question: what does a new consumer of a compacted topic read? At least the latest value of every \
                live key, and possibly some older values not compacted yet; never a state older than it would have had. \
                It sees every delete only if it reaches the head of the log within delete.retention.ms: a slower reader \
                may find the tombstone already gone, and with it the news that the key was deleted. \
                `compaction demo` shows it on the compose cluster; the embedded cluster has no cleaner.
                """,
            commands: ["compaction demo", "explain segments"]),
    ]

    static let producers: [Concept] = [
        Concept(
            name: "idempotence", aliases: ["idempotent-producer", "enable.idempotence", "pid", "sequence-numbers"],
            title: "The idempotent producer: no duplicates from retries",
            text: """
                A producer that times out a request cannot know whether the broker wrote it; it sends the batch \
                again, and without help the retry writes it twice. With enable.idempotence=true the broker gives the \
                producer an id (PID) and an epoch, and the producer numbers its records per partition: sequence \
                numbers count records, and each batch carries the sequence of its first record (its base sequence) \
                and its record count. The partition leader remembers the last five batches per PID; a re-sent batch \
                it already wrote is acknowledged without being written again, and a batch that leaves a gap is refused \
                (OUT_OF_ORDER_SEQUENCE_NUMBER). A batch that was acknowledged is never sent again.

                Idempotence needs acks=all. With acks=1 the leader acknowledges a batch its followers may not have; if \
                it then fails, the new leader lacks the batch and the producer, which never re-sends an acknowledged \
                batch, has lost it, and the new leader sees the next sequence after a gap. Only with acks=all does every \
                acknowledged batch, and the sequence state that goes with it, survive a leader change. It also needs \
                retries (librdkafka retries until message.timeout.ms) and at most five requests in flight per \
                connection, matching the broker's five-batch memory. librdkafka enforces all three when you enable it; \
                librdkafka 2.0.2 leaves it off by default; the Java client turns it on from 3.0.1, 3.1.1 and 3.2, but \
                silently leaves it off when acks, retries or max.in.flight conflict (`explain defaults`).

                Key question: what does idempotence not protect against? Duplicates created by the application \
                itself, such as a process that restarts and produces the same data again with a new PID. That takes \
                transactions, or de-duplication downstream. `idempotence demo` loses an acknowledgement on purpose and \
                counts the duplicates with idempotence off and on. On the embedded cluster the mock checks sequence \
                numbers only for transactional producers, so a plain idempotent producer gets duplicates there; the \
                demo adds a transactional run and says so.
                """,
            commands: [
                "set enable.idempotence true", "producer", "idempotence demo", "help config enable.idempotence",
                "explain defaults",
            ]),
        Concept(
            name: "transactions", aliases: ["transaction", "txn", "eos", "exactly-once", "transactional.id"],
            title: "Transactions and exactly-once",
            text: """
                A transactional producer (transactional.id set) writes to several partitions, and can commit consumer \
                offsets, as one atomic unit: after commit_transaction every message becomes visible to consumers with \
                isolation.level=read_committed; after abort_transaction none does. The transaction coordinator writes \
                commit or abort markers into each partition, and read_committed consumers stop at the last stable \
                offset and skip aborted batches.

                The transactional.id is the producer's identity across restarts. init_transactions bumps its epoch and \
                settles what the previous instance left behind: a transaction it had already asked to commit \
                (PrepareCommit) is completed, one still open is aborted. A zombie instance still using the old epoch is fenced: \
                its next write or commit fails with a fatal error and it must stop. Consume-transform-produce loops that \
                commit their input offsets inside the transaction get exactly-once processing within Kafka.

                Key question: why must transactional.id be stable across restarts of the same logical producer? Because \
                fencing works per id: a new random id would let the old instance keep writing. `txn demo` commits one \
                batch and aborts another; on the embedded cluster no markers are written, so both consumers see both \
                batches there, and the output says so.
                """,
            commands: [
                "set transactional.id orders-tx", "txn begin", "txn commit", "txn abort", "txn demo", "txn fence",
                "consume --isolation read_committed",
            ]),
        Concept(
            name: "compression", aliases: ["codecs", "codec", "compression.type", "lz4", "zstd", "gzip", "snappy"],
            title: "Compression codecs",
            text: """
                The producer compresses whole batches, not single messages, and the broker stores and serves them \
                compressed: the cost is paid in the producer, in each consumer, and in the partition leader, which \
                decompresses every compressed batch it receives to validate its records (LogValidator in Kafka's \
                storage module), and recompresses it when the topic's compression.type names another codec; the saving applies to \
                the network, the disk and replication. Ratios depend entirely on the data: repetitive JSON or logs may \
                shrink two to four times, random or already-compressed data not at all. As a rule lz4 and snappy are \
                the cheapest in CPU, zstd usually compresses best among the fast codecs at more CPU, and gzip \
                compresses well but slowly; `bench all` measures the ratio and cost on your own payload.

                Because the unit is the batch, compression improves as batches grow: raising linger.ms and batch.size \
                gives the codec more similar records to work on.

                Key questions: which codec for a latency-sensitive system? lz4: the least CPU per message, so the \
                least added delay. For a bandwidth-constrained one? zstd: the best ratio at a CPU cost that is usually \
                affordable. `bench all` measures all five on your data and machine.
                """,
            commands: ["bench all", "bench lz4 --payload random", "help config compression.type", "explain batching"]),
        Concept(
            name: "partitioning", aliases: ["partitioner", "keys", "key-partitioning", "murmur2", "consistent_random"],
            title: "Partitioning: which partition a key lands on",
            text: """
                The producer, not the broker, picks each message's partition. A message with a key goes to \
                hash(key) modulo the number of partitions, so every message with that key lands on the same partition, \
                in the order it was sent, as long as the partition count does not change (adding partitions moves \
                keys).

                The hash depends on the client. librdkafka's default partitioner, consistent_random, takes the CRC32 \
                of the key; the Java producer hashes the key with murmur2. The same key therefore lands on different \
                partitions from a Java service and from a librdkafka one (kcat, confluent-kafka-python, kafkalab), \
                which breaks per-key ordering across them, unless the librdkafka side sets partitioner=murmur2_random, \
                its Java-compatible choice.

                Keyless messages are not spread one by one. librdkafka 2.0.2 sends them all to one partition, picked \
                at random, for sticky.partitioning.linger.ms, then picks another (rd_kafka_msg_sticky_partition in \
                rdkafka_msg.c); that setting defaults to twice linger.ms (rdkafka_conf.c), 10 ms, and only at 0 is \
                every keyless message placed at random, which `set linger.ms 0` also brings about. So \
                `produce --count 50` without a key, written within a few milliseconds, lands on one partition, and after \
                `set linger.ms 0` on several. The Java producer sticks too (KIP-480; KIP-794's built-in partitioner \
                since 3.3 moves on once about batch.size bytes went to the partition). Sticking fills bigger batches: \
                fewer requests for the same messages, and an even spread over time rather than per message.

                Key question: why do all of a customer's orders arrive in order? Because they share a key, hence a \
                partition, and a partition is an ordered log read by one consumer of the group. `produce --key` \
                and `consume` show it; `set partitioner murmur2_random` makes kafkalab place keys as Java does.
                """,
            commands: [
                "produce --key customer-{i} --count 6 \"order {i}\"", "consume --from beginning",
                "produce --count 50 \"click {i}\"", "set linger.ms 0", "set partitioner murmur2_random",
                "help config partitioner", "explain defaults",
            ]),
        Concept(
            name: "batching", aliases: ["linger.ms", "batch.size", "linger", "batch"],
            title: "Batching: linger.ms and batch.size",
            text: """
                The producer collects messages per partition into batches and sends a batch when it is full \
                (batch.size bytes; librdkafka also caps it at batch.num.messages) or when its first message has waited \
                linger.ms. librdkafka 2.0.2 sends each batch in a produce request of its own (rdkafka_msgset_writer.c \
                writes one topic and one partition into every ProduceRequest), so `bench`'s requests column counts \
                batches too; the Java producer instead packs the ready batches of every partition led by one broker \
                into one request. Either way larger batches mean fewer requests, less per-request overhead on both \
                sides, and better compression.

                linger.ms is the throughput-versus-latency dial: 0 sends at once (lowest latency, tiny batches), 5 to 50 \
                usually multiplies throughput for a few milliseconds of delay, and beyond that the gain flattens while \
                latency keeps growing. Defaults differ: librdkafka lingers 5 ms with batches up to 1,000,000 bytes, the \
                Java producer 0 ms (5 ms from Kafka 4.0) with 16 KiB batches.

                Key question: why can adding delay increase throughput? Because the bottleneck is usually per-request \
                work, not bytes. `bench matrix linger.ms=0,5,50 batch.size=16384,1048576` shows the trade-off on one \
                table, with the best throughput and the best p99 latency marked.
                """,
            commands: [
                "bench matrix linger.ms=0,5,50 batch.size=16384,1048576", "set linger.ms 50", "help config linger.ms",
            ]),
    ]

    static let consumers: [Concept] = [
        Concept(
            name: "fetch",
            aliases: ["fetch-parameters", "fetch.min.bytes", "fetch.wait.max.ms", "max.partition.fetch.bytes"],
            title: "Fetch parameters",
            text: """
                A consumer pulls data with fetch requests. The broker answers as soon as it has fetch.min.bytes of data \
                for the request (1 byte by default) or when fetch.wait.max.ms has passed (librdkafka's name; Java calls \
                it fetch.max.wait.ms, 500 ms by default), whichever comes first. max.partition.fetch.bytes caps what \
                one partition contributes to a response and fetch.max.bytes the whole response.

                Raising fetch.min.bytes makes the broker collect more per response: fewer requests and less CPU on both \
                sides, at the cost of up to fetch.wait.max.ms extra latency when traffic is light. Larger per-partition \
                limits help when messages are large or a consumer must catch up a long backlog.

                Key question: which knob matters most for catching up a backlog? The size limits, since data is always \
                available; for a lightly loaded topic, fetch.min.bytes and the wait decide latency. `bench consume` \
                measures any combination on a seeded topic, on the compose cluster: the embedded cluster's mock ignores \
                fetch.min.bytes and max.partition.fetch.bytes (it answers each fetch at once with one stored message \
                set per partition, rdkafka_mock_handlers.c), so rows varying them differ there by noise only.
                """,
            commands: [
                "seed", "bench consume fetch.min.bytes=1,65536 fetch.wait.max.ms=10,500", "help config fetch.min.bytes",
            ]),
        Concept(
            name: "poll-interval",
            aliases: ["session-timeout", "session.timeout.ms", "max.poll.interval.ms", "heartbeat"],
            title: "Poll interval and session timeout",
            text: """
                Two timers decide when the group coordinator considers a consumer gone. session.timeout.ms (45 s by \
                default) covers liveness: heartbeats, sent by a background thread, must arrive within it. \
                max.poll.interval.ms (5 minutes) covers progress: the application must call poll again within it, or \
                the client itself leaves the group, because a consumer stuck in processing holds partitions nobody \
                reads.

                Either expiry triggers a rebalance. A short session timeout detects crashes sooner but turns GC pauses \
                and network blips into needless rebalances; a long one leaves a dead member's partitions unread longer. \
                max.poll.interval.ms must exceed the worst-case time to process one poll's records.

                Key question: why two timers? A process can be alive (heartbeats flowing) yet not making progress; only \
                the poll interval catches that. librdkafka enforces max.poll.interval.ms in the client (it checks \
                twice a second and leaves the group itself) and requires it to be at least session.timeout.ms, so \
                `group max-poll` shows it on the embedded cluster too. There a rebalance settles only after \
                session.timeout.ms minus one second and a group's first join takes 3 s, so its demos use short \
                session timeouts (3.5 to 6 s); real brokers refuse anything under group.min.session.timeout.ms (6 s).
                """,
            commands: [
                "group max-poll", "help config session.timeout.ms", "help config max.poll.interval.ms",
                "group strategies",
            ]),
        Concept(
            name: "assignment",
            aliases: ["assignment-strategies", "partition.assignment.strategy", "range", "roundrobin", "assignors"],
            title: "Assignment strategies",
            text: """
                When a group rebalances, one member (the leader) runs the assignor all members agreed on and hands \
                every partition to exactly one member. range assigns each topic separately in contiguous runs, so with \
                several topics the first members get more; roundrobin deals all partitions one by one and evens that \
                out; cooperative-sticky keeps each member's current partitions where it can and moves only what must \
                move, over incremental (cooperative) rebalances.

                librdkafka's default is "range,roundrobin", the Java client's (3.0 and later) [RangeAssignor, \
                CooperativeStickyAssignor]; members must share at least one strategy, and the first in the list is \
                preferred, so both clients rebalance eagerly with range unless configured otherwise.

                Key question: why does the assignor matter beyond balance? Because range and roundrobin are eager: every \
                rebalance revokes everything first. `group strategies` runs the three side by side and counts what \
                each one moves and revokes.
                """,
            commands: ["group strategies", "help config partition.assignment.strategy", "explain rebalancing"]),
        Concept(
            name: "rebalancing", aliases: ["eager", "cooperative", "cooperative-sticky", "incremental-rebalancing"],
            title: "Eager versus cooperative rebalancing",
            text: """
                In an eager rebalance (range, roundrobin) every member revokes all its partitions, the group rejoins, \
                and the new assignment is handed out: the whole group stops consuming for the duration, even members \
                whose partitions end up unchanged. In a cooperative rebalance (cooperative-sticky, KIP-429) members keep \
                consuming what they own; only the partitions that must move are revoked, and assigned in a second, \
                short round.

                Key question: why does cooperative rebalancing matter for large groups? Rebalances happen on every \
                scale-out, rolling deploy and crash, and in a large group an eager rebalance pauses hundreds of \
                partitions to move a handful. Cooperative rebalancing turns that stop-the-world pause into a local move. \
                `group strategies` measures revocations and paused time for each strategy.
                """,
            commands: ["group strategies", "explain assignment", "explain static-membership"]),
        Concept(
            name: "static-membership", aliases: ["static", "group.instance.id", "kip-345"],
            title: "Static group membership",
            text: """
                By default a member that leaves or restarts triggers a rebalance: it gets a new member id and its \
                partitions move. With group.instance.id (KIP-345) the member has a stable identity. When it disconnects \
                without leaving, the coordinator keeps its assignment for up to session.timeout.ms; if the same \
                instance id comes back in that window, it gets its partitions back and the group does not rebalance.

                Key question: why use it? Rolling deploys and Kubernetes pod restarts take seconds; with static \
                membership and a session timeout longer than a restart, none of them rebalances the group. The cost is \
                that a member that really died is noticed only after the session timeout. `group static` shows both \
                cases on the compose cluster; the embedded cluster ignores group.instance.id.
                """,
            commands: ["group static", "help config group.instance.id"]),
    ]

    static let lag: [Concept] = [
        Concept(
            name: "lag", aliases: ["consumer-lag", "lag-monitoring", "burrow"],
            title: "Consumer lag",
            text: """
                A group's lag on a partition is the log end offset (the high watermark) minus the group's committed \
                offset: how many messages it has yet to process. Two sources are needed: committed offsets from the \
                group coordinator, and end offsets from each partition's leader.

                A single number says little; its trend says a lot. Lag that grows means consumers cannot keep up with \
                production; lag that stays high means the group needs more consumers, faster processing or tuning; lag \
                that spikes after a deploy points at a regression; a committed offset that stops moving while lag \
                exists means a stalled or dead consumer. kafkalab evaluates a window of samples after Burrow's \
                statuses: OK, WARN (lag never decreased), STALL (offset not moving), STOP (no commits for longer than the \
                window, unless the window saw the consumer caught up) and REWIND (offset went backwards and has not yet \
                come back to where it was), checked in Burrow's order: current lag, STOP, REWIND, lag 0 in the window, \
                STALL, WARN.

                Burrow reads every commit from __consumer_offsets, so it sees a live consumer that keeps committing \
                the same offset (STALL) apart from one that stopped committing (STOP). kafkalab polls the committed \
                offset, which looks the same in both cases: it cannot tell STALL from STOP, and calls the offset STOP \
                once it has not moved for longer than the window spans, STALL before that.

                Key question: why not alert on a lag threshold? Because a busy healthy group can carry a large but \
                shrinking lag, while a quiet stuck one has a small but frozen lag. `lag watch` shows rates, time to \
                drain and the status per partition.
                """,
            commands: ["lag <group>", "lag watch <group>", "lag demo", "consume --group <id>"])
    ]
}
