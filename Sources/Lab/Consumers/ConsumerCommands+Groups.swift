import Foundation
import Kafka

/// What `group strategies` and `group static` share: the checked options and
/// the consumer properties of an in-process group.
struct GroupRunPlan {
    let topic: String
    let partitions: Set<Int32>
    let consumers: Int
    let sessionTimeoutMs: Int
    let embedded: Bool
    let clusterLabel: String
    /// The session's consumer properties with what the run controls taken out.
    let baseConfig: [String: String]

    var heartbeatMs: Int { max(100, min(1_000, sessionTimeoutMs / 3)) }
    /// How long the embedded cluster waits before it settles a rebalance.
    var mockRebalanceSeconds: Double { Double(sessionTimeoutMs) / 1000 - 1 }
    /// From a member's last heartbeat until the others have surely seen a rebalance its
    /// session's expiry starts: the session timeout, their next heartbeat, a poll to
    /// serve the revocation, and some slack.
    var sessionExpirySeen: Double { Double(sessionTimeoutMs + heartbeatMs) / 1000 + 0.5 }
    /// How long to wait for a rebalance before calling it stuck.
    var settleTimeout: Double { 4 * Double(sessionTimeoutMs) / 1000 + 10 }

    /// Real brokers refuse a session timeout below group.min.session.timeout.ms
    /// (6 s by default): a shorter one, meant for the embedded cluster, is raised
    /// to 6 s with a warning, so one script replays on both clusters.
    static func sessionTimeout(requested: Double, embedded: Bool) -> (seconds: Double, warning: String?) {
        let brokerMinimum = 6.0
        guard !embedded, requested < brokerMinimum else { return (requested, nil) }
        return (
            brokerMinimum,
            "--session-timeout \(Arguments.formatDuration(requested)) raised to 6s: real brokers refuse session timeouts below group.min.session.timeout.ms (6 s by default); shorter ones only make the embedded cluster's rebalances quicker"
        )
    }

    /// Checks every option and the topic; nothing runs before this returns.
    static func make(_ ctx: CommandContext, extraMembers: Int) throws -> GroupRunPlan {
        let args = ctx.arguments
        let session = ctx.session
        let c = try session.requireConnection()
        let consumers = try args.int("--consumers", default: 3, range: 1...1_000)
        let requestedSession = try args.seconds(
            "--session-timeout", default: c.control.isMock ? 6 : 10,
            minimum: 2, maximum: 300)
        let (sessionSeconds, sessionWarning) = sessionTimeout(requested: requestedSession, embedded: c.control.isMock)
        if let sessionWarning { ctx.output.warning(sessionWarning) }
        let topicName = args.value("--topic") ?? ConsumerCommands.defaultTopic
        let md = try c.client.metadata()
        guard let topic = md.topic(topicName) else {
            let fix =
                topicName == ConsumerCommands.defaultTopic
                ? "`seed` creates it" : "`seed \(topicName)` or `topic create \(topicName)` makes it"
            throw LabError.notFound("unknown topic '\(topicName)'; \(fix)")
        }
        // Every rebalance writes to __consumer_offsets: below its min ISR none would settle,
        // and each phase would wait out its bound for nothing.
        try ProduceAvailability.checkCoordinator(.groups, connection: c, lab: ctx.path)
        let needed = consumers + extraMembers
        if needed > topic.partitions.count {
            let most = topic.partitions.count - extraMembers
            let advice =
                most >= 1
                ? "use --consumers \(most) or fewer, or a topic with more partitions"
                : "use a topic with at least \(needed) partitions (`seed <topic> --partitions 6`)"
            throw LabError.invalid(
                "--consumers \(consumers) is too many for \(topicName)'s \(topic.partitions.count) partition(s): the run "
                    + (extraMembers > 0
                        ? "adds \(extraMembers) consumer, so up to \(needed) members share them and one would own nothing, which hides what a rebalance moves; "
                        : "needs a partition per member; ")
                    + advice)
        }
        var config = try session.consumerProperties(group: "unset")
        for key in [
            "group.id", "group.instance.id", "partition.assignment.strategy", "session.timeout.ms",
            "heartbeat.interval.ms",
        ] {
            config.removeValue(forKey: key)
        }
        config["enable.auto.commit"] = "false"
        // The run watches assignments, not data: start at the end so the
        // members do not spend the two shared cores fetching the backlog.
        config["auto.offset.reset"] = "latest"
        if let maxPoll = config["max.poll.interval.ms"], let v = Int(maxPoll), v < Int(sessionSeconds * 1000) {
            throw LabError.invalid(
                "max.poll.interval.ms=\(v) is below the run's session.timeout.ms=\(Int(sessionSeconds * 1000)); librdkafka refuses that (`unset max.poll.interval.ms`)"
            )
        }
        return GroupRunPlan(
            topic: topicName, partitions: Set(topic.partitions.map(\.id)), consumers: consumers,
            sessionTimeoutMs: Int(sessionSeconds * 1000), embedded: c.control.isMock,
            clusterLabel: c.label, baseConfig: config)
    }

