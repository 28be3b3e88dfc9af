import Foundation
import Kafka

/// `lag`, `lag watch`, `lag demo` and `groups`: consumer lag per partition, live, with
/// Burrow's verdict (curriculum phase 6).
enum LagCommands {
    static var all: [Command] { [lag, groups] }

    static let lag = Command(
        "lag", summary: "consumer group lag per partition: committed, log end, lag, owner; totals",
        usage: "lag <group> [--topic T] [--lagging] | lag watch <group> ... | lag demo | lag export --group G ...",
        flags: ["--lagging"], options: ["--topic"],
        details: """
            Committed offsets come from the group coordinator (OffsetFetch), log-end offsets from the partition leaders \
            (high watermarks); lag = log end - committed. A partition the group never committed on shows the whole retained \
            log as lag, marked "no commits". Without --topic the topics are those the group has committed on (every topic's \
            partitions are checked) plus, on real Kafka, those assigned to its members; if there are none, the session's \
            topic. Member, host and client id come from DescribeGroups, which the embedded cluster lacks: there they show \
            "-", and a group with no commits cannot be told from a missing one unless a consumer of this session joined it.
            """,
        completes: .nothing,
        subcommands: [watch, demo, export]
    ) { ctx in try runLag(ctx) }

    static func printLagTable(_ table: LagTable, full: LagTable, target: LagTarget, lagging: Bool, ctx: CommandContext)
    {
        let out = ctx.output
        let group = target.group
        out.hint("group \(group): \(target.topicsExplanation)")
        if table.rows.isEmpty {
            out.line("no partition of group \(group) lags (\(full.rows.count) partition(s) checked, total lag 0)")
        } else {
            var t = TextTable(
                headers: [
                    "GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST",
                    "CLIENT-ID",
                ],
                alignments: [.left, .left, .right, .right, .right, .right, .left, .left, .left])
            for r in table.rows {
                t.append([
                    group, r.topic, "\(r.partition)", LagFormat.committed(r.committed), "\(r.logEnd)", "\(r.lag)",
                    r.owner?.memberId ?? "-", r.owner?.host ?? "-", r.owner?.clientId ?? "-",
                ])
            }
            out.table(t)
            for total in table.topicTotals {
                var line = "\(total.topic): lag \(total.lag) message(s) over \(total.partitions) partition(s)"
                if total.partitionsWithoutCommit > 0 { line += ", \(total.partitionsWithoutCommit) with no commits" }
                out.line(line)
            }
            out.line(
                "group \(group): total lag \(table.totalLag) message(s)"
                    + (lagging ? " on \(table.rows.count) lagging of \(full.rows.count) partition(s)" : ""))
        }
        if !full.hasAnyCommit {
            out.warning(
                "group \(group) has committed nothing on these partitions (\(target.presenceEvidence ?? "it exists")): lag is the whole retained log"
            )
        }
        if target.description == .unsupported {
            out.hint(
                "embedded: no DescribeGroups, so member, host and client id are unknown (\"-\"); the compose cluster shows them"
            )
        }
        out.setResult(
            .object([
                ("group", .string(group)),
                ("topics", .strings(target.topics)),
                ("topics_from", .string(target.topicsExplanation)),
                ("group_state", .optional(target.description.stateName)),
                ("lagging_only", .bool(lagging)),
                (
                    "partitions",
                    .array(
                        table.rows.map { r in
                            .object([
                                ("topic", .string(r.topic)), ("partition", .integer(r.partition)),
                                ("committed", .optional(r.committed)), ("log_end", .integer(r.logEnd)),
                                ("lag", .integer(r.lag)),
                                ("no_commits", .bool(!r.hasCommit)),
                                ("member_id", .optional(r.owner?.memberId)), ("host", .optional(r.owner?.host)),
                                ("client_id", .optional(r.owner?.clientId)),
                            ])
                        })
                ),
                (
                    "topic_totals",
                    .array(
                        table.topicTotals.map { t in
                            .object([
                                ("topic", .string(t.topic)), ("partitions", .integer(t.partitions)),
                                ("lag", .integer(t.lag)),
                                ("partitions_without_commit", .integer(t.partitionsWithoutCommit)),
                            ])
                        })
                ),
                ("total_lag", .integer(table.totalLag)),
            ]))
    }

