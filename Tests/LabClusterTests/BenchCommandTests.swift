import Foundation
import Testing

@testable import Lab

/// `bench` and `bench matrix` on the embedded cluster, with small counts.
/// Figures are checked for presence and sanity, never for speed.
@Suite("bench on the embedded cluster", .serialized)
struct BenchCommandTests {
    /// The JSON lines a bench command printed, split into run documents and the summary.
    static func documents(_ t: TestSession, _ line: String) throws -> (runs: [JSONValue], summary: JSONValue?) {
        let text = try t.output(of: line + " --json")
        let docs = try text.split(separator: "\n").map { try JSONValue.parse(String($0)) }
        return (docs.filter { $0["kind"]?.stringValue == "run" }, docs.first { $0["kind"]?.stringValue == "summary" })
    }

    static func expectSane(_ run: JSONValue, count: Int) throws {
        for key in [
            "codec", "count", "size_bytes", "msgs_per_sec", "mib_per_sec", "compression_ratio", "avg_batch_msgs",
            "latency_ms", "cpu_ms", "properties", "produce_requests", "wire_bytes", "msgs_per_cpu_sec",
        ] {
            #expect(run[key] != nil && run[key] != .null, "missing or null \(key) in \(run.serialized())")
        }
        #expect(run["delivered"]?.intValue == Int64(count))
        #expect((run["msgs_per_sec"]?.doubleValue ?? 0) > 0)
        #expect((run["mib_per_sec"]?.doubleValue ?? 0) > 0)
        #expect((run["produce_requests"]?.intValue ?? 0) > 0)
        #expect((run["avg_batch_msgs"]?.doubleValue ?? 0) >= 1)
        #expect((run["cpu_ms"]?.doubleValue ?? -1) >= 0)
        let l = try #require(run["latency_ms"])
        let p = ["p50", "p95", "p99", "p999", "max"].map { l[$0]?.doubleValue ?? -1 }
        #expect(p[0] > 0, "latency p50 should be positive: \(l.serialized())")
        #expect(p == p.sorted(), "percentiles out of order: \(l.serialized())")
        let props = try #require(run["properties"])
        for key in ["acks", "linger.ms", "batch.size", "batch.num.messages", "compression.type", "enable.idempotence"] {
            #expect(props[key]?.stringValue != nil, "effective \(key) missing")
        }
    }

    /// Issue 28 item 4: with no metadata for its topic (`topic.blacklist .*`)
    /// bench waited message.timeout.ms (300 s) in silence. It notices within
    /// the stall limit that nothing comes back, and stops in one line saying why.
    @Test func aBenchThatCannotMakeProgressStopsAndSaysWhy() throws {
        let t = try TestSession()
        t.session.progressStallLimit = 1
        try t.output(of: "set topic.blacklist .*")
        let started = Date()
        let message = try t.failure(of: "bench none --count 200 --warmup 0")
        #expect(Date().timeIntervalSince(started) < 10, "took \(Date().timeIntervalSince(started)) s")
        #expect(message.contains("no delivery report for 1s with"), "\(message)")
        #expect(message.contains("it has no metadata for bench (hidden by topic.blacklist"), "\(message)")
        #expect(!message.contains("\n"))
        // The session goes on.
        try t.output(of: "unset topic.blacklist")
        let (runs, _) = try Self.documents(t, "bench none --count 500 --warmup 0")
        #expect(runs.first?["delivered"]?.intValue == 500)
    }

