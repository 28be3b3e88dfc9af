import Foundation
import Kafka

/// Runs `bench consume`: one run per combination of consumer properties,
/// each with one or several consumers reading the topic from the beginning.
enum ConsumerBenchRunner {
    /// Consumer properties the embedded cluster's mock broker ignores while it
    /// has data: it answers every fetch at once with one message set per partition,
    /// whatever the partition's byte limit (librdkafka 2.0.2, rdkafka_mock_handlers.c).
    static let ignoredByMock: Set<String> = ["fetch.min.bytes", "fetch.wait.max.ms", "max.partition.fetch.bytes"]

    struct RunResult {
        let index: Int
        let properties: [(String, String)]
        let consumed: Int
        let duplicates: Int
        let perPartitionMatches: Bool
        let bytes: Int
        let fetchRequests: Int64?
        let firstMessage: Double?
        let total: Double
        let window: Double
        let interrupted: Bool
        var clients: [ClientRate] = []

        var msgsPerSecond: Double { window > 0 ? Double(consumed) / window : 0 }
        var mibPerSecond: Double { window > 0 ? Double(bytes) / 1_048_576 / window : 0 }
        var tooShortToRate: Bool { BenchNoise.isTooShort(seconds: window) }
    }

    static func run(_ ctx: CommandContext) throws {
        let args = ctx.arguments
        let session = ctx.session
        let out = ctx.output
        let grid = try ConsumerBenchCommands.grid(args.positionals)
        let combos = grid.combinations.map { $0.map { ($0.key, $0.value) } }
        let consumers = try args.int("--consumers", default: 1, range: 1...64)
        let c = try session.requireConnection()
        let topicName = args.value("--topic") ?? ConsumerCommands.defaultTopic
        guard let topic = try c.client.metadata().topic(topicName) else {
            let fix =
                topicName == ConsumerCommands.defaultTopic
                ? "`seed` creates and fills it" : "`seed \(topicName)` fills it"
            throw LabError.notFound("unknown topic '\(topicName)'; \(fix)")
        }
        var expected: [Int32: Int64] = [:]
        if let all = try? c.client.watermarks(topic: topicName, partitions: topic.partitions.map(\.id)) {
            for (p, w) in all { expected[p] = w.high - w.low }
        } else {
            for p in topic.partitions {
                let w = try c.client.watermarks(topic: topicName, partition: p.id)
                expected[p.id] = w.high - w.low
            }
        }
        let available = Int(expected.values.reduce(0, +))
        guard available > 0 else {
            throw LabError.invalid(
                "\(topicName) is empty; `seed\(topicName == ConsumerCommands.defaultTopic ? "" : " " + topicName)` fills it"
            )
        }
        let count = try args.int("--count", default: available, range: 1...100_000_000)
        guard count <= available else {
            throw LabError.invalid(
                "--count \(count) is more than \(topicName) holds (\(available) messages); `seed` adds more")
        }
        let assignByHand = args.has("--assign")
        if assignByHand && consumers > topic.partitions.count {
            throw LabError.invalid(
                "--consumers \(consumers) with --assign needs as many partitions; \(topicName) has \(topic.partitions.count)"
            )
        }
        let base = try session.consumerProperties(group: "unset").merging([
            "auto.offset.reset": "earliest", "enable.auto.commit": "false",
            "statistics.interval.ms": "1000", "enable.partition.eof": "false",
        ]) { $1 }.filter { $0.key != "group.instance.id" }
        let configs = combos.map { combo in base.merging(Dictionary(combo, uniquingKeysWith: { $1 })) { $1 } }
        // librdkafka checks combinations only when a client is built: with
        // several, build each once, unsubscribed, so a bad one fails before
        // anything runs. A single one is checked by its own run.
        if configs.count > 1 {
            for (i, config) in configs.enumerated() {
                do {
                    _ = try Consumer(config: config.merging(["group.id": "kafkalab-config-check"]) { $1 })
                } catch let e as KafkaError {
                    throw refused(i, combos[i], e)
                }
            }
        }

        let effective = (try? ClientConfig.effectiveValues(of: base, keys: ConsumerBenchCommands.tuningKeys)) ?? [:]
        out.line(
            "bench consume: \(combos.count) run(s) of \(count) message(s) from \(topicName) (\(topic.partitions.count) partitions, \(available) messages), each from the beginning "
                + (assignByHand ? "with every partition assigned by hand (no group join)" : "with a fresh group")
                + (consumers > 1 ? ", \(consumers) consumers at once" : ""))
        out.line(
            "consumer config in effect besides the varied properties: "
                + ConsumerBenchCommands.tuningKeys.compactMap { k in effective[k].map { "\(k)=\($0)" } }.joined(
                    separator: " "))

        var results: [RunResult] = []
        for (i, config) in configs.enumerated() {
            if ctx.isCancelled { break }
            let r: RunResult
            do {
                r = try measure(
                    index: i + 1, of: configs.count, properties: combos[i], config: config,
                    topic: topicName, partitions: topic.partitions.count, count: count, consumers: consumers,
                    assignByHand: assignByHand, expected: count == available ? expected : nil, output: out,
                    cancellation: ctx.cancellation)
            } catch let e as KafkaError where configs.count == 1 {
                throw refused(i, combos[i], e)
            }
            results.append(r)
            if r.interrupted { break }
        }
        let embeddedIgnored =
            session.connection?.control.isMock == true
            ? grid.keys.filter { ignoredByMock.contains($0) } : []
        out.emit(
            result(
                results, topic: topicName, count: count, available: available, consumers: consumers,
                ignoredByMock: embeddedIgnored, onMock: session.connection?.control.isMock == true))
    }