    // MARK: lag watch

    static let watch = Command(
        "watch", summary: "live lag per partition with sparkline, rates, time to drain and Burrow status",
        usage: "lag watch <group> [--topic T] [--interval 2s] [--for 60s] [--window 10]",
        options: ["--topic", "--interval", "--for", "--window"],
        details: """
            Samples committed and log-end offsets every --interval (at least 100ms) for --for (default 60s) or until Ctrl-C, \
            then prints a summary. Each partition gets Burrow's status over the last --window samples that carry a commit: \
            OK, WARN (lag never decreased), STALL (offset stuck, lag > 0), STOP (offset unchanged for longer than the window \
            spans), REWIND (offset went backwards); the group is its worst partition, errors shown as ERR. Burrow tells \
            STALL (a live consumer re-committing the same offset) from STOP (no commits) because it reads every commit; \
            polling the committed offset cannot, so here they differ only by how long the offset has been stuck. Rates are offsets \
            per second over the window; drain = lag / (consumption - production), or "growing". At a terminal the table is \
            redrawn in place; piped, one block per sample; --json prints one document per sample and a summary.
            """
    ) { ctx in try runWatch(ctx) }

    // MARK: groups

    static let groups = Command(
        "groups", summary: "consumer groups with state and member count (ListGroups; not on the embedded cluster)",
        usage: "groups",
        details:
            "Lists the cluster's consumer groups (ListGroups) and describes each (DescribeGroups) for its member count. The embedded cluster has neither API: there it says so and lists the groups this session's consumers joined."
    ) { ctx in try runGroups(ctx) }
}

// MARK: - Target resolution and sampling

/// Which partitions `lag` looks at for a group, why, and what the coordinator said.
struct LagTarget {
    let group: String
    let client: any ClusterClient
    let topics: [String]
    let partitions: [TopicPartition]
    /// One sentence: where the topic list came from.
    let topicsExplanation: String
    /// What was searched for commits, for the "unknown group" message.
    let checked: String
    let description: GroupPresence.Description
    let owners: [String: PartitionOwner]
    var presenceEvidence: String?