    func config(strategy: String) -> [String: String] {
        baseConfig.merging([
            "partition.assignment.strategy": strategy,
            "session.timeout.ms": String(sessionTimeoutMs),
            "heartbeat.interval.ms": String(heartbeatMs),
        ]) { $1 }
    }

    /// Builds (without subscribing) a consumer from `config`, so librdkafka
    /// refuses a bad combination before any member starts.
    func check(_ config: [String: String]) throws {
        do {
            _ = try Consumer(config: config.merging(["group.id": "kafkalab-config-check"]) { $1 })
        } catch let e as KafkaError {
            throw LabError.invalid("librdkafka refuses the consumer configuration: \(e.message)")
        }
    }

    static func groupId(_ prefix: String) -> String {
        "kafkalab-\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}

extension ConsumerCommands {
    // MARK: group strategies

    static func runStrategies(_ ctx: CommandContext) throws {
        let args = ctx.arguments
        var chosen: [String] = []
        for name in args.positionals {
            guard strategyNames.contains(name) else {
                let near = NearestNames.suggest(name, from: strategyNames)
                throw LabError.invalid(
                    "unknown strategy '\(name)'; choose from \(strategyNames.joined(separator: ", "))"
                        + (near.isEmpty ? "" : " (did you mean \(near.joined(separator: ", "))?)"))
            }
            if !chosen.contains(name) { chosen.append(name) }
        }
        if chosen.isEmpty { chosen = strategyNames }
        let plan = try GroupRunPlan.make(ctx, extraMembers: 1)
        for strategy in chosen { try plan.check(plan.config(strategy: strategy)) }

        let out = ctx.output
        let n = plan.consumers
        let estimate = chosen.map { estimatedSeconds(strategy: $0, plan: plan) }.max() ?? 0
        out.line(
            "group strategies: \(chosen.joined(separator: ", ")) on \(plan.topic) (\(plan.partitions.count) partitions): \(n) consumer(s), then c\(n + 1) joins, then c1 leaves"
        )
        if plan.embedded {
            out.line(
                "session.timeout.ms=\(plan.sessionTimeoutMs), heartbeat.interval.ms=\(plan.heartbeatMs); the embedded cluster settles each rebalance only after session.timeout.ms - 1 s = \(Int(plan.mockRebalanceSeconds)) s (cooperative needs two rounds); each strategy runs in a group of its own, all at once, so this takes about \(Int(estimate.rounded())) s; Ctrl-C closes every consumer"
            )
        } else {
            out.line(
                "session.timeout.ms=\(plan.sessionTimeoutMs), heartbeat.interval.ms=\(plan.heartbeatMs); on \(plan.clusterLabel) a rebalance settles once every member has rejoined; each strategy runs in a group of its own, all at once: expect about \(Int(estimate.rounded())) s; Ctrl-C closes every consumer"
            )
        }

        // Each strategy in a group of its own, all at once (SideBySideRuns): the text is as if in turn.
        let cancellation = ctx.cancellation
        let clock = try ctx.session.requireConnection().client.clock
        let results = try SideBySideRuns.run(
            chosen, output: out, label: "group strategies", name: { $0 }
        ) { strategy, out in
            let groupId = GroupRunPlan.groupId("strategies-\(strategy)")
            out.line("")
            out.line(
                "== \(strategy) (\(strategy == "cooperative-sticky" ? "cooperative" : "eager") protocol, group \(groupId))"
            )
            let group = InProcessGroup(
                groupId: groupId, topic: plan.topic, partitions: plan.partitions,
                config: plan.config(strategy: strategy),
                closeTimeout: Double(plan.sessionTimeoutMs) / 1000 + 10, cancellation: cancellation,
                clock: clock)
            var phases: [GroupStrategiesResult.Phase] = []
            for i in 1...n { try group.add("c\(i)") }
            let join = try settle(
                group, plan: plan, from: 0, phase: "join", change: "\(n) consumer(s) join",
                label: strategy, measure: false, output: out)
            phases.append(join)

            let outStart = group.recorder.now()
            try group.add("c\(n + 1)")
            phases.append(
                try settle(
                    group, plan: plan, from: outStart, phase: "scale-out", change: "c\(n + 1) joins",
                    label: strategy, measure: true, output: out))

            let inStart = group.recorder.now()
            group.remove("c1")
            phases.append(
                try settle(
                    group, plan: plan, from: inStart, phase: "scale-in", change: "c1 leaves",
                    label: strategy, measure: true, output: out))
            group.closeAll()
            return GroupStrategiesResult.Strategy(
                strategy: strategy, group: groupId,
                protocol: strategy == "cooperative-sticky" ? "cooperative" : "eager", phases: phases,
                events: group.recorder.timeline.records.map(GroupStrategiesResult.Event.init))
        }

        out.line("")
        out.emit(
            GroupStrategiesResult(
                topic: plan.topic, partitions: plan.partitions.count, consumers: n,
                sessionTimeoutMs: plan.sessionTimeoutMs, cluster: plan.clusterLabel, strategies: results,
                embedded: plan.embedded))
    }

    static func estimatedSeconds(strategy: String, plan: GroupRunPlan) -> Double {
        let rounds = strategy == "cooperative-sticky" ? 2.0 : 1.0
        let quiet = 3 * InProcessGroup.settleQuiet
        if plan.embedded {
            // First join: the mock's 3 s initial delay; later joins and leaves: session.timeout.ms - 1 s each.
            return 3 + (rounds + 1) * plan.mockRebalanceSeconds + quiet + 2
        }
        return 3 + (rounds + 1) * (Double(plan.heartbeatMs) / 1000 + 1) + quiet + 2
    }

    /// Waits for the group to settle after a change and prints the assignment.
    static func settle(
        _ group: InProcessGroup, plan: GroupRunPlan, from start: Double, phase: String, change: String,
        label: String, measure: Bool, notBefore: Double = 0, output out: Output
    ) throws -> GroupStrategiesResult.Phase {
        let settled = try group.waitUntilSettled(
            quiet: InProcessGroup.settleQuiet, timeout: plan.settleTimeout, notBefore: notBefore,
            output: out, label: "\(label): \(change)")
        let timeline = group.recorder.timeline
        let end = settled?.time ?? group.recorder.now()
        let ownership = settled?.ownership ?? timeline.ownership()
        let problems = RebalanceTimeline.problems(
            in: ownership, members: group.memberNames, partitions: group.partitions)
        if settled != nil {
            out.line("\(change): settled after \(format(max(0, end - start), 1)) s")
        } else {
            out.warning(
                "\(change): the group did not settle within \(Int(plan.settleTimeout)) s: "
                    + problems.joined(separator: "; "))
        }
        var table = TextTable(headers: ["MEMBER", "PARTITIONS", "COUNT"], alignments: [.left, .left, .right])
        for name in group.members.map(\.name) {
            let parts = ownership[name] ?? []
            table.append([name, RebalanceTimeline.describe(parts), "\(parts.count)"])
        }
        out.table(table)
        if measure {
            // The callbacks behind the numbers: eager shows every member revoking
            // everything; cooperative shows only the moved partitions.
            for r in timeline.records where r.time > start && r.time <= end && !r.partitions.isEmpty {
                out.line(
                    "  \(format(r.time - start, 2).leftPadded(6)) s  \(r.member) \(r.kind.rawValue) \(RebalanceTimeline.describe(Set(r.partitions)))"
                )
            }
        }
        return GroupStrategiesResult.Phase(
            phase: phase, change: change, settled: settled != nil, settledAfter: max(0, end - start),
            assignment: ownership.filter { group.memberNames.contains($0.key) }, problems: problems,
            measured: measure ? timeline.change(from: start, to: end) : nil)
    }

    // MARK: group static

    static func runStatic(_ ctx: CommandContext) throws {
        try ctx.arguments.expectPositionals(atMost: 0)
        let plan = try GroupRunPlan.make(ctx, extraMembers: 0)
        // Range makes an eager rebalance visible as revocations on every member.
        let config = plan.config(strategy: "range")
        try plan.check(config.merging(["group.instance.id": "kafkalab-check"]) { $1 })
        let out = ctx.output
        let n = plan.consumers
        let s = Double(plan.sessionTimeoutMs) / 1000
        // The first join (the mock's or the brokers' initial rebalance delay, 3 s), c1 away for 1 s,
        // the wait past its old session's expiry, closing.
        let perMode = 3 + InProcessGroup.settleQuiet + plan.sessionExpirySeen + 0.5
        out.line(
            "group static: \(n) consumer(s) on \(plan.topic), partition.assignment.strategy=range, session.timeout.ms=\(plan.sessionTimeoutMs): c1 is killed without leaving the group and restarted 1 s later, with group.instance.id (static) and, at the same time in a group of its own, without (dynamic); about \(Int(perMode.rounded())) s, Ctrl-C closes every consumer"
        )
        if plan.embedded {
            out.warning(
                "embedded: the mock cluster ignores group.instance.id (no static membership), so the static run rebalances like the dynamic one; the difference can only be seen on real Kafka (`connect compose`). What happens here is shown as measured."
            )
        }
        // Both modes at once, each in a group of its own (SideBySideRuns): the text is as if in turn.
        let cancellation = ctx.cancellation
        let clock = try ctx.session.requireConnection().client.clock
        let results = try SideBySideRuns.run(
            ["static", "dynamic"], output: out, label: "group static", name: { $0 }
        ) { mode, out in
            let groupId = GroupRunPlan.groupId("static-\(mode)")
            out.line("")
            out.line("== \(mode) membership (group \(groupId))")
            let group = InProcessGroup(
                groupId: groupId, topic: plan.topic, partitions: plan.partitions, config: config,
                closeTimeout: s + 10, cancellation: cancellation, clock: clock)
            func extra(_ i: Int) -> [String: String] {
                mode == "static" ? ["group.instance.id": "\(groupId)-c\(i)"] : [:]
            }
            for i in 1...n { try group.add("c\(i)", extra: extra(i)) }
            let first = try settle(
                group, plan: plan, from: 0, phase: "join", change: "\(n) consumer(s) join",
                label: mode, measure: false, output: out)
            let killedAt = group.recorder.now()
            group.remove("c1", abandon: true)
            // The old c1's last heartbeat was before this (its handle is gone).
            let goneAt = group.recorder.now()
            try group.pause(1.0, output: out)
            let restartedAt = group.recorder.now()
            try group.add("c1", extra: extra(1))
            out.line(
                "c1 killed at \(format(killedAt, 1)) s (no LeaveGroup) and restarted at \(format(restartedAt, 1)) s"
                    + (mode == "static" ? " with group.instance.id \(groupId)-c1" : " as a new member"))
            // Wait past the old session's expiry, so a rebalance it would cause is seen too: the
            // coordinator expires it session.timeout.ms after its last heartbeat, the others
            // hear of the rebalance at their next heartbeat and an eager member revokes at
            // once. (Where the expiry comes later, as on the mock, whose session check runs
            // once a second, the member it still holds keeps the group from settling.)
            let after = try settle(
                group, plan: plan, from: killedAt, phase: "restart", change: "after the restart",
                label: mode, measure: false, notBefore: goneAt + plan.sessionExpirySeen, output: out)
            let timeline = group.recorder.timeline
            let others = timeline.records.filter { $0.time > killedAt && $0.member != "c1" }
            let before1 = first.assignment["c1"] ?? []
            let back = !before1.isEmpty && after.assignment["c1"] == before1
            let c1Assigned = timeline.records(of: "c1", after: restartedAt).first {
                $0.kind == .assigned && !$0.partitions.isEmpty
            }
            let othersOnly = RebalanceTimeline(timeline.records.filter { $0.member != "c1" })
            let othersIdle = othersOnly.change(from: killedAt, to: killedAt + after.settledAfter).longestIdle
            let r = GroupStaticResult.Run(
                mode: mode, group: groupId, settled: after.settled, othersChanges: others.count,
                othersRevoked: others.filter { $0.kind == .revoked }.reduce(0) { $0 + $1.partitions.count },
                partitionsBack: back, backAfter: c1Assigned.map { $0.time - restartedAt }, longestIdle: othersIdle,
                before: first.assignment, after: after.assignment)
            out.line(
                r.othersChanges == 0
                    ? "the other members saw no assignment change: no rebalance"
                    : "the other members saw \(r.othersChanges) assignment change(s) (\(r.othersRevoked) partition revocation(s)): the group rebalanced"
            )
            out.line(
                "c1 had \(RebalanceTimeline.describe(before1)) and now has \(RebalanceTimeline.describe(after.assignment["c1"] ?? [])): "
                    + (back
                        ? (r.othersChanges > 0
                            ? "the rebalance happened to give it the same partitions"
                            : "its partitions came back without a rebalance") : "its partitions did not all come back"))
            group.closeAll()
            return r
        }
        out.line("")
        out.emit(
            GroupStaticResult(
                topic: plan.topic, consumers: n, sessionTimeoutMs: plan.sessionTimeoutMs, cluster: plan.clusterLabel,
                staticMembershipSupported: !plan.embedded, runs: results))
    }
}

fileprivate extension String {
    /// Right-aligns the text in `width` characters.
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
