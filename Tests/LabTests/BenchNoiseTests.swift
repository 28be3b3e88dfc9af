import Foundation
import Kafka
import Testing

@testable import Lab

/// What a bench may claim: "best" only beyond the measured spread, no rate
/// from a run too short, several clients aggregated, the progress gate.
@Suite("Bench: noise, short runs, several clients, progress")
struct BenchNoiseTests {
    /// A run of `count` messages over `seconds`, with `requests` produce requests of `count / requests` messages
    /// each, `cpu` CPU seconds, and p50/p99 in µs.
    static func run(
        _ label: String, count: Int = 100_000, seconds: Double, requests: Int64 = 100, cpu: Double = 0.5,
        p50: UInt64 = 1000, p99: UInt64 = 2000, settings: [(key: String, value: String)] = []
    ) throws -> BenchResult {
        let emission = """
            {"brokers":{"b1":{"nodeid":1,"req":{"Produce":\(requests)},"tx":\(requests),"txbytes":1000}},
             "topics":{"bench":{"batchsize":{"sum":\(count * 100),"cnt":\(requests)},"batchcnt":{"sum":\(count),"cnt":\(requests)}}}}
            """
        var totals = ProduceStatisticsTotals()
        totals.add(try ClientStatistics.decode(emission), topic: "bench")
        var r = BenchResult(
            label: label, codec: "none", count: count, size: 100, payload: "json", delivered: count, failed: 0,
            seconds: seconds, statistics: totals,
            latency: LatencySummary(
                count: UInt64(count), p50: p50, p95: p99 - 1, p99: p99, p999: p99 + 1, max: p99 + 2, mean: 1),
            cpuSeconds: cpu)
        r.settings = settings
        return r
    }

    @Test func aBestNeedsALeadBeyondTheMeasuredSpread() {
        // Runs that overlap: no best, whichever median is higher.
        #expect(BenchNoise.distinctBest([[100, 110, 120], [115, 125, 130]], better: .higher) == nil)
        // Apart: the higher one, and for "lower" the lower one.
        #expect(BenchNoise.distinctBest([[100, 110, 120], [130, 140, 150]], better: .higher) == 1)
        #expect(BenchNoise.distinctBest([[100, 110, 120], [130, 140, 150]], better: .lower) == 0)
        // Single runs count as ±5 %: 4 % apart is a tie, 20 % apart is not.
        #expect(BenchNoise.distinctBest([[100], [104]], better: .higher) == nil)
        #expect(BenchNoise.distinctBest([[100], [120]], better: .higher) == 1)
        // The leader must clear every other row, not just the runner-up.
        #expect(BenchNoise.distinctBest([[200, 210], [100, 205], [50, 60]], better: .higher) == nil)
        #expect(BenchNoise.distinctBest([[1], [2]], better: .neither) == nil)
        #expect(BenchNoise.whyNoBest([[100], [104]], better: .higher)?.contains("--runs") == true)
        #expect(BenchNoise.whyNoBest([[100], [120]], better: .higher) == nil)
    }

    @Test func theTableMarksNoBestInsideTheSpread() throws {
        let close = [
            BenchRow(runs: [try Self.run("none", seconds: 1.0), try Self.run("none", seconds: 1.1)]),
            BenchRow(runs: [try Self.run("lz4", seconds: 1.05), try Self.run("lz4", seconds: 0.95)]),
        ]
        let text = BenchReport.table(close, firstHeader: "codec", markColumns: ["msgs/s"]).render()
        #expect(!text.contains("*"), "overlapping runs: no best msgs/s\n\(text)")
        #expect(BenchReport.noMarkNotes(close, markColumns: ["msgs/s"]).contains { $0.contains("no best msgs/s") })
        let apart = [
            BenchRow(runs: [try Self.run("none", seconds: 1.0), try Self.run("none", seconds: 1.05)]),
            BenchRow(runs: [try Self.run("lz4", seconds: 0.6), try Self.run("lz4", seconds: 0.62)]),
        ]
        let marked = BenchReport.table(apart, firstHeader: "codec", markColumns: ["msgs/s"]).render()
        #expect(marked.split(separator: "\n")[2].contains("*"), "lz4 is faster beyond the spread\n\(marked)")
    }

    @Test func aRunTooShortClaimsNoRate() throws {
        let rows = [
            BenchRow(runs: [try Self.run("none", count: 5000, seconds: 0.02)]),
            BenchRow(runs: [try Self.run("lz4", count: 5000, seconds: 0.01)]),
        ]
        let allShort = rows.allSatisfy { $0.tooShortToRate }
        #expect(allShort)
        let text = BenchReport.table(rows, firstHeader: "codec").render()
        #expect(text.contains("short"))
        #expect(!text.contains("500,000"), "the 0.01 s run's rate is not printed\n\(text)")
        #expect(BenchReport.distinctBest(rows, column: BenchReport.columns[0]) == nil)
        #expect(BenchReport.noMarkNotes(rows).first?.contains("too short to rate") == true)
        let reading = BenchReport.matrixReading(rows, keys: [])
        #expect(reading.contains("too short to rate"))
        #expect(!reading.contains("most throughput"))
        #expect(!BenchNoise.isTooShort(seconds: BenchNoise.minimumSeconds))
        let json = try JSONValue.parse(
            JSONValueEncoder.encode(ProducerBenchRun(rows[0].runs[0], runs: 1, cluster: "embedded")).serialized())
        #expect(json["too_short_to_rate"] == .bool(true))
    }

