import Kafka

/// librdkafka 2.0.2 and the Java client 3.9 side by side, for the defaults that
/// trip learners moving between them (`explain defaults`).
///
/// Sources: librdkafka v2.0.2 CONFIGURATION.md (Debian's librdkafka-dev docs) and
/// the linked library's own property table, which `ClientDefaultsTests` checks the
/// librdkafka column against; Apache Kafka 3.9.0's ProducerConfig.java and
/// ConsumerConfig.java (`define(...)` defaults) and BuiltInPartitioner.java.
enum ClientDefaults {
    struct Row: Sendable {
        /// What the row is about, in words.
        let setting: String
        /// librdkafka's property name(s) and their default, as librdkafka spells it.
        let librdkafkaKeys: [String]
        let librdkafka: String
        /// The Java client's property name and its default in 3.9.
        let javaKey: String
        let java: String
        let note: String
    }

    static let rows: [Row] = [
        Row(
            setting: "idempotence", librdkafkaKeys: ["enable.idempotence"], librdkafka: "false",
            javaKey: "enable.idempotence", java: "true",
            note:
                "Java's default became true with KIP-679, in effect from 3.0.1, 3.1.1 and 3.2 (3.0.0 and 3.1.0 kept it off by a bug, KAFKA-13598), and since 3.2 it is silently off when acks, retries or max.in.flight.requests.per.connection conflict and enable.idempotence was not set (KAFKA-13673; set explicitly, a conflict is an error); a librdkafka producer can write a retried batch twice unless you enable it"
        ),
        Row(
            setting: "acks", librdkafkaKeys: ["acks"], librdkafka: "-1",
            javaKey: "acks", java: "all",
            note: "the same: -1 is all; Java's default was 1 before 3.0"),
        Row(
            setting: "linger", librdkafkaKeys: ["linger.ms"], librdkafka: "5",
            javaKey: "linger.ms", java: "0",
            note:
                "Java waits 5 ms only from Kafka 4.0 (KIP-1030); librdkafka's linger.ms is an alias of queue.buffering.max.ms"
        ),
        Row(
            setting: "batch size", librdkafkaKeys: ["batch.size", "batch.num.messages"], librdkafka: "1000000, 10000",
            javaKey: "batch.size", java: "16384",
            note: "librdkafka caps a batch at 1,000,000 bytes and 10,000 messages; Java at 16 KiB per partition"),
        Row(
            setting: "keyed partitioner", librdkafkaKeys: ["partitioner"], librdkafka: "consistent_random",
            javaKey: "partitioner.class", java: "null (built-in: murmur2)",
            note:
                "librdkafka hashes a key with CRC32, Java with murmur2, so the same key lands on different partitions unless the librdkafka side sets partitioner=murmur2_random; keyless messages stick to one partition in both: librdkafka for sticky.partitioning.linger.ms (2 × linger.ms, so 10 ms; random per message only when it is 0), Java until about batch.size bytes went to it (KIP-480, KIP-794)"
        ),
        Row(
            setting: "isolation level", librdkafkaKeys: ["isolation.level"], librdkafka: "read_committed",
            javaKey: "isolation.level", java: "read_uncommitted",
            note: "a librdkafka consumer skips aborted transactions by default, a Java one reads them"),
        Row(
            setting: "assignment strategy", librdkafkaKeys: ["partition.assignment.strategy"],
            librdkafka: "range,roundrobin",
            javaKey: "partition.assignment.strategy", java: "[RangeAssignor, CooperativeStickyAssignor]",
            note:
                "both start eager with range; Java lists cooperative-sticky second so a rolling upgrade can drop range later"
        ),
        Row(
            setting: "fetch wait", librdkafkaKeys: ["fetch.wait.max.ms"], librdkafka: "500",
            javaKey: "fetch.max.wait.ms", java: "500",
            note: "same value, different names"),
        Row(
            setting: "client request timeout", librdkafkaKeys: ["socket.timeout.ms"], librdkafka: "60000",
            javaKey: "request.timeout.ms", java: "30000",
            note:
                "librdkafka's request.timeout.ms (30000) is only sent to the broker as the produce ack timeout; the client gives up on a request after socket.timeout.ms"
        ),
        Row(
            setting: "delivery timeout", librdkafkaKeys: ["message.timeout.ms"], librdkafka: "300000",
            javaKey: "delivery.timeout.ms", java: "120000",
            note: "librdkafka accepts delivery.timeout.ms as an alias"),
        Row(
            setting: "producer buffer", librdkafkaKeys: ["queue.buffering.max.messages", "queue.buffering.max.kbytes"],
            librdkafka: "100000, 1048576",
            javaKey: "buffer.memory", java: "33554432",
            note:
                "librdkafka refuses produce() at once with _QUEUE_FULL when either limit is reached (the application polls and tries again); Java's send() blocks up to max.block.ms (60000) for room in buffer.memory, then throws"
        ),
        Row(
            setting: "requests in flight", librdkafkaKeys: ["max.in.flight"], librdkafka: "1000000",
            javaKey: "max.in.flight.requests.per.connection", java: "5",
            note: "idempotence caps both at 5"),
    ]

    /// Defaults the two clients share, named once so nobody looks for a difference.
    static let same =
        "the same in both: session.timeout.ms 45000, heartbeat.interval.ms 3000, max.poll.interval.ms 300000, auto.offset.reset latest, enable.auto.commit true, fetch.min.bytes 1, retries 2147483647"

    /// The linked librdkafka's own default for each row, read from its property table.
    static func liveLibrdkafkaDefault(_ row: Row) -> String {
        row.librdkafkaKeys.map { ConfigCatalog.property(named: $0)?.defaultValue ?? "?" }.joined(separator: ", ")
    }
}

extension Concepts {
    /// Knowledge about the clients themselves rather than one lab.
    static let clients: [Concept] = [
        Concept(
            name: "defaults", aliases: ["client-defaults", "java-defaults", "librdkafka-defaults"],
            title: "Client defaults: librdkafka 2.0.2 versus the Java client 3.9",
            text: ([
                """
                kafkalab links librdkafka 2.0.2, the C library behind confluent-kafka-python, kcat and this shell. The \
                curriculum's cluster runs Kafka 3.9, whose Java client ships different defaults, so a setting nobody \
                touched behaves differently in a Java service and in a librdkafka one. The table at the end compares them \
                (the librdkafka column is read from the linked library); kafkalab always prints effective values: \
                `producer`, `show config`, `help config <property>`.
                """
            ] + ClientDefaults.rows.map { "\($0.setting): \($0.note)." } + [
                "\(ClientDefaults.same).",
                """
                Key question: why does the same key land on one partition when a Java service produces it and on \
                another when a Python (librdkafka) service does? librdkafka's default partitioner, consistent_random, \
                hashes the key with CRC32; Java's hashes it with murmur2. Set partitioner=murmur2_random on the \
                librdkafka side and both agree.
                """,
            ] as [String]).joined(separator: "\n\n"),
            commands: ["producer", "show config", "help config partitioner", "help config enable.idempotence"],
            table: ConceptTable(
                headers: ["SETTING", "LIBRDKAFKA 2.0.2", "JAVA CLIENT 3.9"],
                keys: ["setting", "librdkafka", "java"],
                rows: ClientDefaults.rows.map { row in
                    [
                        row.setting,
                        row.librdkafkaKeys.map { "\($0)=\(ConfigCatalog.property(named: $0)?.defaultValue ?? "?")" }
                            .joined(separator: ", "),
                        "\(row.javaKey)=\(row.java)",
                    ]
                }))
    ]
}
