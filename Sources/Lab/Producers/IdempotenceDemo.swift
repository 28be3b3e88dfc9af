import Foundation
import Kafka
import Synchronization

/// `idempotence demo`: the same lost acknowledgement met by producers with and
/// without idempotence, side by side, each read back and its duplicates counted.
///
/// A duplicate needs a request the broker applied but whose answer the producer
/// never got in time: it times the request out and sends the batch again. On the
/// embedded cluster the demo makes exactly that happen (the mock appends the
/// Produce, then answers it later than the producer's socket.timeout.ms). On a
/// real cluster nothing can be injected: the learner pauses the leader from a
/// second shell while each run produces at a steady pace.
struct IdempotenceDemo {
    /// The producers compared.
    enum Kind: String, CaseIterable, Sendable, Encodable {
        case off = "idempotence off"
        case idempotent = "idempotence on"
        /// Idempotent and transactional: the only kind the mock checks sequences for.
        case transactional = "idempotence on + transactional.id"

        var idempotent: Bool { self != .off }
    }

    /// What one run measured.
    struct Run: Sendable, Encodable {
        let kind: Kind
        let sent: Int
        let delivered: Int
        let failed: Int
        /// Messages read back from the run's partition, duplicates included.
        let read: Int
        /// Copies beyond the first of any message.
        let duplicates: Int
        let missing: Int
        /// Messages transmitted more than once (statistics txmsgs minus deliveries).
        let resent: Int
        /// Requests that timed out waiting for their answer.
        let requestTimeouts: Int
        let producerId: String?

        enum CodingKeys: String, CodingKey {
            case kind = "run", enableIdempotence, transactional, sent, delivered, failed, resent, requestTimeouts
            case read, duplicates, missing, producerId = "producer"
        }