    static func resolve(group: String, topic: String?, ctx: CommandContext) throws -> LagTarget {
        let session = ctx.session
        let c = try session.requireConnection()
        let client = c.client
        guard !group.isEmpty else { throw ctx.usageError("the group id is empty") }

        var description = GroupPresence.Description.unsupported
        var owners: [String: PartitionOwner] = [:]
        var assignedTopics: [String] = []
        // Not even attempted on the embedded cluster: librdkafka 2.0.2's DescribeConsumerGroups
        // against its mock wedges the admin client (metadata then times out, destroy hangs).
        if !c.isEmbedded {
            do {
                let d = try client.describeGroup(group)
                description = .state(d.state, members: d.members.count)
                for m in d.members {
                    for tp in m.assignment {
                        owners["\(tp.topic)/\(tp.partition)"] = PartitionOwner(
                            memberId: m.memberId, clientId: m.clientId, host: m.host)
                        if !assignedTopics.contains(tp.topic) { assignedTopics.append(tp.topic) }
                    }
                }
            } catch let e as KafkaError where e.code == KafkaErrorCode.unsupportedFeature {
                description = .unsupported
            } catch {
                description = .failed(describeError(error))
            }
        }

        let md = try client.metadata()
        if let topic {
            let info = try session.requireTopic(topic)
            return LagTarget(
                group: group, client: client, topics: [topic],
                partitions: info.partitions.map { TopicPartition(topic: topic, partition: $0.id) },
                topicsExplanation: "topic \(topic) (--topic)",
                checked: "topic \(topic) (\(info.partitions.count) partition(s))",
                description: description, owners: owners)
        }
        // OffsetFetch needs explicit partitions (the embedded cluster answers nothing
        // otherwise), so every partition of every user topic is asked for at once.
        let userTopics = md.topics.filter { !$0.name.hasPrefix("__") }
        let all = userTopics.flatMap { t in t.partitions.map { TopicPartition(topic: t.name, partition: $0.id) } }
        let committed = all.isEmpty ? [] : try client.committedOffsets(group: group, partitions: all)
        var topics = assignedTopics
        for o in committed where o.offset >= 0 && !topics.contains(o.topic) { topics.append(o.topic) }
        let checked = "any of the \(userTopics.count) topic(s) (\(all.count) partitions)"
        var explanation =
            topics.isEmpty
            ? "" : "topics the group has committed on" + (assignedTopics.isEmpty ? "" : " or is assigned")
        if topics.isEmpty, let current = session.currentTopic, md.topic(current) != nil {
            topics = [current]
            explanation =
                "the session's topic \(current): the group has committed on none of the \(userTopics.count) topic(s)"
                + (description == .unsupported
                    ? " and the embedded cluster cannot list a group's topics (no DescribeGroups); use --topic" : "")
        }
        topics.sort()
        let partitions = topics.flatMap { name in
            (md.topic(name)?.partitions ?? []).map { TopicPartition(topic: name, partition: $0.id) }
        }
        return LagTarget(
            group: group, client: client, topics: topics, partitions: partitions,
            topicsExplanation: explanation.isEmpty ? "no topics" : explanation,
            checked: checked, description: description, owners: owners)
    }

    /// Committed offsets and watermarks of the partitions, one sample.
    static func offsets(
        group: String, partitions: [TopicPartition], client: any ClusterClient
    ) throws -> [PartitionOffsets] {
        guard !partitions.isEmpty else { return [] }
        let committed = try client.committedOffsets(group: group, partitions: partitions)
        var byPartition: [TopicPartition: Int64] = [:]
        for o in committed where o.offset >= 0 && o.errorCode == 0 { byPartition[o.topicPartition] = o.offset }
        return try partitions.map { tp in
            let w = try client.watermarks(topic: tp.topic, partition: tp.partition)
            return PartitionOffsets(
                topic: tp.topic, partition: tp.partition, committed: byPartition[tp], logStart: w.low, logEnd: w.high)
        }
    }

    /// Refuses a group nothing vouches for, saying what was checked.
    @discardableResult
    mutating func requirePresence(anyCommit: Bool, session: Session) throws -> GroupPresence {
        let presence = GroupPresence.decide(
            anyCommit: anyCommit, description: description,
            joinedInThisSession: session.lagState.joinedGroups.contains(group))
        switch presence {
        case .hasCommits:
            break
        case .noCommits(let evidence):
            presenceEvidence = evidence
            if partitions.isEmpty {
                throw LabError.invalid(
                    "group '\(group)' exists (\(evidence)) but has committed nothing on \(checked); name a topic with --topic"
                )
            }
        case .unknown:
            let describe: String
            switch description {
            case .unsupported:
                describe =
                    "the embedded cluster cannot list or describe groups (no ListGroups/DescribeGroups), so an idle group without commits looks the same"
            case .state(let state, _): describe = "the coordinator reports it \(state)"
            case .failed(let why): describe = "DescribeGroups failed (\(why))"
            }
            throw LabError.notFound(
                "unknown group '\(group)': no committed offset on \(checked), and \(describe); `consume --group \(group)` creates it"
            )
        }
        return presence
    }
}

extension GroupPresence.Description {
    var stateName: String? {
        if case .state(let s, _) = self { return s }
        return nil
    }
}

// MARK: - The watch loop

struct LagWatchOptions {
    var interval: Double
    var duration: Double
    var window: Int

