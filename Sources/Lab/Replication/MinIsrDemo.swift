import Foundation
import Kafka

/// `min-isr demo`: acks=all with min.insync.replicas=2 on three replicas, with one
/// and then two followers down. On real Kafka the broker refuses the write; on the
/// embedded cluster the rejection cannot happen, and the demo says so.
struct MinIsrDemo {
    let topic: String
    let connection: ClusterConnection
    /// Bound of each wait on the compose cluster, in seconds.
    let wait: Double
    let composeFile: String?
    let out: Output
    let cancellation: Cancellation

    func run() throws {
        if let mock = connection.control.mock {
            try Self.runEmbeddedMinIsrDemo(topic: topic, connection: connection, cluster: mock, out, cancellation)
        } else {
            try Self.runRealMinIsrDemo(
                topic: topic, connection: connection, wait: wait, composeFile: composeFile, out, cancellation)
        }
    }

    /// The producer settings that let the broker's own answer reach the delivery report.
    static let demoProducerSettings: [(key: String, value: String)] = [
        ("acks", "all"), ("enable.idempotence", "false"), ("retries", "0"),
        ("message.timeout.ms", "10000"), ("request.timeout.ms", "5000"),
    ]

    static let demoSettingsReason =
        "retries=0 so that librdkafka reports the broker's first answer (it would retry NOT_ENOUGH_REPLICAS, a retriable error, until message.timeout.ms and then report _MSG_TIMED_OUT); enable.idempotence=false because idempotence needs retries; message.timeout.ms=10000 so an undeliverable write fails within 10 s"

    // MARK: Shared steps

    /// One produce of the demo and what came back.
    struct DemoStep: Encodable, Equatable {
        let label: String
        let acks: String
        let isr: [Int32]
        /// "delivered", the error's name, or that no report came.
        let outcome: String
        /// Where the message landed; null when it was not delivered.
        let offset: Int64?
        /// The delivery error's name; null when delivered.
        let error: String?
        /// What the error means; null when there is no error or no explanation.
        let meaning: String?
        let expectedOnRealKafka: String

        enum CodingKeys: String, CodingKey {
            case label = "step", acks, isr, outcome, offset, error, meaning, expectedOnRealKafka
        }
    }

    /// Produces one message to partition 0 with a fresh producer (no metadata or
    /// connection state carried over from before a broker stopped) and waits for its report.
    static func demoProduce(
        _ label: String, acks: String, topic: String, isr: [Int32], expected: String,
        connection c: ClusterConnection, _ out: Output, _ cancellation: Cancellation
    ) throws -> DemoStep {
        var properties = c.clientProperties(.producer)
        for (key, value) in demoProducerSettings { properties[key] = value }
        properties["acks"] = acks
        properties["client.id"] = "kafkalab-min-isr-demo"
        let log = DeliveryLog()
        let producer = try Producer(config: properties, onDelivery: { log.record($0) })
        try producer.send(topic: topic, partition: 0, value: Array("min-isr demo: \(label)".utf8))
        let deadline = Date().addingTimeInterval(15)
        while producer.outQueueLength > 0 && Date() < deadline && !cancellation.isCancelled {
            try? producer.flush(timeoutMs: 200)
            out.progress("\(label): waiting for the delivery report (acks=\(acks))")
        }
        let step = DemoStep(label: label, acks: acks, isr: isr, report: log.take().first, expectedOnRealKafka: expected)
        var line = "  produce acks=\(acks), ISR \(bracketed(isr)): "
        if let offset = step.offset {
            line += "delivered to \(topic)/0 at offset \(offset)"
        } else if let error = step.error {
            line += "failed with \(error)" + (step.meaning.map { " (\($0))" } ?? "")
        } else {
            line += step.outcome
        }
        out.line(line)
        return step
    }

    static func bracketed(_ ids: [Int32]) -> String { "[" + ids.map(String.init).joined(separator: ",") + "]" }

    static func partitionZero(of topic: String, _ c: ClusterConnection) throws -> PartitionInfo? {
        try c.client.metadata().topic(topic)?.partitions.first { $0.id == 0 }
    }