        /// The run's kind, spelled out (`enable_idempotence`, `transactional`), then its counts.
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(kind, forKey: .kind)
            try c.encode(kind.idempotent, forKey: .enableIdempotence)
            try c.encode(kind == .transactional, forKey: .transactional)
            try c.encode(sent, forKey: .sent)
            try c.encode(delivered, forKey: .delivered)
            try c.encode(failed, forKey: .failed)
            try c.encode(resent, forKey: .resent)
            try c.encode(requestTimeouts, forKey: .requestTimeouts)
            try c.encode(read, forKey: .read)
            try c.encode(duplicates, forKey: .duplicates)
            try c.encode(missing, forKey: .missing)
            try c.encodeIfPresent(producerId, forKey: .producerId)
        }
    }

    /// librdkafka's client-side request timeout on the embedded cluster. In
    /// librdkafka request.timeout.ms is only sent to the broker; the client gives
    /// up on a request after socket.timeout.ms (checked once a second).
    static let embeddedSocketTimeoutMs = 500
    /// The mock's answer comes this late: well past the timeout and the once-a-second check
    /// (it costs nothing: the producer closes the connection and the answer is dropped).
    static let embeddedDelayMs: Int32 = 5_000
    /// On a real cluster: short enough that a pause of a few seconds times requests out.
    static let realSocketTimeoutMs = 2_000
    /// KRaft fences a broker that has not heartbeated for broker.session.timeout.ms
    /// (9 s by default) and moves its leaderships; a pause shorter than that keeps the leader.
    static let brokerSessionTimeoutMs = 9_000

    static let command = Command(
        "demo",
        summary:
            "lose an acknowledgement on purpose: duplicates with idempotence off, none with it on, read back side by side",
        usage: "idempotence demo [--count N] [--topic T] [--for 20s]", options: ["--count", "--topic", "--for"],
        details: """
            Each run uses its own producer (not the session's) and writes numbered messages to partition 0 of the topic \
            (default: idempotence-demo, created if missing), then reads the partition back and counts the copies. \
            Embedded: after one warm-up message the leader is told to answer the next Produce \(embeddedDelayMs) ms late \
            (the mock's response-delay injection; it appends the batch at once); the producer's socket.timeout.ms is \
            \(embeddedSocketTimeoutMs), so it gives up and sends the batch again. Three runs: idempotence off, on, and on \
            with a transactional.id, because the mock checks sequence numbers only for transactional producers. \
            Real cluster: two runs (off, on) of --for each (default 20 s) at 20 msg/s with socket.timeout.ms=\(realSocketTimeoutMs); \
            during each, pause the partition's leader from a second shell for about 5 s (`docker compose pause kafka-N`, \
            then `unpause`): longer than the timeout, shorter than the 9 s after which the controller fences the broker. \
            --count (default 200) is the embedded run's size.
            """,
        completes: .topics
    ) { ctx in try IdempotenceDemo(ctx: ctx).run() }

    let ctx: CommandContext

    func run() throws {
        let args = ctx.arguments
        try args.expectPositionals(atMost: 0)
        let c = try ctx.session.requireConnection()
        let count = try args.int("--count", default: 200, range: 1...100_000)
        let duration = try args.seconds("--for", default: 20, minimum: 5, maximum: 600)
        let topic = try ctx.demoTopic(
            args.value("--topic"), defaultName: "idempotence-demo", partitions: 4)
        guard let leader = topic.partitions.first(where: { $0.id == 0 })?.leader, leader >= 0 else {
            throw LabError.invalid("partition 0 of \(topic.name) has no leader now; `isr \(topic.name)` shows why")
        }
        let out = ctx.output
        // The lost acknowledgement is injected where the cluster can be told to delay a response;
        // elsewhere a person pauses the leader.
        let embedded = c.can(.injectErrors) ? c.control.mock : nil
        if embedded != nil && args.value("--for") != nil {
            out.hint("--for paces the real-cluster runs; the embedded runs send --count messages at once")
        } else if embedded == nil && args.value("--count") != nil {
            out.hint("--count sizes the embedded runs; on a real cluster each run produces 20 msg/s for --for")
        }
        let kinds: [Kind] = embedded != nil ? Kind.allCases : [.off, .idempotent]
        let start = try c.client.watermarks(topic: topic.name, partition: 0).high
        let producers = try kinds.map {
            try RunProducer(
                $0, connection: c,
                socketTimeoutMs: embedded != nil ? Self.embeddedSocketTimeoutMs : Self.realSocketTimeoutMs)
        }
        var sent: [Int] = []
        if let embedded {
            out.line(
                "each run: a fresh producer writes \(count) numbered message(s) to \(topic.name) partition 0 (leader: broker \(leader)), socket.timeout.ms=\(Self.embeddedSocketTimeoutMs)"
            )
            out.line(
                "injected on the embedded cluster: before each run broker \(leader) is told to append the next Produce request at once but answer it \(Self.embeddedDelayMs) ms late, so the producer times the request out and sends the batch again"
            )
            // One warm-up message each, all at once: connections, metadata and producer
            // ids settle before anything is injected.
            for p in producers {
                try p.producer.send(topic: topic.name, partition: 0, value: Array((p.prefix + "warm-up").utf8))
            }
            // Flushed in slices: Ctrl-C in these first seconds is heard at once.
            let warmDeadline = Date().addingTimeInterval(10)
            for p in producers {
                while p.producer.outQueueLength > 0 && !ctx.isCancelled {
                    try? p.producer.flush(timeoutMs: 100)
                    if Date() >= warmDeadline { try p.producer.flush(timeoutMs: 0) }
                }
            }
            for p in producers where !ctx.isCancelled {
                try embedded.delayNextResponse(broker: leader, api: .produce, milliseconds: Self.embeddedDelayMs)
                for i in 0..<count {
                    try p.producer.send(topic: topic.name, partition: 0, value: Array("\(p.prefix)\(i)".utf8))
                }
                try p.finish(ctx.output, cancellation: ctx.cancellation)
                sent.append(count)
            }
        } else {
            for line in Self.realClusterProcedure(topic: topic.name, leader: leader) { out.line(line) }
            for p in producers {
                out.line(
                    "run \(p.kind.rawValue): producing 20 msg/s for \(Arguments.formatDuration(duration)); pause broker \(leader) now (Ctrl-C ends the run early)"
                )
                let started = Date()
                var n = 0
                while Date().timeIntervalSince(started) < duration && !ctx.isCancelled {
                    try p.producer.send(topic: topic.name, partition: 0, value: Array("\(p.prefix)\(n)".utf8))
                    n += 1
                    out.progress("\(p.kind.rawValue): \(n) sent, \(p.delivered.load()) delivered")
                    let wait = started.addingTimeInterval(Double(n) / 20).timeIntervalSinceNow
                    if wait > 0 { Thread.sleep(forTimeInterval: wait) }
                }
                try p.finish(ctx.output, cancellation: ctx.cancellation)
                sent.append(n)
            }
        }
        if ctx.isCancelled {
            // Ctrl-C answers within a second: reading everything back could take many.
            out.line("interrupted: not read back, so nothing is verified")
            throw LabError.interrupted
        }
        let messages = try ProducerDemos.readBack(
            topic.name, from: [0: start], isolation: "read_uncommitted",
            session: ctx.session, cancellation: ctx.cancellation)
        let values = messages.map { ProducerDemos.text($0.value) }
        let runs = zip(producers, sent).map { p, n in
            p.result(sent: n, warmUps: embedded != nil ? 1 : 0, readBack: values)
        }
        out.emit(
            IdempotenceDemoResult(
                topic: topic.name, partition: 0, leader: leader, embedded: embedded != nil,
                injectedResponseDelayMs: embedded != nil ? Self.embeddedDelayMs : nil,
                socketTimeoutMs: embedded != nil ? Self.embeddedSocketTimeoutMs : Self.realSocketTimeoutMs, runs: runs))
    }

    // MARK: One run

    /// A count the delivery callback raises on librdkafka's thread.
    final class Counter: Sendable {
        private let value = Atomic<Int>(0)
        func add() { value.add(1, ordering: .relaxed) }
        func load() -> Int { value.load(ordering: .relaxed) }
    }

    /// One run's own producer, the prefix that marks its messages, and its counters.
    final class RunProducer {
        let kind: Kind
        let producer: Producer
        let prefix: String
        let delivered = Counter()
        let failed = Counter()
        let stats = StatisticsRecorder()
        private(set) var final: ClientStatistics?

        init(_ kind: Kind, connection c: ClusterConnection, socketTimeoutMs: Int) throws {
            self.kind = kind
            let runId = ProducerDemos.runId()
            prefix = "idempotence-\(runId)-"
            var props = c.clientProperties(.producer)
            props.merge([
                "client.id": "kafkalab-idempotence-demo", "enable.idempotence": kind.idempotent ? "true" : "false",
                "socket.timeout.ms": String(socketTimeoutMs), "message.timeout.ms": "60000",
                "statistics.interval.ms": "100", "linger.ms": "5",
            ]) { $1 }
            if kind == .transactional {
                props["transactional.id"] = "kafkalab-idempotence-demo-\(runId)"
                props["transaction.timeout.ms"] = "60000"
            }
            let (delivered, failed, stats) = (delivered, failed, stats)
            producer = try Producer(
                config: props,
                onDelivery: { r in
                    if r.succeeded { delivered.add() } else { failed.add() }
                }, onStatistics: { stats.record($0) })
            if kind == .transactional {
                try producer.initTransactions(timeoutMs: 30_000)
                try producer.beginTransaction()
            }
        }

        /// Waits for every delivery report, commits a transactional run, and keeps
        /// statistics emitted after the last request.
        func finish(_ out: Output, cancellation: Cancellation) throws {
            let started = Date()
            while producer.outQueueLength > 0 && Date().timeIntervalSince(started) < 65 && !cancellation.isCancelled {
                try? producer.flush(timeoutMs: 200)
                out.progress("\(kind.rawValue): waiting for \(producer.outQueueLength) delivery report(s)")
            }
            if cancellation.isCancelled { return }
            if kind == .transactional {
                do {
                    try producer.commitTransaction(timeoutMs: 30_000) { cancellation.isCancelled }
                } catch is Producer.Stopped {
                    return
                }
            }
            // Counters in an emission made during the flush may miss its last
            // requests; two more emissions are surely later.
            final = stats.waitForEmissions(2, timeout: 3, cancellation: cancellation)
        }

        func result(sent: Int, warmUps: Int, readBack values: [String]) -> Run {
            let ok = max(0, delivered.load() - warmUps)
            let bad = failed.load()
            let transmitted = Int(final?.txMsgs ?? 0) - warmUps
            let records: [ReadBackCheck.Record] = values.enumerated().compactMap { offset, v in
                guard v.hasPrefix(prefix), let n = Int(v.dropFirst(prefix.count)) else { return nil }
                return ReadBackCheck.Record(partition: 0, offset: Int64(offset), number: n)
            }
            let check = ReadBackCheck(expected: sent, records: records)
            let eos = final?.eos
            return Run(
                kind: kind, sent: sent, delivered: ok, failed: bad, read: check.read,
                duplicates: check.extraCopies, missing: check.missingCount,
                resent: max(0, transmitted - ok - bad), requestTimeouts: Int(final?.requestTimeouts ?? 0),
                producerId: eos.flatMap { $0.hasProducerId ? $0.producerIdText : nil })
        }
    }
}

