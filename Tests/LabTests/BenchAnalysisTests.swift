import Foundation
import Histogram
import Kafka
import Testing

@testable import Lab

@Suite("Bench: payloads, matrix, statistics, percentiles, report")
struct BenchAnalysisTests {
    /// Issue 28 item 4: a paced matrix says up front how long it will take.
    @Test func pacedRunsSayHowLongTheyTakeBeforeTheFirstRun() {
        // The README's example: 2 × 2 × 3 configurations, one run each, 2,000 at 200 msgs/s.
        #expect(
            BenchCommands.pacedEstimate(runs: 12, count: 2_000, rate: 200)
                == "12 runs of 2,000 messages at 200 msgs/s take about 2m0s of sending; Ctrl-C stops and keeps what was measured"
        )
        #expect(
            BenchCommands.pacedEstimate(runs: 1, count: 500, rate: 1_000)?.contains("1 run of 500 messages") == true)
        #expect(BenchCommands.pacedEstimate(runs: 1, count: 500, rate: 1_000)?.contains("takes about 1s") == true)
        #expect(BenchCommands.pacedEstimate(runs: 3, count: 500, rate: nil) == nil)
    }

    /// Issue 28 item 6: the default count gives a rate (at least `BenchNoise.minimumSeconds`) up to
    /// 2M msgs/s, a release build's lz4 pace; a paced run's default is 10 s of sending.
    @Test func theDefaultCountLastsLongEnoughToRate() {
        let unpaced = BenchOptions.defaultCount(rate: nil)
        #expect(!BenchNoise.isTooShort(seconds: Double(unpaced) / 2_000_000))
        #expect(BenchNoise.isTooShort(seconds: 100_000 / 2_000_000), "the old default, for contrast")
        #expect(BenchOptions.defaultCount(rate: 2_000) == 20_000)
        #expect(BenchOptions.defaultCount(rate: 1) == 10)
        #expect(BenchOptions.defaultCount(rate: 10_000_000) == unpaced)
        // The README's paced matrix (3 rows at 2,000 msgs/s) says up front it takes 30 s, not 150.
        #expect(
            BenchCommands.pacedEstimate(runs: 3, count: BenchOptions.defaultCount(rate: 2_000), rate: 2_000)?
                .contains("take about 30s") == true)
    }

    // MARK: Payload

    @Test func payloadKindsParseAndBadOnesAreRefused() throws {
        #expect(try PayloadKind.parse("json") == .json)
        #expect(try PayloadKind.parse("random") == .random)
        #expect(try PayloadKind.parse("repeat:a,b") == .repeating("a,b"))
        #expect(try PayloadKind.parse("file:/tmp/x") == .file("/tmp/x"))
        for bad in ["jsn", "repeat:", "file:", ""] {
            #expect(throws: LabError.self) { try PayloadKind.parse(bad) }
        }
    }

    @Test func payloadSlicesHaveTheRequestedSizeAndAreDeterministic() throws {
        for kind in [PayloadKind.json, .text, .random] {
            let a = try BenchPayload(kind: kind, messageSize: 300, messagesNeeded: 50)
            let b = try BenchPayload(kind: kind, messageSize: 300, messagesNeeded: 50)
            #expect(a.pool == b.pool)
            #expect(a.messageCount == 50)
            #expect(a.message(3).count == 300)
            #expect(a.message(3) != a.message(4), "\(kind): consecutive messages should differ")
            #expect(a.message(53) == a.message(3), "the pool wraps around")
        }
        let json = try BenchPayload(kind: .json, messageSize: 500, messagesNeeded: 2)
        #expect(String(decoding: json.message(0), as: UTF8.self).hasPrefix("{\"event\":"))
    }

    @Test func poolIsCappedForLargeCounts() throws {
        let p = try BenchPayload(kind: .random, messageSize: 1024)
        #expect(p.pool.count <= BenchPayload.distinctBytes)
        #expect(p.messageCount == BenchPayload.distinctBytes / 1024)
    }

    @Test func repeatAndFilePayloadsCycleTheirSource() throws {
        let r = try BenchPayload(kind: .repeating("abc"), messageSize: 7)
        #expect(Array(r.message(0)) == Array("abcabca".utf8))
        #expect(r.messageCount == 1)
        let f = try BenchPayload(kind: .file("x"), messageSize: 4, fileBytes: Array("0123456789".utf8))
        #expect(Array(f.message(0)) == Array("0123".utf8))
        #expect(Array(f.message(1)) == Array("4567".utf8))
        #expect(Array(f.message(2)) == Array("0123".utf8), "a 10-byte file holds two whole 4-byte messages")
        #expect(throws: LabError.self) { try BenchPayload(kind: .file("x"), messageSize: 4, fileBytes: []) }
        #expect(throws: LabError.self) { try BenchPayload(kind: .json, messageSize: 0) }
    }

    // MARK: Matrix

    static func acceptAll(_ key: String, _ value: String) throws -> String { key }

    @Test func matrixExpandsToTheCartesianProductInTypedOrder() throws {
        let m = try BenchMatrix(specs: ["linger.ms=0,5,50", "batch.size=16384,131072"], validate: Self.acceptAll)
        let combos = m.combinations
        #expect(combos.count == 6)
        #expect(combos[0].map(\.value) == ["0", "16384"])
        #expect(combos[1].map(\.value) == ["0", "131072"])
        #expect(combos[5].map(\.value) == ["50", "131072"])
        #expect(m.keys == ["linger.ms", "batch.size"])
    }

    @Test func malformedMatrixSpecsAreRefused() {
        let bad = [
            [], ["linger.ms"], ["=1,2"], ["linger.ms="], ["linger.ms=1,,2"], ["linger.ms=1,1"],
            ["linger.ms=1", "linger.ms=2"],
        ]
        for specs in bad {
            #expect(throws: LabError.self, "\(specs)") { try BenchMatrix(specs: specs, validate: Self.acceptAll) }
        }
        let huge = (0..<3).map { k in "k\(k)=" + (0..<7).map(String.init).joined(separator: ",") }
        #expect(throws: LabError.self) { try BenchMatrix(specs: huge, validate: Self.acceptAll) }
    }

    @Test func matrixAsksTheValidatorAboutEveryValueAndUsesItsCanonicalKey() throws {
        var seen: [String] = []
        let m = try BenchMatrix(specs: ["producer.linger.ms=1,2"]) { key, value in
            seen.append("\(key)=\(value)")
            return "linger.ms"
        }
        #expect(seen == ["producer.linger.ms=1", "producer.linger.ms=2"])
        #expect(m.keys == ["linger.ms"])
        #expect(throws: LabError.self) {
            try BenchMatrix(specs: ["acks=1,x"]) { key, value in
                if value == "x" { throw LabError.invalid("bad") }
                return key
            }
        }
    }

    // MARK: Median, spread, percentiles

    @Test func medianAndSpread() {
        #expect(BenchStats.median([3, 1, 2]) == 2)
        #expect(BenchStats.median([4, 1, 3, 2]) == 2.5)
        #expect(BenchStats.median([.nan, 5]) == 5)
        #expect(BenchStats.median([]).isNaN)
        #expect(BenchStats.relativeSpread([90, 100, 110]) == 0.2)
        #expect(BenchStats.relativeSpread([100]).isNaN)
    }

    @Test func latencyPercentilesAreOrderedAndNearTheTrueValues() {
        var h = LatencySummary.makeHistogram()
        for v in 1...10_000 { _ = h.record(UInt64(v)) }
        let s = LatencySummary(h)
        #expect(s.count == 10_000)
        #expect(s.p50 <= s.p95 && s.p95 <= s.p99 && s.p99 <= s.p999 && s.p999 <= s.max)
        // Three significant digits: within 0.1 % (plus one bucket) of the exact order statistic.
        #expect(abs(Double(s.p50) - 5_000) <= 10)
        #expect(abs(Double(s.p99) - 9_900) <= 20)
        #expect(abs(Double(s.p999) - 9_990) <= 20)
        #expect(abs(Double(s.max) - 10_000) <= 20)
        #expect(LatencySummary(LatencySummary.makeHistogram()).p99 == 0)
    }

    @Test func oneSlowOutlierShowsOnlyInTheTail() {
        var h = LatencySummary.makeHistogram()
        for _ in 0..<999 { _ = h.record(100) }
        _ = h.record(50_000)
        let s = LatencySummary(h)
        #expect(s.p99 < 200)
        #expect(s.max >= 49_000)
    }

    // MARK: Statistics accumulation

    static func emission(produce: Int, txBytes: Int, batchSum: Int, batchCnt: Int, msgsSum: Int) -> String {
        """
        {"name":"p","type":"producer","ts":1,"brokers":{
          "127.0.0.1:1/1":{"name":"b1","nodeid":1,"txbytes":\(txBytes / 2),"req":{"Produce":\(produce / 2),"Metadata":3}},
          "127.0.0.1:2/2":{"name":"b2","nodeid":2,"txbytes":\(txBytes - txBytes / 2),"req":{"Produce":\(produce - produce / 2)}},
          "GroupCoordinator":{"name":"gc","nodeid":-1,"txbytes":999,"req":{"Produce":99}}},
         "topics":{"bench":{"topic":"bench","batchsize":{"sum":\(batchSum),"cnt":\(batchCnt)},"batchcnt":{"sum":\(msgsSum),"cnt":\(batchCnt)}},
                   "other":{"topic":"other","batchsize":{"sum":777,"cnt":1},"batchcnt":{"sum":7,"cnt":1}}}}
        """
    }

    @Test func windowStatsAreSummedAndCountersTakenAsDeltas() throws {
        let baseline = try ClientStatistics.decode(
            Self.emission(produce: 10, txBytes: 1000, batchSum: 5, batchCnt: 1, msgsSum: 1))
        var totals = ProduceStatisticsTotals(baseline: baseline)
        totals.add(
            try ClientStatistics.decode(
                Self.emission(produce: 30, txBytes: 51_000, batchSum: 40_000, batchCnt: 4, msgsSum: 400)),
            topic: "bench")
        totals.add(
            try ClientStatistics.decode(
                Self.emission(produce: 40, txBytes: 61_000, batchSum: 10_000, batchCnt: 1, msgsSum: 100)),
            topic: "bench")
        #expect(totals.emissions == 2)
        #expect(totals.batchBytes == 50_000)
        #expect(totals.batches == 5)
        #expect(totals.batchMessages == 500)
        #expect(totals.produceRequests == 30, "last emission minus baseline, real brokers only")
        #expect(totals.wireBytes == 60_000)
        #expect(totals.averageBatchMessages == 100)
        #expect(totals.averageBatchBytes == 10_000)
        #expect(totals.compressionRatio(payloadBytes: 150_000) == 3)
        #expect(ProduceStatisticsTotals().compressionRatio(payloadBytes: 1) == nil)
    }

    @Test func theLeanProduceSampleReadsWhatTheFullDecodeReads() throws {
        let texts = [
            Self.emission(produce: 10, txBytes: 1000, batchSum: 5, batchCnt: 1, msgsSum: 1),
            Self.emission(produce: 30, txBytes: 51_000, batchSum: 40_000, batchCnt: 4, msgsSum: 400),
            Self.emission(produce: 40, txBytes: 61_000, batchSum: 10_000, batchCnt: 1, msgsSum: 100),
        ]
        var full = ProduceStatisticsTotals(baseline: try ClientStatistics.decode(texts[0]))
        var lean = ProduceStatisticsTotals(baseline: ProduceStatisticsSample.decode(texts[0], topic: "bench"))
        for text in texts.dropFirst() {
            full.add(try ClientStatistics.decode(text), topic: "bench")
            lean.add(try #require(ProduceStatisticsSample.decode(text, topic: "bench")))
        }
        #expect(lean == full)
        #expect(lean.produceRequests == 30 && lean.batchMessages == 500)
        #expect(ProduceStatisticsSample.decode("not json", topic: "bench") == nil)
        #expect(
            ClientStatistics.fetchRequests(
                in: #"{"brokers":{"a":{"nodeid":1,"req":{"Fetch":7}},"b":{"nodeid":-1,"req":{"Fetch":9}}}}"#) == 7)
    }

    /// The fetch counter is read by a byte walk, not JSONDecoder: it must skip what a
    /// consumer's statistics hold around it (strings with escapes, nested objects and
    /// arrays, other counters named alike) and give nil for what is not a document.
    @Test func fetchRequestsAreReadFromAFullDocumentAndNothingElse() {
        let doc = #"""
            { "name": "c#1 \"x\" {not} [an] object", "ts": 12, "brokers": {
                "GroupCoordinator": { "nodeid": -1, "req": { "Fetch": 100 } },
                "127.0.0.1:1/1": { "name": "b1", "nodeid": 1, "rtt": { "p99": 3.5, "hdrsize": 1 },
                  "req": { "Produce": 4, "Fetch": 11, "Offset": 2 },
                  "toppars": { "t-0": { "topic": "t", "partition": 0, "Fetch": 999, "list": [1, {"a": [2]}] } } },
                "127.0.0.1:2/2": { "req": { "Fetch": 5 }, "nodeid": 2, "flag": true, "none": null }
              },
              "topics": { "t": { "partitions": { "0": { "fetchq_cnt": 7 } } } } }
            """#
        #expect(ClientStatistics.fetchRequests(in: doc) == 16)
        #expect(ClientStatistics.fetchRequests(in: #"{"brokers":{}}"#) == 0)
        #expect(ClientStatistics.fetchRequests(in: #"{"topics":{}}"#) == nil)
        #expect(ClientStatistics.fetchRequests(in: #"{"brokers":{"a":{"nodeid":1,"req":{"Fetch":7}}"#) == nil)
        #expect(ClientStatistics.fetchRequests(in: "not json") == nil)
    }

    // MARK: Report

    static func result(_ label: String, msgsPerSec: Double, p99: UInt64, run: Int = 1) -> BenchResult {
        var r = BenchResult(
            label: label, codec: label, count: 1000, size: 100, payload: "json", delivered: 1000, failed: 0,
            seconds: 1000 / msgsPerSec, statistics: ProduceStatisticsTotals(),
            latency: LatencySummary(
                count: 1000, p50: p99 / 2, p95: p99 - 1, p99: p99, p999: p99 + 1, max: p99 + 2, mean: 1),
            cpuSeconds: 0.5)
        r.run = run
        return r
    }

    @Test func bestValuesAreMarkedInTheirDirection() {
        #expect(BenchReport.bestIndex([1, 3, 2], better: .higher) == 1)
        #expect(BenchReport.bestIndex([1, 3, 2], better: .lower) == 0)
        #expect(BenchReport.bestIndex([.nan, 3, 2], better: .lower) == 2)
        #expect(BenchReport.bestIndex([2, 2], better: .lower) == nil, "a tie singles nobody out")
        #expect(BenchReport.bestIndex([5], better: .higher) == nil)
        let rows = [
            BenchRow(runs: [Self.result("none", msgsPerSec: 1000, p99: 900)]),
            BenchRow(runs: [Self.result("lz4", msgsPerSec: 2000, p99: 1500)]),
        ]
        let text = BenchReport.table(rows, firstHeader: "codec").render()
        let lines = text.split(separator: "\n")
        #expect(lines[1].contains("0.90*"), "none has the lower p99")
        #expect(lines[2].contains("2,000*"), "lz4 has the higher msgs/s")
        let onlyTwo = BenchReport.table(rows, firstHeader: "codec", markColumns: ["msgs/s"]).render()
        #expect(!onlyTwo.contains("0.90*"))
    }

    @Test func tableShowsMedianAndSpreadOfRuns() {
        let row = BenchRow(runs: [
            Self.result("lz4", msgsPerSec: 900, p99: 100, run: 1),
            Self.result("lz4", msgsPerSec: 1000, p99: 100, run: 2),
            Self.result("lz4", msgsPerSec: 1100, p99: 100, run: 3),
        ])
        #expect(abs(row.median.msgsPerSec - 1000) < 0.001)
        #expect(abs(row.throughputSpread - 0.2) < 0.0001)
        let text = BenchReport.table([row], firstHeader: "codec").render()
        #expect(text.contains("spread") && text.contains("±10.0%"))
    }

    @Test func barChartScalesToTheLargestValue() {
        let ascii = BenchReport.barChart([("none", 50), ("lz4", 100)], width: 10, ascii: true)
        #expect(ascii[0] == "none  ##### 50 msgs/s")
        #expect(ascii[1] == "lz4   ########## 100 msgs/s")
        let blocks = BenchReport.barChart([("a", 100), ("b", 55)], width: 10, ascii: false)
        #expect(blocks[0].hasPrefix("a  ██████████ "))
        #expect(blocks[1].hasPrefix("b  █████▌ "), "5.5 cells: five full blocks and a half")
        #expect(
            blocks.allSatisfy { $0.unicodeScalars.allSatisfy { $0.isASCII || ("\u{2580}"..."\u{259F}").contains($0) } })
    }

    @Test func csvRoundTripsThroughTheParser() {
        var r = Self.result("linger.ms=5 batch.size=16384", msgsPerSec: 1234, p99: 777)
        r.payload = "repeat:a,\"b\""
        r.settings = [("linger.ms", "5"), ("batch.size", "16384")]
        let rows = BenchReport.parseCSV(BenchReport.csv([r, Self.result("none", msgsPerSec: 10, p99: 1)]))
        #expect(rows.count == 3)
        #expect(rows[0] == BenchReport.csvHeader)
        let record = Dictionary(uniqueKeysWithValues: zip(rows[0], rows[1]))
        #expect(record["payload"] == "repeat:a,\"b\"")
        #expect(record["settings"] == "linger.ms=5 batch.size=16384")
        #expect(record["p99_us"] == "777")
        #expect(Double(record["msgs_per_sec"]!)! == 1234)
    }

    @Test func jsonDocumentCarriesTheDocumentedFields() throws {
        let doc = try JSONValue.parse(
            JSONValueEncoder.encode(
                ProducerBenchRun(Self.result("lz4", msgsPerSec: 500, p99: 10), runs: 1, cluster: "embedded")
            ).serialized())
        for key in [
            "codec", "count", "size_bytes", "msgs_per_sec", "mib_per_sec", "compression_ratio", "avg_batch_msgs",
            "latency_ms", "cpu_ms", "properties",
        ] {
            #expect(doc[key] != nil, "missing \(key)")
        }
        #expect(doc["latency_ms"]?["p999"]?.doubleValue == 0.011)
    }

    @Test func matrixReadingNamesTheTradeOff() {
        func row(_ linger: String, _ msgs: Double, _ p99: UInt64) -> BenchRow {
            var r = Self.result("linger.ms=\(linger)", msgsPerSec: msgs, p99: p99)
            r.settings = [("linger.ms", linger)]
            return BenchRow(runs: [r])
        }
        let text = BenchReport.matrixReading([row("0", 500, 500), row("50", 2000, 60_000)], keys: ["linger.ms"])
        #expect(text.contains("linger.ms=50 gives the most throughput"))
        #expect(text.contains("linger.ms=0 the lowest p99"))
        #expect(text.contains("300 % more"))
        let same = BenchReport.matrixReading([row("0", 500, 500), row("50", 2000, 100)], keys: ["linger.ms"])
        #expect(same.contains("wins both"))
    }
}
