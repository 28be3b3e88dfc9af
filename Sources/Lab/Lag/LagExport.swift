import Foundation
import Kafka
import Synchronization

/// `lag export`: consumer lag for Prometheus, served on `/metrics` until Ctrl-C.
extension LagCommands {
    static let export = Command(
        "export", summary: "serve consumer lag on http://HOST:PORT/metrics for Prometheus until Ctrl-C",
        usage:
            "lag export [--group G]... [--all-groups] [--listen 127.0.0.1:9308] [--interval 15s] [--for D] [--window 10]",
        flags: ["--all-groups"], options: ["--group", "--listen", "--interval", "--for", "--window"],
        details: """
            Every --interval it reads each group's committed offsets and the log-end offsets of the topics the group \
            committed on (as `lag` does), keeps the samples as `lag watch` does, and publishes Prometheus' text format: \
            per partition kafka_consumergroup_lag, kafka_consumergroup_committed_offset, \
            kafka_topic_partition_log_end_offset, kafka_consumergroup_lag_trend (messages per second the lag grows) and \
            kafka_consumergroup_partition_status (Burrow's); per group kafka_consumergroup_status and \
            kafka_consumergroup_total_lag; and the exporter's own collection duration, error counter, last success and \
            up. A scrape is answered at once from the last collection, so while a broker is down it gets the last good \
            values and a growing error counter, never a hang. Binds 127.0.0.1 unless --listen names another address. \
            --all-groups lists the groups each time (ListGroups: not on the embedded cluster). In a script it stops \
            after --for (default: the script wait limit).
            """
    ) { ctx in try runExport(ctx) }

    static func runExport(_ ctx: CommandContext) throws {
        let args = ctx.arguments
        try args.expectPositionals(atMost: 0)
        let c = try ctx.session.requireConnection()
        let named = args.values("--group")
        let allGroups = args.has("--all-groups")
        guard !named.isEmpty || allGroups else {
            throw ctx.usageError("name the groups to export with --group G (repeatable) or --all-groups")
        }
        if let empty = named.first(where: \.isEmpty) { throw ctx.usageError("the group id is empty: '\(empty)'") }
        let (host, port) = try MetricsHTTPServer.parseListen(args.value("--listen") ?? "127.0.0.1:9308")
        let interval = try args.seconds("--interval", default: 15, minimum: 0.1, maximum: 3_600)
        let defaultFor = ctx.session.isScript ? ctx.session.scriptWaitLimit : 365 * 86_400
        let duration = try args.seconds("--for", default: defaultFor, minimum: interval, maximum: 366 * 86_400)
        let window = try args.int("--window", default: 10, range: 2...1_000)
        let exporter = LagExporter(groups: named, allGroups: allGroups, evaluator: LagEvaluator(windowSize: window))
        if allGroups { _ = try exporter.groupsToCollect(c.client) }  // ListGroups refused: say so now, in one line

        let server = try MetricsHTTPServer(host: host, port: port)
        defer { server.stop() }
        ctx.output.line(
            "serving consumer lag on http://\(server.host):\(server.port)/metrics every \(Arguments.formatDuration(interval)) (Ctrl-C stops)"
                + (server.host == "0.0.0.0" ? "; listening on every interface" : ""))
        // Collections run on a thread of their own: one can wait its request
        // time-out on a dead broker, and neither Ctrl-C nor the scrapes wait for it.
        let collector = LagExportCollector(exporter: exporter, client: c.client, server: server, interval: interval)
        defer { collector.stop() }
        let started = Date()
        while !ctx.isCancelled && Date().timeIntervalSince(started) < duration {
            for failure in collector.takeFailures() {
                ctx.output.warning("collection failed (the last good values stay served): \(failure)")
            }
            usleep(20_000)
        }
        let totals = collector.totals
        ctx.output.emit(
            LagExportResult(
                url: "http://\(server.host):\(server.port)/metrics", groups: totals.groups,
                collections: totals.collections, errors: totals.errors,
                scrapes: server.scrapes.load(ordering: .relaxed)))
    }
}

/// What an export run did, when it ends.
struct LagExportResult: CommandResult {
    let url: String
    let groups: [String]
    let collections: Int
    let errors: Int
    let scrapes: Int

    func render(into output: Output) {
        output.line(
            "lag export stopped: \(collections) collection(s), \(errors) failed, \(scrapes) scrape(s) of \(url); groups: \(groups.isEmpty ? "none with commits" : groups.joined(separator: ", "))"
        )
    }
}

