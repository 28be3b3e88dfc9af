import Foundation
import Kafka

/// What `ReplicationCommands.swift`'s commands run: one function per command, so that the
/// declarations stay a list of names, options and help.
extension ReplicationCommands {
    static func runIsr(_ ctx: CommandContext) throws {
        let args = ctx.arguments
        try args.expectPositionals(atMost: 1)
        let name = try ctx.session.topic(args.optionalPositional(0), usage: ctx.command.usage)
        let c = try ctx.session.requireConnection()
        let metadata = try c.client.metadata()
        guard metadata.topic(name) != nil else {
            _ = try ctx.session.requireTopic(name)  // throws the one-line "unknown topic" with suggestions
            return
        }
        let stopped = c.control.stoppedBrokers
        let snapshot = ReplicationSnapshot(metadata: metadata, scope: .topic(name), stoppedBrokers: stopped, time: 0)
        let minIsr = minInsyncReplicas(of: name, on: c)
        let onlyTroubled = args.has("--under-replicated")

        var rows: [IsrResult.Partition] = []
        var troubled = 0
        var silent = LeaderProbe(brokers: metadata.brokers).unreachable(snapshot.partitions.map(\.leader))
        // All answering leaders' partitions at once (two ListOffsets round trips each), not one
        // round trip per partition; a partition the batch missed is asked alone as before.
        let answering = snapshot.partitions.filter {
            $0.hasLeader && snapshot.brokers.contains($0.leader) && !silent.contains($0.leader)
        }
        let batch =
            answering.isEmpty ? nil : try? c.client.watermarks(topic: name, partitions: answering.map(\.partition))
        for p in snapshot.partitions {
            let marks = stateMarks(p, minIsr: minIsr.value)
            if !marks.isEmpty { troubled += 1 }
            if onlyTroubled && marks.isEmpty { continue }
            // Asking a stopped (or absent) leader would only wait for the time-out.
            let leaderAnswers = p.hasLeader && snapshot.brokers.contains(p.leader) && !silent.contains(p.leader)
            // The mock keeps a stopped broker in the ISR; Kafka would not, so this row's ISR is not modelled (never `ok`).
            let isrNotModelled = !c.can(.replication) && !Set(p.offlineReplicas).isDisjoint(with: p.isr)
            let shown = isrNotModelled ? marks + ["not modelled"] : (marks.isEmpty ? ["ok"] : marks)
            let w =
                leaderAnswers
                ? batch?[p.partition]
                    ?? (try? c.client.watermarks(topic: name, partition: p.partition, timeoutMs: 3_000))
                : nil
            if leaderAnswers && w == nil { silent.insert(p.leader) }
            rows.append(
                IsrResult.Partition(
                    partition: p.partition, leader: p.hasLeader ? p.leader : nil, replicas: p.replicas, isr: p.isr,
                    offlineReplicas: p.offlineReplicas, lowWatermark: w?.low, highWatermark: w?.high, leaderEpoch: nil,
                    state: shown))
        }

        let rf = snapshot.partitions.map(\.replicas.count).max() ?? 0
        let epoch = leaderEpochNote()
        ctx.output.emit(
            IsrResult(
                topic: name, replicationFactor: rf, minInsyncReplicas: minIsr.value,
                minInsyncReplicasSource: minIsr.text, underReplicatedOrAtMinIsr: troubled, leaderEpochNote: epoch,
                partitions: rows, partitionCount: snapshot.partitions.count, onlyTroubled: onlyTroubled,
                showAll: args.has("--all")))
        ctx.output.hint(epoch)
        if !c.can(.replication) {
            ctx.output.hint(
                "embedded: the ISR always equals the replica list (the mock runs no replication); compare on the compose cluster"
            )
        }
    }

