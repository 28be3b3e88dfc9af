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

        var table = TextTable(
            headers: ["PARTITION", "LEADER", "REPLICAS", "ISR", "OFFLINE", "LOW", "HIGH", "STATE"],
            alignments: [.right, .right, .left, .left, .left, .right, .right, .left])
        var rows: [JSONValue] = []
        var troubled = 0
        var notModelledRows = 0
        var silent = LeaderProbe(brokers: metadata.brokers).unreachable(snapshot.partitions.map(\.leader))
        // All answering leaders' partitions at once (two ListOffsets round trips each), not one
        // round trip per partition; a partition the batch missed is asked alone as before.
        let answering = snapshot.partitions.filter {
            $0.hasLeader && snapshot.brokers.contains($0.leader) && !silent.contains($0.leader)
        }
        let batch =
            answering.isEmpty ? nil : try? c.client.watermarks(topic: name, partitions: answering.map(\.partition))
        var digestRows: [PartitionDigest.Row] = []
        for p in snapshot.partitions {
            let marks = stateMarks(p, minIsr: minIsr.value)
            if !marks.isEmpty { troubled += 1 }
            if onlyTroubled && marks.isEmpty { continue }
            // Asking a stopped (or absent) leader would only wait for the time-out.
            let leaderAnswers = p.hasLeader && snapshot.brokers.contains(p.leader) && !silent.contains(p.leader)
            // The mock keeps a stopped broker in the ISR; Kafka would not, so this row's ISR is not modelled (never `ok`).
            let isrNotModelled = !c.can(.replication) && !Set(p.offlineReplicas).isDisjoint(with: p.isr)
            if isrNotModelled { notModelledRows += 1 }
            let shown = isrNotModelled ? marks + ["not modelled"] : (marks.isEmpty ? ["ok"] : marks)
            let w =
                leaderAnswers
                ? batch?[p.partition]
                    ?? (try? c.client.watermarks(topic: name, partition: p.partition, timeoutMs: 3_000))
                : nil
            if leaderAnswers && w == nil { silent.insert(p.leader) }
            digestRows.append(
                PartitionDigest.Row(
                    leader: p.hasLeader ? p.leader : -1, replicas: p.replicas.count, isr: p.isr.count, low: w?.low,
                    high: w?.high))
            table.append([
                "\(p.partition)", p.hasLeader ? "\(p.leader)" : "none", ids(p.replicas), ids(p.isr),
                p.offlineReplicas.isEmpty ? "-" : ids(p.offlineReplicas),
                w.map { "\($0.low)" } ?? "?", w.map { "\($0.high)" } ?? "?", shown.joined(separator: ","),
            ])
            rows.append(
                .object([
                    ("partition", .integer(p.partition)), ("leader", p.hasLeader ? .integer(p.leader) : .null),
                    ("replicas", .ints(p.replicas)), ("isr", .ints(p.isr)),
                    ("offline_replicas", .ints(p.offlineReplicas)),
                    ("low_watermark", .optional(w?.low)), ("high_watermark", .optional(w?.high)),
                    ("leader_epoch", .null),
                    ("state", .strings(shown)),
                ]))
        }

        let rf = snapshot.partitions.map(\.replicas.count).max() ?? 0
        ctx.output.line(
            "Topic: \(name)  partitions \(snapshot.partitions.count)  replication factor \(rf)  min.insync.replicas \(minIsr.text)"
        )
        if snapshot.partitions.count > PartitionDigest.threshold {
            ctx.output.line(
                PartitionDigest.line(digestRows)
                    + "; offline, under-replicated or at min ISR: \(TextTable.grouped(troubled))")
        }
        if onlyTroubled && rows.isEmpty {
            ctx.output.line("no partition of \(name) is offline, under-replicated or at min ISR")
        } else {
            ctx.output.longTable(table, all: args.has("--all"), noun: "partitions")
        }
        if notModelledRows > 0 {
            ctx.output.line(
                "not modelled: the ISR still lists a stopped broker because the mock runs no replication; Kafka drops it at once (controlled shutdown) or when the controller fences it (broker.session.timeout.ms); `sim` models that step by step (`sim scenario leader-failover`)"
            )
        }
        let epoch = leaderEpochNote()
        ctx.output.hint(epoch)
        if !c.can(.replication) {
            ctx.output.hint(
                "embedded: the ISR always equals the replica list (the mock runs no replication); compare on the compose cluster"
            )
        }
        ctx.output.setResult(
            .object([
                ("topic", .string(name)), ("replication_factor", .integer(rf)),
                ("min_insync_replicas", .optional(minIsr.value)), ("min_insync_replicas_source", .string(minIsr.text)),
                ("under_replicated_or_at_min_isr", .integer(troubled)),
                ("leader_epoch_note", .string(epoch)), ("partitions", .array(rows)),
            ]))
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
        let stamp = date.map(clockTime)
        if out.isJSON {
            var pairs: [(String, JSONValue)] = [
                ("time", .optional(stamp)),
                ("elapsed_ms", since == nil ? .integer(Int64((elapsed * 1000).rounded())) : .null),
                (
                    "since_previous_look",
                    since.map {
                        .object([
                            ("reason", .string($0.reason)),
                            ("ago_ms", .integer(Int64(($0.secondsAgo * 1000).rounded()))),
                        ])
                    } ?? .null
                ),
                ("kind", .string(event.kind)), ("topic", .optional(event.topic)),
                ("partition", .optional(event.partition)), ("broker_id", .optional(event.broker)),
            ]
            switch event {
            case let .isrShrink(_, _, left, isr): pairs += [("left", .ints(left)), ("isr", .ints(isr))]
            case let .isrExpand(_, _, joined, isr): pairs += [("joined", .ints(joined)), ("isr", .ints(isr))]
            case let .leaderChange(_, _, from, to): pairs += [("from", .integer(from)), ("to", .integer(to))]
            case let .partitionOffline(_, _, last): pairs += [("last_leader", .integer(last))]
            case let .partitionOnline(_, _, leader): pairs += [("leader", .integer(leader))]
            case let .replicasChanged(_, _, from, to): pairs += [("from", .ints(from)), ("to", .ints(to))]
            case let .partitionAppeared(_, _, leader, replicas):
                pairs += [("leader", .integer(leader)), ("replicas", .ints(replicas))]
            case .brokerGone, .brokerBack, .partitionRemoved: break
            }
            pairs.append(("text", .string(text)))
            out.stream(.object(pairs))
        } else {
            out.line((stamp.map(out.dim) ?? "  ") + "  " + text)
        }
    }

    static func clockTime(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "HH:mm:ss.SSS"
        return f.string(from: date)
    }

    static func printSummary(_ s: ReplicationWatchSummary, interrupted: Bool, _ out: Output) {
        let counts = s.orderedEventCounts
        let why = interrupted ? "interrupted" : "time up"
        out.line(
            String(format: "watched %.1f s (%d polls, %@): ", s.watchedSeconds, s.snapshotsRecorded, why)
                + (counts.isEmpty
                    ? "no events"
                    : "\(s.totalEvents) event(s): " + counts.map { "\($0.kind) \($0.count)" }.joined(separator: ", ")))
        let under = s.underReplicated
        if under.isEmpty {
            out.line("no partition was under-replicated")
        } else {
            var table = TextTable(
                headers: ["PARTITION", "LONGEST UNDER-REPLICATED", "PERIODS", "AT END"],
                alignments: [.left, .right, .right, .left])
            for u in under {
                table.append([
                    "\(u.topic)/\(u.partition)", String(format: "%.1f s", u.longestSeconds), "\(u.periods)",
                    u.stillUnderReplicated ? "still under-replicated" : "in sync",
                ])
            }
            out.table(table)
        }
        out.setResult(
            .object([
                ("summary", true), ("stopped", .string(why)),
                ("watched_ms", .integer(Int64((s.watchedSeconds * 1000).rounded()))),
                ("polls", .integer(s.snapshotsRecorded)),
                (
                    "events",
                    .array(counts.map { .object([("kind", .string($0.kind)), ("count", .integer($0.count))]) })
                ),
                (
                    "under_replicated",
                    .array(
                        under.map {
                            .object([
                                ("topic", .string($0.topic)), ("partition", .integer($0.partition)),
                                ("longest_ms", .integer(Int64(($0.longestSeconds * 1000).rounded()))),
                                ("periods", .integer($0.periods)),
                                ("still_under_replicated", .bool($0.stillUnderReplicated)),
                            ])
                        })
                ),
            ]))
    }
}