// MARK: What the runs show (pure)

extension IdempotenceDemo {
    /// What the learner does on a real cluster, where nothing can be injected: lose
    /// the acknowledgement by freezing the leader between the producer's timeout and
    /// the controller's fencing. A controlled stop does it only when a produce happens
    /// to be waiting for its followers at the moment leadership moves.
    static func realClusterProcedure(topic: String, leader: Int32) -> [String] {
        let service = DockerCompose.service(forBroker: leader)
        return [
            "real cluster: nothing can be injected, so you lose the acknowledgement yourself. During each run, from a second shell, pause the leader of \(topic) partition 0 (broker \(leader)) for about 5 s:",
            "    docker compose pause \(service); sleep 5; docker compose unpause \(service)",
            "5 s is longer than the demo's socket.timeout.ms (\(realSocketTimeoutMs / 1000) s, librdkafka's client-side request timeout: the producer gives up and re-sends) and shorter than broker.session.timeout.ms (\(brokerSessionTimeoutMs / 1000) s: the controller would fence the broker and move the leadership). A controlled `broker stop` can write duplicates too, but not on cue: an acks=all produce still waiting for the followers when leadership moves is answered NOT_LEADER_OR_FOLLOWER even when the new leader already has the batch (Partition.checkEnoughReplicasReachOffset in Kafka's Partition.scala), and a producer without idempotence re-sends it and writes it twice; the pause loses an acknowledgement every time.",
        ]
    }

