import Foundation

/// How the lag exporter itself is doing, for its own metrics.
struct LagExporterHealth: Sendable, Equatable {
    /// Seconds the last collection took (successful or not); nil before the first.
    var collectionSeconds: Double?
    /// Collections that failed since the exporter started.
    var errorsTotal = 0
    /// Unix time of the last collection that succeeded; nil before the first.
    var lastSuccess: Double?
    /// Whether the last collection succeeded.
    var up = false
}

/// Renders consumer lag in Prometheus' text exposition format (version 0.0.4):
/// one `# HELP` and `# TYPE` line per metric family, then its samples, labels
/// escaped as the format requires. Pure: the same reports give the same text.
enum PrometheusExposition {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// `reports` by group; each partition's log end appears once however many groups read it.
    static func render(_ reports: [String: LagWatchReport], health: LagExporterHealth) -> String {
        var out = ""
        func family(
            _ name: String, _ type: String, _ help: String, _ samples: [(labels: [(String, String)], value: String)]
        ) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for s in samples {
                let labels =
                    s.labels.isEmpty
                    ? "" : "{" + s.labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "}"
                out += "\(name)\(labels) \(s.value)\n"
            }
        }
        let groups = reports.keys.sorted()
        func perPartition(
            _ value: (LagWatchReport.Partition) -> String?
        ) -> [(labels: [(String, String)], value: String)] {
            groups.flatMap { g in
                reports[g]!.partitions.compactMap { p in
                    value(p).map { ([("group", g), ("topic", p.topic), ("partition", String(p.partition))], $0) }
                }
            }
        }
        family(
            "kafka_consumergroup_lag", "gauge",
            "Messages the group has still to read: log-end offset minus committed offset (the whole retained log where the group committed nothing).",
            perPartition { String($0.lag) })
        family(
            "kafka_consumergroup_committed_offset", "gauge",
            "The group's committed offset (absent where it committed nothing).",
            perPartition { $0.committed.map(String.init) })
        var logEnds: [String: (topic: String, partition: Int32, end: Int64)] = [:]
        for g in groups {
            for p in reports[g]!.partitions { logEnds["\(p.topic)/\(p.partition)"] = (p.topic, p.partition, p.logEnd) }
        }
        family(
            "kafka_topic_partition_log_end_offset", "gauge", "The partition's log-end offset (high watermark).",
            logEnds.values.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }.map {
                ([("topic", $0.topic), ("partition", String($0.partition))], String($0.end))
            })
        family(
            "kafka_consumergroup_lag_trend", "gauge",
            "How fast the lag changes, in messages per second over the status window: production rate minus consumption rate (positive: growing). Absent until two samples with commits exist.",
            perPartition { p in
                guard let produced = p.trend.productionRate, let consumed = p.trend.consumptionRate else { return nil }
                return number(produced - consumed)
            })
        family(
            "kafka_consumergroup_partition_status", "gauge",
            "Burrow's status of the partition (1 for the current one): OK, WARN, STALL, STOP or REWIND.",
            groups.flatMap { g in
                reports[g]!.partitions.flatMap { p in
                    PartitionLagStatus.allCases.map { s in
                        (
                            [
                                ("group", g), ("topic", p.topic), ("partition", String(p.partition)),
                                ("status", s.rawValue),
                            ],
                            p.evaluation.status == s ? "1" : "0"
                        )
                    }
                }
            })
        family(
            "kafka_consumergroup_status", "gauge",
            "Burrow's status of the group (1 for the current one): its worst partition, errors as ERR.",
            groups.flatMap { g in
                GroupLagStatus.allCases.map { s in
                    ([("group", g), ("status", s.rawValue)], reports[g]!.groupStatus == s ? "1" : "0")
                }
            })
        family(
            "kafka_consumergroup_total_lag", "gauge", "The group's lag summed over its partitions.",
            groups.map { g in ([("group", g)], String(reports[g]!.totalLag)) })
        family(
            "kafkalab_lag_export_collection_duration_seconds", "gauge",
            "Seconds the last collection of offsets from the cluster took (a scrape only reads what it left).",
            health.collectionSeconds.map { [([], number($0))] } ?? [])
        family(
            "kafkalab_lag_export_errors_total", "counter",
            "Collections that failed (the metrics above then keep their last good values).",
            [([], String(health.errorsTotal))])
        family(
            "kafkalab_lag_export_last_success_timestamp_seconds", "gauge",
            "Unix time of the last collection that succeeded.",
            health.lastSuccess.map { [([], number($0))] } ?? [])
        family(
            "kafkalab_lag_export_up", "gauge", "1 when the last collection succeeded, else 0.",
            [([], health.up ? "1" : "0")])
        return out
    }

    /// A label value as the format requires: backslash, double quote and line feed escaped.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    /// A sample value: finite numbers as Go's ParseFloat reads them, the rest as the format spells them.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