/// Runs `LagExporter.collect` every interval on its own thread and publishes
/// each result to the server. The exporter is that thread's alone; what the
/// command's thread reads (failures to print, totals) is behind Mutexes.
///
/// `@unchecked Sendable`: `exporter` is touched only by the collection thread
/// after `init`; everything else is a Mutex, an Atomic or immutable.
final class LagExportCollector: @unchecked Sendable {
    private var exporter: LagExporter
    private let failures = Mutex<[String]>([])
    private let summary = Mutex<(collections: Int, errors: Int, groups: [String])>((0, 0, []))
    private let stopping = Atomic<Bool>(false)

    init(exporter: LagExporter, client: any ClusterClient, server: MetricsHTTPServer, interval: Double) {
        self.exporter = exporter
        let thread = Thread { [self] in
            while !stopping.load(ordering: .acquiring) {
                let began = Date()
                let failure = self.exporter.collect(from: client, at: began.timeIntervalSince1970)
                server.publish(self.exporter.exposition)
                let e = self.exporter
                summary.withLock { $0 = (e.collections, e.health.errorsTotal, e.reports.keys.sorted()) }
                if let failure { failures.withLock { $0.append(failure) } }
                let next = began.addingTimeInterval(interval)
                while !stopping.load(ordering: .acquiring) && Date() < next { usleep(20_000) }
            }
        }
        thread.name = "kafkalab-lag-export"
        thread.start()
    }

    /// Failures since the last call, to print on the command's thread.
    func takeFailures() -> [String] {
        failures.withLock { f in
            defer { f = [] }
            return f
        }
    }

    var totals: (collections: Int, errors: Int, groups: [String]) { summary.withLock { $0 } }

    /// Asks the thread to end after its current collection; does not wait for it.
    func stop() { stopping.store(true, ordering: .releasing) }
}

/// The exporter's state: a lag history per group (as `lag watch` keeps one), the
/// reports of the last good collection, and its own health.
struct LagExporter {
    let groups: [String]
    let allGroups: Bool
    let evaluator: LagEvaluator
    private(set) var histories: [String: LagHistory] = [:]
    /// The report of each group as of its last good collection.
    private(set) var reports: [String: LagWatchReport] = [:]
    private(set) var health = LagExporterHealth()
    private(set) var collections = 0
    private var firstTime: Double?

    init(groups: [String], allGroups: Bool, evaluator: LagEvaluator) {
        self.groups = groups
        self.allGroups = allGroups
        self.evaluator = evaluator
    }

    func groupsToCollect(_ client: any ClusterClient) throws -> [String] {
        guard allGroups else { return groups }
        do {
            let listed = try client.listGroups().groups.map(\.id)
            return Array(Set(groups + listed)).sorted()
        } catch let e as KafkaError {
            throw LabError.unsupported(
                "--all-groups needs ListGroups, which this cluster refuses (\(e.name)); name the groups with --group")
        }
    }

    /// One collection: every group's offsets now. On failure nothing of it is kept
    /// (the reports stay the last good ones) and the failure is returned.
    mutating func collect(from client: any ClusterClient, at now: Double) -> String? {
        let began = Date()
        collections += 1
        defer { health.collectionSeconds = Date().timeIntervalSince(began) }
        do {
            let names = try groupsToCollect(client)
            let topics = try client.metadata().topics.filter { !$0.name.hasPrefix("__") }
            let all = topics.flatMap { t in t.partitions.map { TopicPartition(topic: t.name, partition: $0.id) } }
            var gathered: [String: [PartitionOffsets]] = [:]
            for group in names where !all.isEmpty {
                let committed = try client.committedOffsets(group: group, partitions: all)
                let topicsCommitted = Set(committed.filter { $0.offset >= 0 && $0.errorCode == 0 }.map(\.topic))
                let partitions = all.filter { topicsCommitted.contains($0.topic) }
                gathered[group] = try LagTarget.offsets(group: group, partitions: partitions, client: client)
            }
            let time = now - (firstTime ?? now)
            if firstTime == nil { firstTime = now }
            // A group with no commit on any topic has nothing to say yet: no series.
            for (group, offsets) in gathered where !offsets.isEmpty {
                histories[group, default: LagHistory()].record(offsets, at: time)
                reports[group] = histories[group]!.report(evaluator: evaluator)
            }
            health.up = true
            health.lastSuccess = now
            return nil
        } catch {
            health.up = false
            health.errorsTotal += 1
            return errorLine(error)
        }
    }

    var exposition: String { PrometheusExposition.render(reports, health: health) }
}