    init(_ args: Arguments, defaultInterval: Double, defaultDuration: Double, defaultWindow: Int) throws {
        interval = try args.seconds("--interval", default: defaultInterval, minimum: 0.1, maximum: 3_600)
        duration = try args.seconds("--for", default: defaultDuration, minimum: interval, maximum: 86_400)
        window = try args.int("--window", default: defaultWindow, range: 2...1_000)
    }

    init(interval: Double, duration: Double, window: Int) {
        self.interval = interval
        self.duration = duration
        self.window = window
    }
}

/// Samples a group's offsets at a fixed interval and shows each sample: redrawn in place
/// at a terminal, one block per sample when piped, one JSON document per sample in JSON mode.
final class LagWatchLoop {
    let ctx: CommandContext
    let target: LagTarget
    let options: LagWatchOptions
    let evaluator: LagEvaluator
    private(set) var history = LagHistory()
    private(set) var summary = LagWatchSummary()
    /// Lines of the live block last drawn at the terminal, to move the cursor back over.
    private var drawnLines = 0
    /// Called between samples (every ~10 ms when set), for `lag demo`'s producer and consumer.
    var tick: (() throws -> Void)?
    /// The current phase of a demo, shown with each sample.
    var phase: (() -> String?)?
    var onReport: ((LagWatchReport, String?) -> Void)?
    /// Called just before each sample is taken (a demo's fast consumer catches up here).
    var beforeSample: (() throws -> Void)?
    /// Ends the run before `--for` (a demo whose script is over).
    var isFinished: (() -> Bool)?

    init(ctx: CommandContext, target: LagTarget, options: LagWatchOptions) {
        self.ctx = ctx
        self.target = target
        self.options = options
        evaluator = LagEvaluator(windowSize: options.window, minimumSamples: min(3, options.window))
    }

    /// Runs until `--for` elapses or Ctrl-C, then prints the summary.
    func run() {
        let start = Date()
        var nextSample = 0.0
        var lastPhase: String?
        var stopped = "ran for \(Arguments.formatDuration(options.duration))"
        while true {
            let elapsed = Date().timeIntervalSince(start)
            if ctx.isCancelled { stopped = "interrupted (Ctrl-C)"; break }
            if elapsed >= options.duration + 1e-3 { break }
            if isFinished?() == true { stopped = "finished"; break }
            if elapsed >= nextSample {
                let phaseNow = phase?()
                if phaseNow != lastPhase, let phaseNow { announce(phaseNow) }
                lastPhase = phaseNow
                do { try beforeSample?() } catch { ctx.output.warning(describeError(error)) }
                sample(at: Date().timeIntervalSince(start), phase: phaseNow)
                nextSample += options.interval
                // A slow cluster must not make samples pile up.
                if nextSample < elapsed { nextSample = elapsed + options.interval }
            }
            do {
                try tick?()
            } catch {
                ctx.output.warning(describeError(error))
                tick = nil
            }
            let untilNext = max(0, nextSample - Date().timeIntervalSince(start))
            Thread.sleep(forTimeInterval: min(untilNext, tick == nil ? 0.1 : 0.01))
        }
        printSummary(stopped: stopped, seconds: Date().timeIntervalSince(start))
    }

    private func sample(at time: Double, phase: String?) {
        let offsets: [PartitionOffsets]
        do {
            offsets = try LagTarget.offsets(group: target.group, partitions: target.partitions, client: target.client)
        } catch {
            ctx.output.warning("sample at \(LagFormat.duration(time)) skipped: \(describeError(error))")
            return
        }
        history.record(offsets, at: time)
        let report = history.report(evaluator: evaluator)
        summary.record(report)
        onReport?(report, phase)
        show(report, phase: phase)
    }

    private func announce(_ phase: String) {
        let out = ctx.output
        if out.isJSON { return }
        if out.isTerminal && drawnLines > 0 {
            // Keep the phase line in the scrollback, the live table below it.
            out.raw("\u{1B}[\(drawnLines)A\r\u{1B}[J")
            drawnLines = 0
        }
        out.line(out.bold("▶ " + phase))
    }