    static func refused(_ i: Int, _ combo: [(String, String)], _ e: KafkaError) -> LabError {
        let label = combo.isEmpty ? "session config" : combo.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
        return LabError.invalid("run \(i + 1) (\(label)): librdkafka refuses it: \(e.message)")
    }

    static func measure(
        index: Int, of total: Int, properties: [(String, String)], config: [String: String],
        topic: String, partitions: Int, count: Int, consumers: Int, assignByHand: Bool,
        expected: [Int32: Int64]?, output: Output, cancellation: Cancellation
    ) throws -> RunResult {
        let groupId = "kafkalab-bench-consume-\(UUID().uuidString.prefix(8).lowercased())"
        let label = properties.isEmpty ? "session config" : properties.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
        let startNanos = BenchClock.nanos()
        var clients: [ConsumerBenchClient] = []
        for i in 0..<consumers {
            let client = try ConsumerBenchClient(
                index: i + 1, config: config.merging(["group.id": groupId]) { $1 }, partitions: partitions)
            if assignByHand {
                let mine = ConsumeRunTotals.assignment(partitions: partitions, clients: consumers, client: i)
                try client.consumer.assign(
                    mine.map {
                        TopicPartitionOffset(topic: topic, partition: Int32($0), offset: TopicPartitionOffset.beginning)
                    })
            } else {
                try client.consumer.subscribe([topic])
            }
            clients.append(client)
        }
        let budget = ConsumeBudget(count: count)
        var gate = ProgressGate()
        func showProgress(_ consumed: Int) {
            let seconds = Double(BenchClock.nanos() &- startNanos) / 1e9
            guard gate.shouldShow(atSeconds: seconds) else { return }
            output.progress(
                "bench consume \(index)/\(total) \(label): "
                    + ProgressGate.line(done: consumed, of: count, seconds: seconds, verb: "read")
                    + (consumed == 0 && !assignByHand ? " (joining the group)" : ""))
        }
        if consumers == 1 {
            // One consumer: read on this thread, as rdkafka_performance does.
            clients[0].read(budget: budget, cancellation: cancellation, tick: showProgress)
            clients[0].finish()
        } else {
            let done = DispatchSemaphore(value: 0)
            for client in clients {
                let thread = Thread {
                    client.read(budget: budget, cancellation: cancellation)
                    client.finish()
                    done.signal()
                }
                thread.name = "kafkalab-bench-consumer-\(client.index)"
                thread.start()
            }
            var finished = 0
            while finished < consumers {
                if done.wait(timeout: .now() + .milliseconds(200)) == .success { finished += 1; continue }
                showProgress(budget.consumed)
            }
        }
        output.clearProgress()
        let endNanos = BenchClock.nanos()
        let totals = ConsumeRunTotals.merge(
            clients.map {
                ($0.consumed, $0.bytes, $0.duplicates, $0.perPartition, $0.firstNanos, $0.lastNanos, $0.fetchRequests)
            })
        for client in clients {
            if let w = client.warning {
                output.warning("run \(index), consumer \(client.index): \(w) (the run went on)")
            }
        }
        let interrupted = clients.contains { $0.interrupted }
        let lastAt = totals.lastNanos ?? endNanos
        let totalSeconds = Double(lastAt &- startNanos) / 1e9
        let window: Double
        if let first = totals.firstNanos, totals.consumed > 1, lastAt > first {
            window = Double(lastAt &- first) / 1e9
        } else {
            window = totalSeconds
        }
        let firstMessage = totals.firstNanos.map { Double($0 &- startNanos) / 1e9 }
        var matches = totals.consumed == count && totals.duplicates == 0
        if let expected {
            matches =
                matches
                && expected.allSatisfy { p, n in Int(p) < totals.perPartition.count && totals.perPartition[Int(p)] == n
                }
        }
        if totals.consumed < count && !interrupted {
            output.warning(
                "run \(index): only \(totals.consumed) of \(count) message(s) arrived (nothing for \(Int(ConsumerBenchClient.idleLimitSeconds)) s)"
            )
        }
        var result = RunResult(
            index: index, properties: properties, consumed: totals.consumed, duplicates: totals.duplicates,
            perPartitionMatches: matches, bytes: totals.bytes, fetchRequests: totals.fetchRequests,
            firstMessage: firstMessage, total: totalSeconds, window: window, interrupted: interrupted)
        if consumers > 1 { result.clients = totals.clients }
        return result
    }