    /// The same for seed (it lives in the consumers lab, but stalls alike).
    @Test func aSeedThatCannotMakeProgressStopsAndSaysWhy() throws {
        let t = try TestSession()
        t.session.progressStallLimit = 1
        try t.output(of: "set topic.blacklist .*")
        let started = Date()
        let message = try t.failure(of: "seed --count 50")
        #expect(Date().timeIntervalSince(started) < 10, "took \(Date().timeIntervalSince(started)) s")
        #expect(
            message.contains("seed consumer-tuning: 50 of 50 sent, 0 delivered; no delivery report for 1s"),
            "\(message)")
    }

    /// And for produce (issue 28 item 4: `produce` waited message.timeout.ms with no word); the
    /// session producer is replaced, so the next produce reports only its own messages.
    @Test func aProduceThatCannotMakeProgressStopsAndSaysWhy() throws {
        let t = try TestSession()
        t.session.progressStallLimit = 1
        try t.output(of: "topic create stalled --partitions 2")
        try t.output(of: "set topic.blacklist .*")
        let started = Date()
        let message = try t.failure(of: "produce --topic stalled --count 3 hello")
        #expect(Date().timeIntervalSince(started) < 10, "took \(Date().timeIntervalSince(started)) s")
        #expect(message.contains("produce stalled: 3 of 3 sent, 0 delivered; no delivery report for 1s"), "\(message)")
        #expect(!message.contains("\n"))
        try t.output(of: "unset topic.blacklist")
        // A full local queue (one message) is waited out in slices and makes progress.
        try t.output(of: "set queue.buffering.max.messages 1")
        let out = try t.output(of: "produce --topic stalled --count 40 m{i}")
        #expect(out.contains("produced 40 of 40 message(s) to stalled"), "\(out)")
    }

    @Test func codecRunsReportEveryFieldWithSaneRatios() throws {
        let t = try TestSession()
        let (runs, summary) = try Self.documents(t, "bench none lz4 --count 4000 --size 512 --warmup 200")
        #expect(runs.count == 2)
        for run in runs { try Self.expectSane(run, count: 4000) }
        let ratio = Dictionary(
            uniqueKeysWithValues: runs.map { ($0["codec"]!.stringValue!, $0["compression_ratio"]!.doubleValue!) })
        #expect((0.85...1.05).contains(ratio["none"]!), "none: payload/batch bytes is about 1 (record overhead only)")
        #expect(ratio["lz4"]! > 1.5, "lz4 on the JSON-like default payload")
        #expect(
            runs.first { $0["codec"]?.stringValue == "lz4" }?["properties"]?["compression.type"]?.stringValue == "lz4")
        // 4,000 messages take a few hundredths of a second: too short to name a faster codec.
        #expect(summary?["best_throughput"] == .null)
        #expect(summary?["no_best_because"]?.arrayValue?.first?.stringValue?.contains("too short to rate") == true)
        #expect(try t.session.connection?.admin.metadata().topic("bench")?.partitions.count == 6)
    }

    @Test func randomPayloadDoesNotCompress() throws {
        let t = try TestSession()
        let (runs, _) = try Self.documents(t, "bench lz4 --payload random --count 2000 --size 1000 --warmup 0")
        let run = try #require(runs.first)
        try Self.expectSane(run, count: 2000)
        #expect((0.85...1.05).contains(run["compression_ratio"]?.doubleValue ?? 0))
    }

    @Test func sessionPropertiesApplyAndRunsGiveAMedian() throws {
        let t = try TestSession()
        _ = try t.output(of: "set linger.ms 7")
        let (runs, summary) = try Self.documents(t, "bench snappy --count 1000 --runs 2 --topic bench-runs")
        #expect(runs.map { $0["run"]?.intValue } == [1, 2])
        #expect(runs.allSatisfy { $0["properties"]?["linger.ms"]?.stringValue == "7" })
        #expect(summary?["rows"]?.arrayValue?.first?["runs"]?.intValue == 2)
        #expect(summary?["rows"]?.arrayValue?.first?["msgs_per_sec_spread"]?.doubleValue != nil)
        let text = try t.output(of: "bench snappy gzip --count 500 --runs 2 --topic bench-runs")
        #expect(text.contains("median of 2 runs") && text.contains("spread"))
        #expect(
            text.contains("msgs/s") && text.contains("short") && !text.contains("##"),
            "500-message runs are too short to rate: no msgs/s figures, no bar chart")
    }

    @Test func matrixRunsEveryCombinationAndReadsTheTradeOff() throws {
        let t = try TestSession()
        let (runs, summary) = try Self.documents(
            t, "bench matrix linger.ms=0,10 batch.size=16384,65536 --count 600 --warmup 0")
        #expect(runs.count == 4)
        #expect(
            runs.map { $0["label"]?.stringValue ?? "" } == [
                "linger.ms=0 batch.size=16384", "linger.ms=0 batch.size=65536",
                "linger.ms=10 batch.size=16384", "linger.ms=10 batch.size=65536",
            ])
        for run in runs { try Self.expectSane(run, count: 600) }
        #expect(runs[3]["matrix_properties"]?["batch.size"]?.stringValue == "65536")
        #expect(runs[3]["properties"]?["batch.size"]?.stringValue == "65536")
        #expect(summary?["reading"]?.stringValue?.isEmpty == false)
        let text = try t.output(of: "bench matrix acks=1,all --count 300 --warmup 0")
        #expect(text.contains("acks=1") && text.contains("acks=all"))
        #expect(text.contains("ignores acks") && !text.contains("*"), "embedded: acks rows are noise, none marked")
    }

    @Test func severalProducersAndConsumersReportEachClient() throws {
        let t = try TestSession()
        let (runs, summary) = try Self.documents(
            t, "bench none --producers 2 --count 1001 --warmup 0 --topic bench-many")
        let run = try #require(runs.first)
        #expect(run["delivered"]?.intValue == 1001)
        #expect(run["producers"]?.intValue == 2)
        let producers = run["clients"]?.arrayValue ?? []
        #expect(
            producers.compactMap { $0["messages"]?.intValue } == [501, 500], "an even split, the remainder to the first"
        )
        #expect(producers.allSatisfy { ($0["msgs_per_sec"]?.doubleValue ?? 0) > 0 })
        #expect(summary?["producers"]?.intValue == 2)

        _ = try t.output(of: "seed bench-many-c --count 600 --size 50")
        let doc = try JSONValue.parse(
            try t.output(of: "bench consume --assign --topic bench-many-c --consumers 2 --json"))
        let c = try #require(doc["runs"]?.arrayValue?.first)
        #expect(c["consumed"]?.intValue == 600)
        #expect(c["exactly_once"] == .bool(true), "every record once across both consumers: \(c.serialized())")
        let consumers = c["clients"]?.arrayValue ?? []
        #expect(consumers.count == 2)
        #expect(consumers.compactMap { $0["messages"]?.intValue }.reduce(0, +) == 600)
        #expect(consumers.allSatisfy { ($0["messages"]?.intValue ?? 0) > 0 }, "each took its own partitions")
        #expect(doc["consumers"]?.intValue == 2)
    }

    @Test func csvFileParsesBack() throws {
        let t = try TestSession()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try t.output(of: "bench none zstd --count 500 --csv \(path)")
        let rows = BenchReport.parseCSV(try String(contentsOfFile: path, encoding: .utf8))
        #expect(rows.count == 3)
        #expect(rows[0] == BenchReport.csvHeader)
        for row in rows.dropFirst() {
            let r = Dictionary(uniqueKeysWithValues: zip(rows[0], row))
            #expect(r["delivered"] == "500")
            #expect((Double(r["msgs_per_sec"] ?? "") ?? 0) > 0)
            #expect(Int(r["p50_us"] ?? "")! <= Int(r["p99_us"] ?? "")!)
        }
        #expect(rows[2][1] == "zstd")
    }

    @Test func badInputFailsInOneLineAndNothingRuns() throws {
        let t = try TestSession()
        let cases = [
            "bench lz5", "bench none --count 0", "bench --count -5", "bench --size 0", "bench --size -1",
            "bench --runs 0", "bench --payload nope", "bench --payload file:/nonexistent/x.json",
            "bench --csv /nonexistent-dir/out.csv", "bench matrix", "bench matrix linger.ms",
            "bench matrix linger.ms=", "bench matrix linger.ms=abc", "bench matrix lingr.ms=1,2",
            "bench matrix acks=1,banana", "bench matrix session.timeout.ms=6000,7000",
            "bench matrix linger.ms=1 --count 0",
            "bench --producers 0", "bench none --count 1 --producers 2", "bench --rate 1 --producers 2",
        ]
        for line in cases {
            let message = try t.failure(of: line)
            #expect(!message.contains("\n"), "\(line): \(message)")
        }
        #expect(try t.failure(of: "bench lz5").contains("did you mean lz4"))
        #expect(try t.failure(of: "bench matrix linger.ms=abc").contains("linger.ms"))
        #expect(
            try t.session.connection?.admin.metadata().topic("bench") == nil, "no run started, so no topic was created")
    }
}