    private func show(_ report: LagWatchReport, phase: String?) {
        let out = ctx.output
        if out.isJSON {
            out.stream(Self.json(report, group: target.group, phase: phase))
            return
        }
        let block = render(report)
        if out.isTerminal {
            // A wrapped line would make the cursor-up count wrong, so lines are cut to the width.
            let width = max(20, out.terminalColumns)
            let lines = block.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
                line.count < width || line.contains("\u{1B}") ? String(line) : String(line.prefix(width - 2)) + "…"
            }
            if drawnLines > 0 { out.raw("\u{1B}[\(drawnLines)A\r\u{1B}[J") }
            out.raw(lines.joined(separator: "\n") + "\n")
            drawnLines = lines.count
        } else {
            out.line(block)
        }
    }

    func render(_ r: LagWatchReport) -> String {
        let out = ctx.output
        var t = TextTable(
            headers: ["TOPIC", "PARTITION", "LAG", "RECENT LAG", "CONSUMED", "PRODUCED", "DRAIN", "STATUS", "WHY"],
            alignments: [.left, .right, .right, .left, .right, .right, .right, .left, .left])
        for p in r.partitions {
            t.append([
                p.topic, "\(p.partition)", "\(p.lag)" + (p.committed == nil ? " (no commits)" : ""), p.sparkline,
                LagFormat.rate(p.trend.consumptionRate), LagFormat.rate(p.trend.productionRate),
                LagFormat.drain(p.trend), p.evaluation.status.rawValue, p.evaluation.reason,
            ])
        }
        t.append([
            "(group)", "", "\(r.totalLag)", r.groupSparkline, LagFormat.rate(r.groupTrend.consumptionRate),
            LagFormat.rate(r.groupTrend.productionRate), LagFormat.drain(r.groupTrend), r.groupStatus.rawValue, "",
        ])
        let header =
            "group \(target.group)  t=\(LagFormat.duration(r.time))  sample \(r.samples)  status \(colour(r.groupStatus.rawValue))  lag \(r.totalLag)"
        return out.bold(header) + "\n" + t.render(bold: out.isTerminal)
    }

    private func colour(_ status: String) -> String {
        let out = ctx.output
        switch status {
        case "OK": return out.green(status)
        case "WARN": return out.yellow(status)
        default: return out.red(status)
        }
    }

    static func json(_ r: LagWatchReport, group: String, phase: String?) -> JSONValue {
        func trend(_ t: LagTrend) -> [(String, JSONValue)] {
            [
                ("consumption_per_sec", .optional(t.consumptionRate)),
                ("production_per_sec", .optional(t.productionRate)),
                ("time_to_drain_ms", .optional(t.secondsToDrain.map { $0 * 1000 })),
                ("drain", .string(LagFormat.drainKeyword(t))),
            ]
        }
        var pairs: [(String, JSONValue)] = [
            ("group", .string(group)), ("elapsed_ms", .double(r.time * 1000)), ("sample", .integer(r.samples)),
            ("status", .string(r.groupStatus.rawValue)), ("total_lag", .integer(r.totalLag)),
        ]
        pairs += trend(r.groupTrend)
        if let phase { pairs.append(("phase", .string(phase))) }
        pairs.append(
            (
                "partitions",
                .array(
                    r.partitions.map { p in
                        .object(
                            [
                                ("topic", .string(p.topic)), ("partition", .integer(p.partition)),
                                ("committed", .optional(p.committed)), ("log_end", .integer(p.logEnd)),
                                ("lag", .integer(p.lag)),
                                ("status", .string(p.evaluation.status.rawValue)),
                                ("reason", .string(p.evaluation.reason)),
                            ]
                                + trend(p.trend))
                    })
            ))
        return .object(pairs)
    }

    private func printSummary(stopped: String, seconds: Double) {
        let out = ctx.output
        if out.isTerminal && drawnLines > 0 { drawnLines = 0 }
        let final = summary.last
        out.line(
            "watched group \(target.group) for \(LagFormat.duration(seconds)), \(summary.samples) sample(s), \(stopped)"
        )
        if let final {
            out.line(
                "group status per sample: \(summary.groupStatusLine); max total lag \(summary.maxTotalLag); now \(final.groupStatus.rawValue) with lag \(final.totalLag)"
            )
            for p in final.partitions {
                let key = LagHistory.Key(topic: p.topic, partition: p.partition)
                let seen = (summary.partitionStatusesSeen[key] ?? []).map(\.rawValue).joined(separator: " → ")
                out.line(
                    "  \(p.topic)/\(p.partition): \(seen); now \(p.evaluation.status.rawValue) (\(p.evaluation.reason)), lag \(p.lag)"
                )
            }
        }
        out.setResult(
            .object([
                ("group", .string(target.group)), ("summary", true), ("duration_ms", .double(seconds * 1000)),
                ("samples", .integer(summary.samples)),
                ("stopped", .string(stopped)),
                (
                    "group_status_counts",
                    .object(
                        GroupLagStatus.allCases.map {
                            ($0.rawValue.lowercased(), .integer(summary.groupStatusCounts[$0] ?? 0))
                        })
                ),
                ("max_total_lag", .integer(summary.maxTotalLag)),
                ("final_status", .optional(final?.groupStatus.rawValue)),
                ("final_total_lag", .optional(final?.totalLag)),
                (
                    "partitions",
                    .array(
                        (final?.partitions ?? []).map { p in
                            let key = LagHistory.Key(topic: p.topic, partition: p.partition)
                            return .object([
                                ("topic", .string(p.topic)), ("partition", .integer(p.partition)),
                                ("statuses_seen", .strings((summary.partitionStatusesSeen[key] ?? []).map(\.rawValue))),
                                ("final_status", .string(p.evaluation.status.rawValue)),
                                ("reason", .string(p.evaluation.reason)),
                                ("lag", .integer(p.lag)),
                            ])
                        })
                ),
            ]))
    }
}