    static func summary(of r: Run) -> String {
        "\(r.kind.rawValue): \(r.sent) sent, \(r.resent) re-sent after \(r.requestTimeouts) timed-out request(s), \(r.read) read back: \(r.duplicates) duplicate(s)"
            + (r.missing > 0 ? ", \(r.missing) missing" : "") + (r.producerId.map { " (\($0))" } ?? "")
    }

    /// One line per run saying what its numbers show, and no more: a run that
    /// re-sent nothing shows nothing about de-duplication.
    static func verdict(_ runs: [Run], embedded: Bool) -> [String] {
        var lines: [String] = []
        // A re-send without a duplicate proves de-duplication only if the same kind of
        // loss demonstrably wrote first attempts: the off run's duplicates show that.
        let offDuplicates = runs.first { $0.kind == .off }?.duplicates ?? 0
        for r in runs {
            let name = r.kind.rawValue
            if r.resent == 0 {
                lines.append(
                    "\(name): nothing was re-sent, so this run shows nothing about duplicates"
                        + (embedded
                            ? ""
                            : " (was the leader paused for longer than \(realSocketTimeoutMs / 1000) s during it?)"))
                continue
            }
            switch (r.kind, r.duplicates > 0) {
            case (.off, true):
                lines.append(
                    "\(name): \(r.duplicates) duplicate(s): the broker had written the batch, its answer came too late, and the re-sent batch was written again"
                )
            case (.off, false):
                lines.append(
                    "\(name): re-sent, yet no duplicate: the first attempts were not written (the broker never applied them), so the retry was the only copy"
                )
            case (.idempotent, true) where embedded:
                lines.append(
                    "\(name): \(r.duplicates) duplicate(s), an artefact of the embedded cluster: librdkafka's mock checks sequence numbers only for transactional producers, so it wrote the re-sent batch again; a Kafka broker would have acknowledged it without writing it (run it on the compose cluster)"
                )
            case (_, true):
                lines.append(
                    "\(name): \(r.duplicates) duplicate(s) despite idempotence: the broker did not de-duplicate; check that the cluster is Apache Kafka 0.11 or newer"
                )
            case (_, false) where offDuplicates > 0:
                lines.append(
                    "\(name): the same loss that wrote \(offDuplicates) duplicate(s) without idempotence wrote none here: the batch was re-sent with the same producer id and sequence numbers and the "
                        + (embedded
                            ? "mock recognised it (its sequence check, which runs for transactional producers only, is the one a Kafka broker runs for every idempotent producer)"
                            : "broker recognised it")
                        + ": acknowledged, not written again (0 duplicates)")
            case (_, false):
                lines.append(
                    "\(name): \(r.resent) re-sent, 0 duplicates; but the run without idempotence wrote no duplicate either, so this run cannot tell de-duplication from first attempts that were never written"
                )
            }
        }
        return lines
    }
}