    static let tradeOff = """
        Availability versus durability: with acks=all and min.insync.replicas=2 every acknowledged write is on at least \
        two brokers, so losing any one broker loses nothing; the price is that with two brokers down the partition refuses \
        writes rather than accept them on a single copy. acks=1 kept writing with one broker left: available, but if that \
        broker fails now, those writes are gone.
        """

    static let keyQuestion = """
        The key question: why does min.insync.replicas=2 need three brokers to mean anything? With two replicas, \
        min.insync.replicas=2 stops writes at the first failure (no tolerance at all), and min.insync.replicas=1 lets a \
        write be acknowledged with one copy. Only with three replicas can one broker fail while every acknowledged write \
        still lands on two.
        """

    // MARK: Embedded

    static func runEmbeddedMinIsrDemo(
        topic: String, connection c: ClusterConnection, cluster: any MockClusterControl, _ out: Output,
        _ cancellation: Cancellation
    ) throws {
        if !cluster.stoppedBrokers.isEmpty {
            throw LabError.invalid(
                "the demo starts with every broker running; `broker start \(ReplicationCommands.ids(cluster.stoppedBrokers.sorted()))` first"
            )
        }
        if try c.client.metadata().topic(topic) == nil {
            try c.createTopic(topic, partitions: 1, replicationFactor: 3, configs: ["min.insync.replicas": "2"])
            out.line(
                "created \(topic): 1 partition, 3 replicas (min.insync.replicas=2 is not stored: the mock has no topic configs)"
            )
        } else {
            out.line("reusing \(topic) (the mock keeps no topic configs, so min.insync.replicas plays no part)")
        }
        guard let p0 = try partitionZero(of: topic, c), p0.leader >= 0 else {
            throw LabError.invalid("\(topic)/0 has no leader; pick another topic name")
        }
        guard p0.replicas.count >= 3 else {
            throw LabError.invalid(
                "\(topic)/0 has \(p0.replicas.count) replica(s); the demo needs 3 (`connect embedded 3`)")
        }
        out.line(
            "embedded: the broker's NOT_ENOUGH_REPLICAS rejection cannot be observed here: the mock has no ISR (it always equals the replica list) and no min.insync.replicas, and it ignores acks. What follows is what the embedded cluster actually does; run `min-isr demo` on the compose cluster to see the rejection."
        )
        out.line("demo producer: " + demoProducerSettings.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        out.hint("why: " + demoSettingsReason)

        let leader = p0.leader
        let followers = p0.replicas.filter { $0 != leader }.prefix(2)
        var steps: [DemoStep] = []
        var stoppedByDemo: [Int32] = []
        defer {
            // Leave the cluster as the demo found it, even after an error or Ctrl-C.
            for id in stoppedByDemo where cluster.stoppedBrokers.contains(id) { try? cluster.startBroker(id) }
        }

        out.line("1. all replicas up, leader \(leader)")
        steps.append(
            try demoProduce(
                "all replicas up", acks: "all", topic: topic, isr: p0.isr, expected: "delivered",
                connection: c, out, cancellation))
        for (index, follower) in followers.enumerated() {
            if cancellation.isCancelled { throw LabError.interrupted }
            out.line("\(index + 2). stopping follower \(follower)")
            // Told as one step of the demo (in a JSON run on stderr, as the demo's other lines).
            try ReplicationCommands.embeddedControl(
                .stop, ids: [follower], cluster: cluster, connection: c, cancellation: cancellation
            ).render(into: out)
            stoppedByDemo.append(follower)
            let isr = try partitionZero(of: topic, c)?.isr ?? []
            let realIsr = p0.replicas.filter { !stoppedByDemo.contains($0) }
            out.line(
                "  ISR reported: \(bracketed(isr)), unchanged: the mock does not model the ISR (real Kafka would report \(bracketed(realIsr)))"
            )
            let expected =
                index == 0
                ? "delivered (ISR of 2 = min.insync.replicas)"
                : "NOT_ENOUGH_REPLICAS (ISR of 1 < min.insync.replicas 2)"
            let step = try demoProduce(
                "follower(s) \(ReplicationCommands.ids(stoppedByDemo)) down", acks: "all", topic: topic, isr: isr,
                expected: expected, connection: c, out, cancellation)
            steps.append(step)
            if index == 1 {
                out.line(
                    "  observed: \(step.outcome). Real Kafka would refuse this write with NOT_ENOUGH_REPLICAS; the embedded cluster has no min.insync.replicas, so nothing here can refuse it, and kafkalab does not fake the rejection"
                )
            }
        }
        if cancellation.isCancelled { throw LabError.interrupted }
        out.line("4. the same partition with acks=1")
        steps.append(
            try demoProduce(
                "acks=1, two followers down", acks: "1", topic: topic,
                isr: try partitionZero(of: topic, c)?.isr ?? [],
                expected: "delivered (acks=1 is never refused for a small ISR)", connection: c, out, cancellation))
        out.line("5. starting the followers again")
        try ReplicationCommands.embeddedControl(.start, ids: stoppedByDemo, cluster: cluster, connection: c)
            .render(into: out)
        stoppedByDemo.removeAll()
        steps.append(
            try demoProduce(
                "all replicas back", acks: "all", topic: topic,
                isr: try partitionZero(of: topic, c)?.isr ?? [], expected: "delivered",
                connection: c, out, cancellation))
        out.emit(
            MinIsrDemoResult(
                cluster: "embedded", topic: topic, partition: 0, rejectionObservable: false,
                note: "embedded: no ISR and no min.insync.replicas; the rejection cannot be observed and is not faked",
                producerProperties: PropertyValues(ordered: demoProducerSettings.map { ($0.key, $0.value) }),
                steps: steps))
    }

    // MARK: Real cluster

    static func runRealMinIsrDemo(
        topic: String, connection c: ClusterConnection, wait: Double,
        composeFile: String?, _ out: Output, _ cancellation: Cancellation
    ) throws {
        // Docker problems are found before anything is created or stopped.
        var compose: (any ComposeControl)? = nil
        if case .compose(let access) = c.control {
            compose = try access.control(composeFile: composeFile, action: .stop, brokers: [1])
        }
        let waitLimit: Double? = compose == nil ? nil : wait
        // A killed broker stays listed, and in the ISR, until it is fenced: metadata alone
        // would count it, and the demo's first acks=all write would wait on it.
        if let compose {
            for id in DockerCompose.brokerIds {
                if case .notRunning(let word) = try compose.containerState(forBroker: id) {
                    throw LabError.invalid(
                        "the demo needs three running brokers and broker \(id) is not running (`docker compose ps` says \(DockerCompose.service(forBroker: id)) is \(word)); `broker start \(id)` first"
                    )
                }
            }
        }
        // A broker started moments ago registers seconds after `docker compose start`
        // returns: wait (bounded) for three, rather than refuse at once.
        let metadata = try waitForBrokers(3, limit: wait, c, out, cancellation)
        if let existing = metadata.topic(topic) {
            guard let p0 = existing.partitions.first(where: { $0.id == 0 }), p0.replicas.count == 3 else {
                throw LabError.invalid(
                    "topic \(topic) exists without 3 replicas on partition 0; the demo needs replication factor 3 (name a new topic: `min-isr demo <new-topic>`)"
                )
            }
            let minIsr = ReplicationCommands.minInsyncReplicas(of: topic, on: c)
            guard minIsr.value == 2 else {
                throw LabError.invalid(
                    "topic \(topic) has min.insync.replicas \(minIsr.text), the demo needs 2 and does not change existing configs (librdkafka 2.0.2's AlterConfigs would replace all of them); name a new topic: `min-isr demo <new-topic>`"
                )
            }
            out.line("reusing \(topic): replication factor 3, min.insync.replicas=2")
        } else {
            _ = try c.ensureTopic(
                topic, partitions: 1, replicationFactor: 3, configs: ["min.insync.replicas": "2"],
                waitSeconds: max(wait, 10), cancellation: cancellation)
            out.line("created \(topic): 1 partition, replication factor 3, min.insync.replicas=2")
        }

        let initial = try waitForPartition(
            topic, "all three replicas in sync", limit: max(wait, 30), c, out, cancellation
        ) {
            $0.leader >= 0 && $0.replicas.count == 3 && Set($0.isr) == Set($0.replicas)
        }
        let leader = initial.leader
        let followers = initial.replicas.filter { $0 != leader }
        if let compose {
            for follower in followers {
                guard DockerCompose.brokerIds.contains(follower),
                    try compose.containerState(forBroker: follower) != .missing
                else {
                    throw LabError.invalid(
                        "\(compose.file) has no container \(DockerCompose.service(forBroker: follower)) for follower \(follower): the cluster was not started from this file (--compose-file PATH)"
                    )
                }
            }
        }
        out.line("\(topic)/0: leader \(leader), replicas \(bracketed(initial.replicas)), ISR \(bracketed(initial.isr))")
        out.line("demo producer: " + demoProducerSettings.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        out.line("why: " + demoSettingsReason)

        var steps: [DemoStep] = []
        var stoppedByDemo: [Int32] = []
        defer {
            if let compose, !stoppedByDemo.isEmpty {
                out.warning(
                    "the demo did not finish; restarting the broker(s) it stopped: \(ReplicationCommands.ids(stoppedByDemo))"
                )
                for id in stoppedByDemo { try? compose.perform(.start, broker: id) }
            }
        }

        out.line("1. all replicas in sync")
        steps.append(
            try demoProduce(
                "all replicas in sync", acks: "all", topic: topic, isr: initial.isr,
                expected: "delivered", connection: c, out, cancellation))
        var isr = initial.isr
        for (index, follower) in followers.enumerated() {
            out.line("\(index + 2). stopping follower \(follower)")
            if let compose {
                out.progress(
                    "running \(DockerCompose.commandLine(file: compose.file, action: .stop, broker: follower))")
                try compose.perform(.stop, broker: follower)
                stoppedByDemo.append(follower)
                out.line("  \(DockerCompose.commandLine(file: compose.file, action: .stop, broker: follower)): done")
            } else {
                out.line(
                    "  stop broker \(follower) on its host now (a controlled shutdown, e.g. `kafka-server-stop.sh`); waiting for it to leave the ISR (Ctrl-C abandons)"
                )
            }
            let shrunk = try waitForPartition(
                topic, "broker \(follower) to leave the ISR", limit: waitLimit, c, out, cancellation
            ) {
                !$0.isr.contains(follower) && $0.leader >= 0
            }
            isr = shrunk.isr
            out.line("  ISR now \(bracketed(isr)) (leader \(shrunk.leader))")
            let expected =
                index == 0
                ? "delivered (ISR of 2 = min.insync.replicas)"
                : "NOT_ENOUGH_REPLICAS (ISR of 1 < min.insync.replicas 2)"
            let step = try demoProduce(
                "follower(s) \(ReplicationCommands.ids(followers.prefix(index + 1).map { $0 })) down", acks: "all",
                topic: topic, isr: isr, expected: expected, connection: c, out, cancellation)
            steps.append(step)
            if index == 1 { explainObserved(step, topic: topic, out) }
        }
        out.line("4. the same partition with acks=1")
        steps.append(
            try demoProduce(
                "acks=1, two followers down", acks: "1", topic: topic, isr: isr,
                expected: "delivered (acks=1 is never refused for a small ISR)", connection: c, out, cancellation))

        out.line("5. starting the followers again")
        for follower in followers {
            if let compose, stoppedByDemo.contains(follower) {
                try compose.perform(.start, broker: follower)
                stoppedByDemo.removeAll { $0 == follower }
                out.line("  \(DockerCompose.commandLine(file: compose.file, action: .start, broker: follower)): done")
            }
        }
        if compose == nil {
            out.line(
                "  start brokers \(ReplicationCommands.ids(followers)) on their hosts now; waiting for them to rejoin the ISR (Ctrl-C abandons)"
            )
        }
        let recovered = try waitForPartition(
            topic, "brokers \(ReplicationCommands.ids(followers)) to rejoin the ISR",
            limit: waitLimit.map { $0 * 2 }, c, out, cancellation
        ) {
            Set($0.isr) == Set($0.replicas) && $0.leader >= 0
        }
        out.line(
            "  ISR back to \(bracketed(recovered.isr)) (leader \(recovered.leader); it moves back to the preferred replica only at a preferred-leader election)"
        )
        steps.append(
            try demoProduce(
                "all replicas back", acks: "all", topic: topic, isr: recovered.isr,
                expected: "delivered", connection: c, out, cancellation))
        out.emit(
            MinIsrDemoResult(
                cluster: c.label, topic: topic, partition: 0, rejectionObservable: true, note: nil,
                producerProperties: PropertyValues(ordered: demoProducerSettings.map { ($0.key, $0.value) }),
                steps: steps))
    }

    /// Says what the write with one replica left means, whatever came back.
    static func explainObserved(_ step: DemoStep, topic: String, _ out: Output) {
        switch step.outcome {
        case "NOT_ENOUGH_REPLICAS":
            out.line(
                "  that is the broker itself refusing the write: the ISR (1) is below min.insync.replicas (2), so nothing was written"
            )
        case "NOT_ENOUGH_REPLICAS_AFTER_APPEND":
            out.line(
                "  the leader appended the batch, then found the ISR below min.insync.replicas before it could acknowledge: the write may exist on the leader alone, and is not acknowledged"
            )
        case "delivered":
            out.line(
                "  the write was accepted: the ISR has not shrunk below 2 in the leader's view yet, or the topic's min.insync.replicas is not 2 (`isr \(topic)`)"
            )
        default:
            out.line(
                "  not the broker's rejection: \(step.outcome) comes from the client or the network; check that the leader is reachable and run the demo again"
            )
        }
    }

    /// Polls metadata until it lists `count` brokers; gives up after `limit` seconds.
    static func waitForBrokers(
        _ count: Int, limit: Double, _ c: ClusterConnection, _ out: Output,
        _ cancellation: Cancellation
    ) throws -> ClusterMetadata {
        let clock = c.client.clock
        let started = clock.now
        while true {
            if cancellation.isCancelled { throw LabError.interrupted }
            let md = try c.client.metadata()
            if md.brokers.count >= count { return md }
            let waited = clock.now - started
            if waited > limit {
                throw LabError.invalid(
                    "the demo needs \(count) running brokers; metadata lists \(md.brokers.count) (\(ReplicationCommands.ids(md.brokers.map(\.id)))) after waiting \(Int(limit)) s (`broker list`, `broker start <id>`)"
                )
            }
            out.progress(
                String(
                    format: "waiting for %d brokers to be registered (%d now): %.0f s (Ctrl-C abandons)", count,
                    md.brokers.count, waited))
            clock.sleep(0.2)
        }
    }

    /// Polls partition 0 until `condition` holds; `limit` nil waits until Ctrl-C.
    static func waitForPartition(
        _ topic: String, _ what: String, limit: Double?, _ c: ClusterConnection, _ out: Output,
        _ cancellation: Cancellation, until condition: (PartitionInfo) -> Bool
    ) throws -> PartitionInfo {
        let clock = c.client.clock
        let started = clock.now
        while true {
            if cancellation.isCancelled { throw LabError.interrupted }
            if let p = try? partitionZero(of: topic, c), condition(p) { return p }
            let waited = clock.now - started
            if let limit, waited > limit {
                let now =
                    (try? partitionZero(of: topic, c)).flatMap { $0 }.map {
                        "ISR \(bracketed($0.isr)), leader \($0.leader)"
                    } ?? "no metadata"
                throw LabError.invalid("gave up waiting for \(what) after \(Int(limit)) s (\(now)); see `isr \(topic)`")
            }
            out.progress(String(format: "waiting for %@: %.0f s (Ctrl-C abandons)", what, waited))
            clock.sleep(0.2)
        }
    }
}

extension MinIsrDemo.DemoStep {
    /// The step from its delivery report; nil when none came (interrupted).
    init(label: String, acks: String, isr: [Int32], report: DeliveryReport?, expectedOnRealKafka: String) {
        let name = report.flatMap { $0.succeeded ? nil : KafkaError.name(of: $0.errorCode) }
        self.init(
            label: label, acks: acks, isr: isr,
            outcome: report == nil ? "no delivery report (interrupted)" : name ?? "delivered",
            offset: report?.succeeded == true ? report?.offset : nil, error: name,
            meaning: name.flatMap(ErrorMeanings.meaning(of:)), expectedOnRealKafka: expectedOnRealKafka)
    }
}
