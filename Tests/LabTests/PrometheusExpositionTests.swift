import Foundation
import TestSupport
import Testing

@testable import Lab

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