    static func runWatch(_ ctx: CommandContext) throws {
        let args = ctx.arguments
        try args.expectPositionals(atMost: 1)
        let interval = try args.seconds("--interval", default: 1, minimum: 0.1, maximum: 3_600)
        var duration: Double? = args.value("--for") == nil ? nil : try args.seconds("--for", default: 0, minimum: 0.1)
        if duration == nil && ctx.session.isScript {
            // Nobody can press Ctrl-C in a script: it must end by itself.
            duration = ctx.session.scriptWaitLimit
            ctx.output.hint(
                "in a script isr watch stops after \(Arguments.formatDuration(ctx.session.scriptWaitLimit)) (--for sets it)"
            )
        }
        let scope: ReplicationScope
        if args.has("--all") {
            if let topic = args.optionalPositional(0) {
                throw ctx.usageError("give a topic or --all, not both ('\(topic)')")
            }
            scope = .allTopics
        } else {
            let name = try ctx.session.topic(args.optionalPositional(0), usage: ctx.command.usage)
            _ = try ctx.session.requireTopic(name)
            scope = .topic(name)
        }
        let c = try ctx.session.requireConnection()
        let out = ctx.output
        let watcher = try IsrWatcher(connection: c, scope: scope)
        let what: String =
            switch scope {
            case .topic(let name): name
            default: "all topics"
            }
        let first = watcher.latest
        out.line(
            "watching \(what): \(first.partitions.count) partitions, brokers \(ids(first.brokers.sorted())) up; every \(Arguments.formatDuration(interval))"
                + (duration.map { " for \(Arguments.formatDuration($0))" } ?? "") + "; Ctrl-C stops")
        if c.control.isMock {
            out.hint(
                "embedded: the ISR never changes here, and only this session can stop brokers; a watch first reports what changed since the previous watch or `broker` command"
            )
        }
        let state = ReplicationLabState.of(ctx.session)
        if let (baseline, taken, reason) = state.baseline(for: scope) {
            let changes = replicationEvents(from: baseline, to: first)
            if !changes.isEmpty {
                let age = Date().timeIntervalSince(taken)
                out.line(String(format: "since %@ (%.0f s ago):", reason, age))
                for event in changes {
                    report(event, at: nil, elapsed: 0, since: (reason, age), embedded: c.control.isMock, out)
                }
            }
        }

        var failure: String?
        var nextPoll = interval
        while !ctx.isCancelled {
            let now = watcher.elapsed
            if let duration, now >= duration { break }
            if now >= nextPoll {
                nextPoll = max(nextPoll + interval, now)
                do {
                    let events = try watcher.poll()
                    failure = nil
                    for event in events {
                        report(event, at: Date(), elapsed: watcher.elapsed, embedded: c.control.isMock, out)
                    }
                } catch {
                    let message = describeError(error)
                    if failure != message { out.warning("metadata poll failed (\(message)); still polling") }
                    failure = message
                }
            }
            let s = watcher.summary
            let under = watcher.latest.partitions.filter(\.isUnderReplicated).count
            out.progress(
                String(
                    format: "%.1f s  brokers %@ up  %d partitions  %d under-replicated  %d event(s)  (Ctrl-C stops)",
                    watcher.elapsed, ids(watcher.latest.brokers.sorted()), watcher.latest.partitions.count,
                    under, s.totalEvents))
            let remaining = duration.map { $0 - watcher.elapsed } ?? 0.1
            watcher.clock.sleep(max(0.005, min(0.1, nextPoll - watcher.elapsed, remaining)))
        }
        watcher.finish()
        // Whole-cluster state, so that a later watch of any scope can compare with it.
        if let everything = try? IsrWatcher.snapshot(of: c, scope: .allTopicsAndInternal, timeoutMs: 1_500, time: 0) {
            state.watchEnded(with: everything)
        }
        printSummary(watcher.summary, interrupted: ctx.isCancelled, out)
    }

    // MARK: shared by isr, isr watch and broker

    /// The STATE column's marks, most urgent first; empty for a healthy partition.
    static func stateMarks(_ p: PartitionState, minIsr: Int?) -> [String] {
        var marks: [String] = []
        if !p.hasLeader { marks.append("offline") }
        if p.isUnderReplicated { marks.append("under-replicated") }
        if let minIsr {
            if p.isUnderMinIsr(minIsr: minIsr) {
                marks.append("under-min-ISR")
            } else if p.isAtMinIsr(minIsr: minIsr) {
                marks.append("at-min-ISR")
            }
        }
        return marks
    }

    /// The topic's min.insync.replicas when the cluster can say, and how it was found.
    static func minInsyncReplicas(of topic: String, on c: ClusterConnection) -> (value: Int?, text: String) {
        if !c.can(.topicConfigs) { return (nil, "unknown (embedded: no topic configs, no min.insync.replicas)") }
        do {
            let entries = try c.client.describeTopicConfig(topic)
            guard let entry = entries.first(where: { $0.name == "min.insync.replicas" }),
                let value = entry.value.flatMap(Int.init)
            else {
                return (nil, "unknown (not in the topic's configs)")
            }
            return (value, "\(value) (\(entry.source.lowercased()))")
        } catch {
            return (nil, "unknown (DescribeConfigs failed: \(describeError(error)))")
        }
    }

    /// What kafkalab can truthfully say about leader epochs with the linked library.
    static func leaderEpochNote() -> String {
        let version = ConfigCatalog.libraryVersionNumber
        // librdkafka 2.1.0 (0x020100ff) began reporting leader epochs, with fetched
        // messages and offsets only; its metadata API still has none.
        if version < 0x0201_0000 {
            return
                "leader epoch: not shown; librdkafka \(ConfigCatalog.libraryVersion) does not expose it (`explain leader-epoch`)"
        }
        return
            "leader epoch: not shown; kafkalab reads partitions through librdkafka's metadata API, which has no leader epoch (librdkafka \(ConfigCatalog.libraryVersion); `explain leader-epoch`)"
    }

    static func ids(_ list: [Int32]) -> String {
        list.isEmpty ? "-" : list.map(String.init).joined(separator: ",")
    }

    // MARK: rendering isr watch

    /// One event line. `since` marks a change found between the previous look and this
    /// watch: its exact time is unknown, so it gets no timestamp.
    static func report(
        _ event: ReplicationEvent, at date: Date?, elapsed: Double,
        since: (reason: String, secondsAgo: Double)? = nil, embedded: Bool, _ out: Output
    ) {
        var text = event.description
        // The mock keeps a stopped broker in metadata; say what kafkalab actually saw.
        switch event {
        case .brokerGone(let id) where embedded:
            text = "broker \(id) gone (stopped; the mock still lists it in metadata)"
        case .brokerBack(let id) where embedded: text = "broker \(id) back (started again)"
        default: break
        }
        out.emitStreamed(
            IsrWatchEventResult(
                time: date.map(clockTime), elapsedMs: since == nil ? Int64((elapsed * 1000).rounded()) : nil,
                sincePreviousLook: since.map {
                    .init(reason: $0.reason, agoMs: Int64(($0.secondsAgo * 1000).rounded()))
                }, event: event, text: text))
    }

    static func clockTime(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "HH:mm:ss.SSS"
        return f.string(from: date)
    }

    static func printSummary(_ s: ReplicationWatchSummary, interrupted: Bool, _ out: Output) {
        out.emit(IsrWatchSummaryResult(s, interrupted: interrupted))
    }
}