    /// The run to mark best: complete runs only, and only when it leads
    /// beyond the spread (`BenchNoise`), every run was long enough to rate,
    /// and no varied property is one the mock ignores.
    static func best(_ results: [RunResult], count: Int, ignoredByMock: [String]) -> RunResult? {
        guard results.count > 1, ignoredByMock.isEmpty,
            results.allSatisfy({ $0.consumed == count && !$0.tooShortToRate })
        else { return nil }
        return BenchNoise.distinctBest(results.map { [$0.msgsPerSecond] }, better: .higher).map { results[$0] }
    }

    /// The runs as the command's one result value.
    static func result(
        _ results: [RunResult], topic: String, count: Int, available: Int, consumers: Int,
        ignoredByMock: [String], onMock: Bool
    ) -> ConsumerBenchResult {
        let best = best(results, count: count, ignoredByMock: ignoredByMock)
        return ConsumerBenchResult(
            topic: topic, messagesInTopic: available, count: count, consumers: consumers,
            ignoredByEmbeddedCluster: ignoredByMock,
            runs: results.map { r in
                ConsumerBenchResult.Run(
                    run: r.index, properties: .init(r.properties), consumed: r.consumed, duplicates: r.duplicates,
                    exactlyOnce: r.perPartitionMatches, msgsPerSec: r.msgsPerSecond, mibPerSec: r.mibPerSecond,
                    tooShortToRate: r.tooShortToRate, fetchRequests: r.fetchRequests,
                    firstMessageMs: r.firstMessage.map { $0 * 1000 }, totalMs: r.total * 1000,
                    windowMs: r.window * 1000, best: best?.index == r.index, interrupted: r.interrupted,
                    clients: r.clients.map {
                        .init(client: $0.client, messages: $0.messages, durationMs: $0.seconds * 1000)
                    })
            },
            bestRun: best?.index, onMock: onMock)
    }
}

enum BenchBenchNoiseText {
    static var minimum: String { String(format: "%.1f s", BenchNoise.minimumSeconds) }
}
