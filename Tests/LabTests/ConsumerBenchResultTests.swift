import Testing

@testable import Lab

/// `bench consume`'s result: one value rendered to text and to JSON carries the same figures.
@Suite("Consumer bench result: text and JSON from one value")
struct ConsumerBenchResultTests {
    static func run(
        _ i: Int, _ properties: [(String, String)], msgsPerSec: Double, windowMs: Double = 2000, best: Bool = false,
        clients: [ConsumerBenchResult.Client] = []
    ) -> ConsumerBenchResult.Run {
        ConsumerBenchResult.Run(
            run: i, properties: .init(properties), consumed: 1000, duplicates: 0, exactlyOnce: true,
            msgsPerSec: msgsPerSec, mibPerSec: msgsPerSec / 1024, tooShortToRate: windowMs < 500,
            fetchRequests: 40, firstMessageMs: 312, totalMs: 2500, windowMs: windowMs, best: best,
            interrupted: false, clients: clients)
    }

    @Test func runsTableBestAndJSON() {
        let r = RenderedResult(
            ConsumerBenchResult(
                topic: "consumer-tuning", messagesInTopic: 1000, count: 1000, consumers: 1,
                ignoredByEmbeddedCluster: [],
                runs: [
                    Self.run(1, [("max.partition.fetch.bytes", "1024")], msgsPerSec: 512),
                    Self.run(2, [("max.partition.fetch.bytes", "1048576")], msgsPerSec: 2048, best: true),
                ],
                bestRun: 2, onMock: false))
        #expect(
            r.hasRow(["1", "max.partition.fetch.bytes=1024", "512", "0.5", "40", "25", "312", "ms", "2.50", "s", "yes"]
            ),
            "\(r.text)")
        #expect(
            r.hasRow([
                "2", "max.partition.fetch.bytes=1048576", "2048", "2.0", "40", "25", "312", "ms", "2.50", "s", "yes",
                "◀",
                "best",
            ]), "\(r.text)")
        #expect(r.text.contains("best: run 2 (max.partition.fetch.bytes=1048576) at 2048 msgs/s\n"))
        #expect(!r.text.contains("embedded:"))
        #expect(
            r.json.serialized()
                == #"{"topic":"consumer-tuning","messages_in_topic":1000,"count":1000,"consumers":1,"ignored_by_embedded_cluster":[],"runs":[{"run":1,"properties":{"max.partition.fetch.bytes":"1024"},"consumed":1000,"duplicates":0,"exactly_once":true,"msgs_per_sec":512.0,"mib_per_sec":0.5,"too_short_to_rate":false,"fetch_requests":40,"first_message_ms":312.0,"total_ms":2500.0,"window_ms":2000.0,"best":false,"interrupted":false,"clients":[]},{"run":2,"properties":{"max.partition.fetch.bytes":"1048576"},"consumed":1000,"duplicates":0,"exactly_once":true,"msgs_per_sec":2048.0,"mib_per_sec":2.0,"too_short_to_rate":false,"fetch_requests":40,"first_message_ms":312.0,"total_ms":2500.0,"window_ms":2000.0,"best":true,"interrupted":false,"clients":[]}],"best_run":2}"#
        )
    }

    @Test func noiseShortRunsAndSeveralConsumers() {
        let mock = RenderedResult(
            ConsumerBenchResult(
                topic: "t", messagesInTopic: 1000, count: 1000, consumers: 1,
                ignoredByEmbeddedCluster: ["fetch.min.bytes"],
                runs: [Self.run(1, [("fetch.min.bytes", "1")], msgsPerSec: 900), Self.run(2, [], msgsPerSec: 1000)],
                bestRun: nil, onMock: true))
        #expect(mock.hasRow(["2", "(session", "config)", "1000", "1.0", "40", "25", "312", "ms", "2.50", "s", "yes"]))
        #expect(mock.text.contains("note: the embedded cluster ignores fetch.min.bytes"))
        #expect(!mock.text.contains("no best") && !mock.text.contains("embedded: the mock answers fetches"))
        #expect(mock.json["ignored_by_embedded_cluster"] == .array([.string("fetch.min.bytes")]))
        #expect(mock.json["best_run"] == .null && mock.json["runs"]?[1]?["properties"] == .object([]))

        let short = RenderedResult(
            ConsumerBenchResult(
                topic: "t", messagesInTopic: 10, count: 10, consumers: 2, ignoredByEmbeddedCluster: [],
                runs: [
                    Self.run(
                        1, [("fetch.wait.max.ms", "10")], msgsPerSec: 100, windowMs: 100,
                        clients: [
                            .init(client: 1, messages: 6, durationMs: 100),
                            .init(client: 2, messages: 4, durationMs: 0),
                        ]),
                    Self.run(2, [("fetch.wait.max.ms", "500")], msgsPerSec: 1000),
                ],
                bestRun: nil, onMock: false))
        #expect(
            short.hasRow(["1", "fetch.wait.max.ms=10", "short", "short", "40", "25", "312", "ms", "2.50", "s", "yes"]))
        #expect(
            short.text.contains(
                "no best: run 1 read for 0.10 s, too short to rate (msgs/s needs at least \(BenchBenchNoiseText.minimum))"
            ))
        #expect(
            short.text.contains(
                "run 1: 2 consumers, rates withheld (short run); consumer 1: 6 msgs in 0.10 s, consumer 2: 4 msgs in 0.00 s"
            ))
        let clients = short.json["runs"]?[0]?["clients"]
        #expect(
            clients?.serialized()
                == #"[{"client":1,"messages":6,"duration_ms":100.0,"msgs_per_sec":60.0},{"client":2,"messages":4,"duration_ms":0.0,"msgs_per_sec":null}]"#
        )

        let scaled = RenderedResult(
            ConsumerBenchResult(
                topic: "t", messagesInTopic: 4000, count: 4000, consumers: 2, ignoredByEmbeddedCluster: [],
                runs: [
                    Self.run(
                        1, [], msgsPerSec: 2000, windowMs: 2000,
                        clients: [
                            .init(client: 1, messages: 2000, durationMs: 2000),
                            .init(client: 2, messages: 2000, durationMs: 1000),
                        ])
                ], bestRun: nil, onMock: false))
        #expect(scaled.text.contains("run 1: aggregate 2,000 msgs/s from 2 clients"), "\(scaled.text)")
        #expect(scaled.text.contains("  consumer 1: 2000 msgs, 1,000 msgs/s, consumer 2: 2000 msgs, 2,000 msgs/s\n"))
        #expect(scaled.json["runs"]?[0]?["clients"]?[1]?["msgs_per_sec"] == .double(2000))
    }
}
