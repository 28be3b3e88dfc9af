import Foundation
import Kafka
import Testing

@testable import Lab

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Python's prometheus_client text parser, when installed (`pip install prometheus_client`;
/// `make deps` does it): the reference reader of the exposition format.
enum PrometheusParser {
    static let available: Bool = run("import prometheus_client.parser", input: "").status == 0

    /// Each family as `name type samples`, one per line, or the parser's error.
    static func families(_ text: String) -> (status: Int32, output: String) {
        run(
            """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            for f in text_string_to_metric_families(sys.stdin.read()):
                print(f.name, f.type, len(f.samples))
            """, input: text)
    }

    private static func run(_ script: String, input: String) -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script]
        let stdin = Pipe(), stdout = Pipe()
        p.standardInput = stdin
        p.standardOutput = stdout
        p.standardError = stdout
        guard (try? p.run()) != nil else { return (127, "no python3") }
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try? stdin.fileHandleForWriting.close()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// One GET with URLSession, bounded; the body and how long it took.
func httpGet(_ url: String, timeout: Double = 5) throws -> (status: Int, body: String, seconds: Double) {
    let request = URLRequest(
        url: URL(string: url)!, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var result: (Int, String)?
    let started = Date()
    let task = URLSession.shared.dataTask(with: request) { data, response, _ in
        if let http = response as? HTTPURLResponse {
            result = (http.statusCode, String(decoding: data ?? Data(), as: UTF8.self))
        }
        done.signal()
    }
    task.resume()
    guard done.wait(timeout: .now() + timeout + 1) == .success, let result else {
        throw TestFailure("GET \(url) got no answer within \(timeout) s")
    }
    return (result.0, result.1, Date().timeIntervalSince(started))
}

@Suite("Prometheus exposition (pure)")
struct PrometheusExpositionTests {
    func report(_ partitions: [(String, Int32, Int64?, Int64)], status: PartitionLagStatus = .ok) -> LagWatchReport {
        let parts = partitions.map { p in
            LagWatchReport.Partition(
                topic: p.0, partition: p.1, committed: p.2, logEnd: p.3, lag: p.3 - (p.2 ?? 0), sparkline: "",
                trend: LagTrend([]), evaluation: LagEvaluation(status: status, reason: "", currentLag: p.3 - (p.2 ?? 0))
            )
        }
        return LagWatchReport(
            time: 0, samples: 1, partitions: parts, groupStatus: status.isError ? .err : .ok,
            totalLag: parts.reduce(0) { $0 + $1.lag }, groupSparkline: "", groupTrend: LagTrend([]))
    }

    @Test func everyFamilyHasHelpAndTypeAndLabelsPerPartition() {
        let text = PrometheusExposition.render(
            [
                "billing": report([("orders", 0, 5, 12), ("orders", 1, nil, 3)]),
                "audit": report([("orders", 0, 12, 12)]),
            ],
            health: LagExporterHealth(collectionSeconds: 0.25, errorsTotal: 2, lastSuccess: 1_700_000_000, up: true))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains(#"kafka_consumergroup_lag{group="billing",topic="orders",partition="0"} 7"#))
        #expect(lines.contains(#"kafka_consumergroup_lag{group="billing",topic="orders",partition="1"} 3"#))
        #expect(lines.contains(#"kafka_consumergroup_lag{group="audit",topic="orders",partition="0"} 0"#))
        // No commit: no committed-offset sample (absent, not 0).
        #expect(
            !lines.contains {
                $0.hasPrefix(#"kafka_consumergroup_committed_offset{group="billing",topic="orders",partition="1"}"#)
            })
        // Two groups read orders/0: its log end is one series.
        #expect(
            lines.filter { $0.hasPrefix(#"kafka_topic_partition_log_end_offset{topic="orders",partition="0"}"#) } == [
                #"kafka_topic_partition_log_end_offset{topic="orders",partition="0"} 12"#
            ])
        #expect(lines.contains(#"kafka_consumergroup_status{group="billing",status="OK"} 1"#))
        #expect(lines.contains(#"kafka_consumergroup_status{group="billing",status="ERR"} 0"#))
        #expect(lines.contains("kafkalab_lag_export_errors_total 2"))
        #expect(lines.contains("kafkalab_lag_export_collection_duration_seconds 0.25"))
        #expect(lines.contains("kafkalab_lag_export_last_success_timestamp_seconds 1700000000"))
        #expect(lines.contains("kafkalab_lag_export_up 1"))
        let families = lines.filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
        #expect(families.count == 11 && Set(families).count == 11)
        #expect(lines.filter { $0.hasPrefix("# HELP ") }.count == 11)
        #expect(lines.contains("# TYPE kafkalab_lag_export_errors_total counter"))
    }

    @Test func labelValuesAreEscaped() {
        #expect(PrometheusExposition.escape(#"a"b\c"# + "\nd") == #"a\"b\\c\nd"#)
        let text = PrometheusExposition.render(["we\"ird": report([("t", 0, 1, 1)])], health: LagExporterHealth())
        #expect(text.contains(#"group="we\"ird""#))
        #expect(text.contains("kafkalab_lag_export_up 0"))
        #expect(!text.contains("\nkafkalab_lag_export_last_success_timestamp_seconds "))
    }

    @Test func numbersAsTheFormatReadsThem() {
        #expect(PrometheusExposition.number(3) == "3")
        #expect(PrometheusExposition.number(-2.5) == "-2.5")
        #expect(PrometheusExposition.number(.nan) == "NaN")
        #expect(PrometheusExposition.number(.infinity) == "+Inf")
    }

    @Test func listenAddressesAreIPv4AndLocalhost() throws {
        #expect(try MetricsHTTPServer.parseListen("127.0.0.1:9308") == ("127.0.0.1", 9308))
        #expect(try MetricsHTTPServer.parseListen("localhost:0") == ("127.0.0.1", 0))
        #expect(throws: LabError.self) { try MetricsHTTPServer.parseListen("9308") }
        #expect(throws: LabError.self) { try MetricsHTTPServer.parseListen("example.com:9308") }
        #expect(throws: LabError.self) { try MetricsHTTPServer.parseListen("127.0.0.1:99999") }
    }

    @Test(
        .enabled(if: PrometheusParser.available, "needs python3 with prometheus_client (pip install prometheus_client)")
    )
    func prometheusClientParsesTheExposition() {
        let text = PrometheusExposition.render(
            ["g": report([("t", 0, 5, 12), ("t", 1, nil, 3)], status: .stall)],
            health: LagExporterHealth(collectionSeconds: 0.01, errorsTotal: 1, lastSuccess: 1_700_000_000.5, up: false))
        let parsed = PrometheusParser.families(text)
        #expect(parsed.status == 0, "\(parsed.output)")
        #expect(parsed.output.contains("kafka_consumergroup_lag gauge 2"))
        #expect(parsed.output.contains("kafkalab_lag_export_errors counter 1"))
    }
}

/// `lag export` on the embedded cluster, scraped over HTTP.
@Suite("lag export (embedded cluster)", .serialized)
struct LagExportTests {
    @Test func servesLagAndKeepsTheLastGoodValuesWhileTheBrokerIsDown() throws {
        let t = try TestSession(brokers: 1)
        // A short request bound, so a collection against the stopped broker fails within a second or two.
        t.session.connect(try ClusterConnection(embeddedBrokers: 1, timeoutMs: 1_000))
        _ = try t.output(of: "topic create exported --partitions 2")
        _ = try t.output(of: "produce --topic exported --partition 0 --count 30 m{i}")
        _ = try t.output(of: "consume exported --group exporter-g --count 10")
        let run = BackgroundRun(t, "lag export --group exporter-g --listen 127.0.0.1:0 --interval 200ms --for 60s")
        defer {
            run.cancel()
            _ = run.wait(timeout: 10)
        }
        var url: String?
        #expect(
            BackgroundRun.await(10) {
                url =
                    t.buffer.stdout.split(separator: "\n").lazy.compactMap { line in
                        line.range(of: "http://127.0.0.1:").map {
                            String(line[$0.lowerBound...].split(separator: " ")[0])
                        }
                    }.first
                return url != nil
            })
        let metrics = try #require(url)
        let lagLine = #"kafka_consumergroup_lag{group="exporter-g",topic="exported",partition="0"} 20"#
        var first = try httpGet(metrics)
        #expect(
            BackgroundRun.await(5) {
                first = (try? httpGet(metrics)) ?? first; return first.body.contains(lagLine)
            })
        #expect(first.status == 200)
        #expect(first.body.contains("kafkalab_lag_export_errors_total 0"))
        #expect(try httpGet(metrics.replacingOccurrences(of: "/metrics", with: "/other")).status == 404)
        if PrometheusParser.available {
            let parsed = PrometheusParser.families(first.body)
            #expect(parsed.status == 0, "\(parsed.output)")
            #expect(parsed.output.contains("kafka_consumergroup_lag gauge 2"))
        }

        try t.embedded.stopBroker(1)
        defer { try? t.embedded.startBroker(1) }
        // Every scrape answers at once with the last good lag; the error counter grows.
        var sawErrors = false
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline && !sawErrors {
            let scrape = try httpGet(metrics)
            #expect(scrape.seconds < 1, "a scrape took \(scrape.seconds) s while the broker was down")
            #expect(scrape.body.contains(lagLine))
            sawErrors = !scrape.body.contains("kafkalab_lag_export_errors_total 0")
            if sawErrors { #expect(scrape.body.contains("kafkalab_lag_export_up 0")) }
            usleep(200_000)
        }
        #expect(sawErrors, "no collection failed while the only broker was stopped")
    }

    @Test func refusesWithoutGroupsAndAllGroupsOnTheEmbeddedCluster() throws {
        let t = try TestSession(brokers: 1)
        #expect(try t.failure(of: "lag export").contains("--group G"))
        #expect(try t.failure(of: "lag export --all-groups --listen 127.0.0.1:0").contains("ListGroups"))
        #expect(try t.failure(of: "lag export --group g --listen nowhere").contains("HOST:PORT"))
    }
}
