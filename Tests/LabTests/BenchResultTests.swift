import Testing

@testable import Lab

/// `bench` (produce side): each run and the summary are one value each, rendered to text and to
/// JSON with the same figures.
@Suite("Producer bench result: text and JSON from one value")
struct BenchResultTests {
    static func result(
        _ label: String, msgsPerSec: Double, p99: UInt64, run: Int = 1, settings: [(key: String, value: String)] = [],
        clients: [ClientRate] = []
    ) -> BenchResult {
        var r = BenchResult(
            label: label, codec: "lz4", count: 1000, size: 100, payload: "json", delivered: 1000, failed: 0,
            seconds: 1000 / msgsPerSec, statistics: ProduceStatisticsTotals(),
            latency: LatencySummary(
                count: 1000, p50: p99 / 2, p95: p99 - 1, p99: p99, p999: p99 + 1, max: p99 + 2, mean: 1500),
            cpuSeconds: 0.5)
        r.run = run
        r.settings = settings
        r.effectiveProperties = [(key: "acks", value: "all"), (key: "linger.ms", value: "5")]
        r.clients = clients
        return r
    }

    @Test func aRunsJSONAndItsLine() throws {
        let r = Self.result(
            "linger.ms=5", msgsPerSec: 500, p99: 12_345, settings: [(key: "linger.ms", value: "5")],
            clients: [
                ClientRate(client: 1, messages: 600, seconds: 1.5), ClientRate(client: 2, messages: 400, seconds: 0),
            ])
        let run = RenderedResult(ProducerBenchRun(r, runs: 3, cluster: "embedded", prefix: "[1/2] linger.ms=5"))
        #expect(
            run.json.serialized()
                == #"{"kind":"run","label":"linger.ms=5","codec":"lz4","matrix_properties":{"linger.ms":"5"},"run":1,"runs":3,"cluster":"embedded","count":1000,"delivered":1000,"failed":0,"size_bytes":100,"payload":"json","duration_ms":2000.0,"msgs_per_sec":500.0,"mib_per_sec":0.0476837,"payload_bytes":100000,"batch_bytes":0,"wire_bytes":0,"compression_ratio":null,"produce_requests":0,"avg_batch_msgs":null,"avg_batch_bytes":null,"latency_ms":{"p50":6.172,"p95":12.344,"p99":12.345,"p999":12.346,"max":12.347,"mean":1.5},"cpu_ms":500.0,"msgs_per_cpu_sec":2000.0,"interrupted":false,"too_short_to_rate":false,"producers":2,"clients":[{"client":1,"messages":600,"duration_ms":1500.0,"msgs_per_sec":400.0},{"client":2,"messages":400,"duration_ms":0.0,"msgs_per_sec":null}],"error":null,"properties":{"acks":"all","linger.ms":"5"}}"#,
            "\(run.json.serialized())")
        #expect(run.text == "[1/2] linger.ms=5: 500 msgs/s, ratio -, p99 12.35 ms\n", "\(run.text)")
        #expect(JSONValueEncoder.encode(ProducerBenchRun(r, runs: 3, cluster: "embedded")) == run.json)
        #expect(RenderedResult(ProducerBenchRun(r, runs: 1, cluster: "embedded")).text.isEmpty, "a single run: no line")
        var short = Self.result("x", msgsPerSec: 5000, p99: 900)
        short.interrupted = true
        let shortRun = RenderedResult(ProducerBenchRun(short, runs: 1, cluster: "compose", prefix: "[2/2] x"))
        #expect(
            shortRun.text == "[2/2] x: short run (0.20 s), ratio -, p99 0.90 ms (interrupted)\n", "\(shortRun.text)")
        #expect(shortRun.json["too_short_to_rate"] == .bool(true) && shortRun.json["interrupted"] == .bool(true))
        #expect(shortRun.json["matrix_properties"] == .object([]) && shortRun.json["producers"] == .integer(1))
    }

    @Test func theSummarysJSONAndItsTable() throws {
        let rows = [
            BenchRow(runs: [Self.result("none", msgsPerSec: 1000, p99: 900)]),
            BenchRow(runs: [Self.result("lz4", msgsPerSec: 2000, p99: 1500)]),
        ]
        let summary = RenderedResult(
            ProducerBenchSummary(
                rows: rows, bestThroughput: "lz4", bestP99: "none", noBestBecause: [], producers: 1,
                reading: nil, interrupted: false, heading: "1,000 × 100 B json messages to bench",
                firstHeader: "codec", marks: ["msgs/s", "p99 ms"], paced: false, effectiveLine: "producer: acks=all",
                ignoredAcks: nil, clusterHint: nil))
        #expect(
            summary.json.serialized()
                == #"{"kind":"summary","rows":[{"label":"none","runs":1,"msgs_per_sec":1000.0,"msgs_per_sec_spread":null,"compression_ratio":null,"p99_ms":0.9,"cpu_ms":500.0,"duration_ms":1000.0,"too_short_to_rate":false,"produce_requests":0.0,"avg_batch_msgs":null,"p50_ms":0.45,"msgs_per_cpu_sec":2000.0},{"label":"lz4","runs":1,"msgs_per_sec":2000.0,"msgs_per_sec_spread":null,"compression_ratio":null,"p99_ms":1.5,"cpu_ms":500.0,"duration_ms":500.0,"too_short_to_rate":false,"produce_requests":0.0,"avg_batch_msgs":null,"p50_ms":0.75,"msgs_per_cpu_sec":2000.0}],"best_throughput":"lz4","best_p99":"none","no_best_because":[],"producers":1,"reading":null,"interrupted":false}"#,
            "\(summary.json.serialized())")
        let lines = summary.text.split(separator: "\n").map(String.init)
        #expect(lines.first == "1,000 × 100 B json messages to bench")
        #expect(summary.text.contains("producer: acks=all\n"))
        let none = try #require(lines.first { $0.hasPrefix("none ") })
        let lz4 = try #require(lines.first { $0.hasPrefix("lz4 ") })
        #expect(none.contains("1,000") && none.contains("0.90*") && none.contains("0.45"), "\(summary.text)")
        #expect(lz4.contains("2,000*") && lz4.contains("1.50") && lz4.contains("0.75"), "\(summary.text)")
        #expect(summary.text.contains("lz4   ") && summary.text.contains("2,000 msgs/s"), "the bar chart")
    }
}