// MARK: - Session state

/// The groups this session's own consumers joined. The embedded cluster cannot list
/// groups, so this is the only way it can tell an idle group from a name never used.
final class LagLabState: LabState {
    private(set) var joinedGroups: [String] = []

    func recordJoin(_ group: String) {
        if !joinedGroups.contains(group) { joinedGroups.append(group) }
    }

    var statusOrder: Int { 60 }

    func statusLines(in session: Session) -> [StatusLine] {
        guard !joinedGroups.isEmpty else { return [] }
        return [StatusLine("groups joined", joinedGroups.joined(separator: ", "), .strings(joinedGroups))]
    }
}

extension Session {
    /// The lag lab's state, created on first use (it lives until disconnect).
    var lagState: LagLabState {
        lab(LagLabState.self) { LagLabState() }
    }
}

/// `lag demo`: a producer at a steady rate and a group consumer that is first too slow,
/// then fast, then stopped, all in this process, with `lag watch` on the group.
extension LagCommands {
    static let demo = Command(
        "demo",
        summary: "watch lag grow (WARN), drain (OK) and freeze (STALL/STOP) with an in-process producer and consumer",
        usage: "lag demo [--rate 40] [--interval 500ms] [--window 8]",
        options: ["--rate", "--interval", "--window"],
        details: """
            Creates a fresh 3-partition topic lag-demo-N and group of the same name. A producer writes --rate msg/s the whole \
            time, keyed by customer-0..11 so the partitioner spreads them over every partition (each carries its own lag); the consumer (session.timeout.ms 6000, committing every interval) reads at a third of that rate, then at \
            five times it, then stops polling and committing while staying in the group. The producer starts once the \
            consumer has its partitions. Each phase lasts about three \
            window spans (at least 8 s), so the defaults take about 40 s. Nothing is injected: the statuses come from real \
            commits and end offsets.
            """
    ) { ctx in try LagDemo(ctx: ctx).run() }
}