    @Test func theMatrixReadingWeighsRequestsAndCPUPerMessage() throws {
        let linger0 = try Self.run(
            "linger.ms=0", seconds: 2, requests: 20_000, cpu: 2.0, p50: 600, p99: 3000,
            settings: [("linger.ms", "0")])
        let linger50 = try Self.run(
            "linger.ms=50", seconds: 2, requests: 400, cpu: 0.8, p50: 48_000, p99: 60_000,
            settings: [("linger.ms", "50")])
        let reading = BenchReport.matrixReading(
            [BenchRow(runs: [linger0]), BenchRow(runs: [linger50])],
            keys: ["linger.ms"], paced: 50_000)
        #expect(reading.contains("Paced at 50,000 msgs/s"))
        #expect(
            reading.contains("linger.ms=50 sends the fewest produce requests (400, 250 msgs per batch)"), "\(reading)")
        #expect(reading.contains("50.0× fewer than linger.ms=0"))
        #expect(
            reading.contains("linger.ms=50 does the most work per CPU-second (125,000 msgs/CPU-s, 2.5× linger.ms=0's)"))
        #expect(reading.contains("p50 48.00 ms for linger.ms=50 against 0.60 ms for linger.ms=0"))
        #expect(reading.contains("linger.ms=0 has the lowest p99"))
        #expect(!reading.contains("most throughput"), "paced: msgs/s is the rate, not a result")
    }

    @Test func severalClientsAggregateAndShowEachRate() throws {
        let s = ClientScaling(
            clients: [
                ClientRate(client: 1, messages: 500, seconds: 1.0),
                ClientRate(client: 2, messages: 500, seconds: 2.0),
            ], aggregateSeconds: 2.0)
        #expect(s.aggregateMsgsPerSec == 500)
        #expect(s.slowest?.client == 2 && s.fastest?.client == 1)
        #expect(s.perClientMedian == 375)
        #expect(abs(s.overlap - 500.0 / 750.0) < 1e-9)
        #expect(s.summary == "aggregate 500 msgs/s from 2 clients; per client 250-500 msgs/s (median 375)")
        var r = try Self.run("none", seconds: 1)
        r.clients = s.clients
        let json = try JSONValue.parse(
            JSONValueEncoder.encode(ProducerBenchRun(r, runs: 1, cluster: "embedded")).serialized())
        #expect(json["producers"]?.intValue == 2)
        #expect(json["clients"]?.arrayValue?.map { $0["msgs_per_sec"]?.doubleValue } == [500, 250])

        // Consumers: records and partitions add up, a partition read twice shows as excess.
        let t = ConsumeRunTotals.merge([
            (
                consumed: 30, bytes: 300, duplicates: 0, perPartition: [10, 20, 0], first: 100, last: 1_000_000_100,
                fetchRequests: 5
            ),
            (
                consumed: 25, bytes: 250, duplicates: 1, perPartition: [0, 5, 20], first: 50, last: 500_000_050,
                fetchRequests: 7
            ),
        ])
        #expect(t.consumed == 55 && t.bytes == 550 && t.duplicates == 1)
        #expect(t.perPartition == [10, 25, 20])
        #expect(t.firstNanos == 50 && t.lastNanos == 1_000_000_100)
        #expect(t.fetchRequests == 12)
        #expect(t.clients.map(\.msgsPerSec) == [30, 50])
        #expect(ConsumeRunTotals.assignment(partitions: 7, clients: 3, client: 1) == [1, 4])
    }

    @Test func consumersShareOneBudgetExactly() {
        let budget = ConsumeBudget(count: 10)
        #expect(budget.claim(6) == 6)
        #expect(budget.claim(6) == 4, "only what is left")
        #expect(budget.isDone)
        budget.giveBack(2 + 2)  // the second batch handed 2 of its 4, plus its 2 of overshoot
        #expect(!budget.isDone && budget.consumed == 8)
        #expect(budget.claim(5) == 2)
        #expect(budget.claim(1) == 0)
    }

    @Test func fetchTuningOnTheEmbeddedClusterMarksNoBest() {
        func r(_ i: Int, _ rate: Double) -> ConsumerBenchRunner.RunResult {
            ConsumerBenchRunner.RunResult(
                index: i, properties: [("fetch.min.bytes", "\(i)")], consumed: 1000, duplicates: 0,
                perPartitionMatches: true, bytes: 1000, fetchRequests: 10, firstMessage: 0.1,
                total: 2, window: 1000 / rate, interrupted: false)
        }
        let rows = [r(1, 1000), r(2, 1500)]
        #expect(ConsumerBenchRunner.best(rows, count: 1000, ignoredByMock: [])?.index == 2)
        #expect(ConsumerBenchRunner.best(rows, count: 1000, ignoredByMock: ["fetch.min.bytes"]) == nil)
        #expect(
            ConsumerBenchRunner.best([r(1, 1000), r(2, 1040)], count: 1000, ignoredByMock: []) == nil, "within ±5 %")
        #expect(
            ConsumerBenchRunner.best([r(1, 1000), r(2, 10_000)], count: 1000, ignoredByMock: []) == nil,
            "0.1 s: too short")
    }

    @Test func progressShowsOnlyAfterASecondAndThenEvery200ms() {
        var gate = ProgressGate()
        let shown = [0.2, 0.99, 1.0, 1.1, 1.25].map { gate.shouldShow(atSeconds: $0) }
        #expect(shown == [false, false, true, false, true])
        #expect(
            ProgressGate.line(done: 50_000, of: 100_000, seconds: 2, verb: "sent")
                == "50,000/100,000 sent, 25,000 msgs/s, ETA 2 s")
    }
}
