/// The typed results of the consumers lab: each renders its own text, and its JSON is its
/// encoding (`CommandResult`), so the two carry the same figures.

/// `group describe`: the group's state, protocol, coordinator, and each member's assignment.
struct GroupDescribeResult: CommandResult {
    struct Member: Encodable, Equatable {
        let memberID: String
        let clientID: String
        let host: String
        /// Static membership's id; nil for a dynamic member.
        let groupInstanceID: String?
        let assignment: [Assigned]
    }

    struct Assigned: Encodable, Equatable {
        let topic: String
        let partition: Int32
    }

    let group: String
    let state: String
    /// The assignor the group settled on ("" before it has one).
    let `protocol`: String
    let coordinator: Int32?
    let members: [Member]

    func render(into output: Output) {
        output.line(
            "group \(group)  state \(state)  protocol \(self.protocol.isEmpty ? "-" : self.protocol)  coordinator \(coordinator.map(String.init) ?? "?")  members \(members.count)"
        )
        var table = TextTable(headers: ["CONSUMER-ID", "CLIENT-ID", "HOST", "GROUP-INSTANCE-ID", "ASSIGNMENT"])
        for m in members {
            let byTopic = Dictionary(grouping: m.assignment, by: \.topic)
            let assignment = byTopic.keys.sorted().map { t in
                "\(t):" + RebalanceTimeline.describe(Set(byTopic[t]!.map(\.partition)))
            }.joined(separator: " ")
            table.append([
                m.memberID, m.clientID, m.host, m.groupInstanceID ?? "-", assignment.isEmpty ? "-" : assignment,
            ])
        }
        if !members.isEmpty { output.table(table) }
    }
}

/// `seed`: what was written, how fast, and what the topic holds now as far as its watermarks say.
struct SeedResult: CommandResult {
    let topic: String
    /// seed created the topic (it did not exist).
    let created: Bool
    let partitions: Int
    let sent: Int
    let delivered: Int
    let failed: Int
    let sizeBytes: Int
    let durationMs: Double
    let msgsPerSec: Double
    /// The sum of high - low over the partitions; nil when some watermarks could not be read.
    let messagesInTopic: Int64?
    /// How many were to be sent (more than `sent` when interrupted).
    let planned: Int
    /// A lower bound where only some partitions' watermarks were read.
    let readableMessages: Int64
    /// Partitions whose watermarks could not be read, and the first error.
    let unreadable: (count: Int, error: String)?

    enum CodingKeys: String, CodingKey {
        case topic, created, partitions, sent, delivered, failed, sizeBytes, durationMs, msgsPerSec, messagesInTopic
    }

    func render(into output: Output) {
        let seconds = durationMs / 1000
        let mib = Double(delivered * sizeBytes) / 1_048_576
        let format = ConsumerCommands.format
        output.line(
            (created ? "created \(topic) (\(partitions) partitions); " : "")
                + "seeded \(topic): \(delivered) of \(planned) message(s) of \(sizeBytes) B (\(format(mib, 1)) MiB) in \(format(seconds, 2)) s: "
                + "\(Int(msgsPerSec)) msgs/s, \(format(seconds > 0 ? mib / seconds : 0, 1)) MiB/s")
        if let unreadable, unreadable.count == partitions {
            output.line(
                "how many messages \(topic) now holds is unknown: its watermarks cannot be read (\(unreadable.error))")
        } else if let unreadable {
            output.line(
                "\(topic) now holds at least \(readableMessages) message(s) in \(partitions) partitions (the watermarks of \(unreadable.count) could not be read: \(unreadable.error))"
            )
        } else {
            output.line("\(topic) now holds \(readableMessages) message(s) in \(partitions) partitions")
        }
        if sent < planned {
            let undelivered = sent - delivered
            output.line(
                "interrupted (Ctrl-C) after \(sent) of \(planned) were sent: \(delivered) delivered"
                    + (undelivered > 0 ? ", \(undelivered) dropped from the queue or failed" : ""))
        }
    }
}

/// `group max-poll`: the timeline of the two members and what it shows about
/// max.poll.interval.ms. The readings come from `report`, the JSON's figures too, so both say
/// the same.
struct MaxPollResult: CommandResult {
    /// One row of the timeline: a rebalance callback, the slow member's last poll, an error its
    /// poll returned, the demo's close.
    struct Event: Encodable, Equatable {
        /// Since the demo began.
        let timeMs: Double
        let member: String
        let event: String
        let partitions: [Int32]
    }

    let group: String
    let topic: String
    let processingMs: Int
    let report: MaxPollReport
    /// In time order.
    let events: [Event]

    enum CodingKeys: String, CodingKey {
        case group, topic, embedded, sessionTimeoutMs, maxPollIntervalMs, processingMs, slowPartitions
        case slowStoppedAtMs, movedAtMs, maxPollExceededAtMs, slowBackAtMs, movedWhileSlowWasAway, events
    }

    func encode(to encoder: any Encoder) throws {
        /// Seconds since the demo began, as whole milliseconds.
        func ms(_ s: Double?) -> Int? { s.map { Int(($0 * 1000).rounded()) } }
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(group, forKey: .group)
        try c.encode(topic, forKey: .topic)
        try c.encode(report.embedded, forKey: .embedded)
        try c.encode(report.sessionTimeoutMs, forKey: .sessionTimeoutMs)
        try c.encode(report.maxPollIntervalMs, forKey: .maxPollIntervalMs)
        try c.encode(processingMs, forKey: .processingMs)
        try c.encode(report.slowPartitions.sorted(), forKey: .slowPartitions)
        try c.encode(ms(report.stoppedAt), forKey: .slowStoppedAtMs)
        try c.encode(ms(report.movedAt), forKey: .movedAtMs)
        try c.encode(ms(report.exceededAt), forKey: .maxPollExceededAtMs)
        try c.encode(ms(report.backAt), forKey: .slowBackAtMs)
        try c.encode(report.movedWhileSlowWasAway, forKey: .movedWhileSlowWasAway)
        try c.encode(events, forKey: .events)
    }

    func render(into output: Output) {
        var table = TextTable(headers: ["TIME", "MEMBER", "EVENT", "PARTITIONS"])
        for e in events {
            table.append([
                MaxPollReport.seconds(e.timeMs / 1000), e.member, e.event,
                e.partitions.map(String.init).joined(separator: ","),
            ])
        }
        output.table(table)
        for line in report.lines(slow: "slow", fast: "fast") { output.line(line) }
    }
}

/// An assignment as JSON shows it: members in name order, each with its partitions sorted.
private struct MemberPartitions: Encodable {
    let member: String
    let partitions: [Int32]

    static func list(_ a: [String: Set<Int32>]) -> [MemberPartitions] {
        a.keys.sorted().map { MemberPartitions(member: $0, partitions: a[$0]!.sorted()) }
    }
}

/// `group strategies`: per assignment strategy, each phase (join, scale-out, scale-in) with what
/// moved and who stopped, and every rebalance callback; the text is the comparison table and
/// the reading of it.
struct GroupStrategiesResult: CommandResult {
    struct Phase: Encodable {
        let phase: String
        let change: String
        let settled: Bool
        /// Seconds from the change to the settled assignment.
        let settledAfter: Double
        let assignment: [String: Set<Int32>]
        let problems: [String]
        /// What the change did; nil for the first join (nothing to compare with).
        let measured: AssignmentChange?

        enum CodingKeys: String, CodingKey {
            case phase, change, settled, settledAfterMs, assignment, problems, moved, revoked, revokedWhileKeeping
            case stoppedMembers, longestIdleMs, longestIdleMember
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(phase, forKey: .phase)
            try c.encode(change, forKey: .change)
            try c.encode(settled, forKey: .settled)
            try c.encode(settledAfter * 1000, forKey: .settledAfterMs)
            try c.encode(MemberPartitions.list(assignment), forKey: .assignment)
            try c.encode(problems, forKey: .problems)
            // The measured keys only where something was measured.
            guard let m = measured else { return }
            try c.encode(m.moved, forKey: .moved)
            try c.encode(m.revoked, forKey: .revoked)
            try c.encode(m.revokedWhileKeeping, forKey: .revokedWhileKeeping)
            try c.encode(m.stoppedMembers, forKey: .stoppedMembers)
            try c.encode(m.longestIdle * 1000, forKey: .longestIdleMs)
            try c.encode(m.longestIdleMember, forKey: .longestIdleMember)
        }
    }

    /// One rebalance callback, from the recorded timeline.
    struct Event: Encodable, Equatable {
        let timeMs: Double
        let member: String
        let kind: String
        let partitions: [Int32]
        let incremental: Bool

        init(_ r: RebalanceRecord) {
            timeMs = r.time * 1000
            member = r.member
            kind = r.kind.rawValue
            partitions = r.partitions
            incremental = r.incremental
        }
    }

    struct Strategy: Encodable {
        let strategy: String
        let group: String
        /// eager or cooperative.
        let `protocol`: String
        let phases: [Phase]
        let events: [Event]
    }

    let topic: String
    let partitions: Int
    let consumers: Int
    let sessionTimeoutMs: Int
    let cluster: String
    let strategies: [Strategy]
    /// On the embedded cluster, whose rebalances last session.timeout.ms - 1 s.
    let embedded: Bool

    enum CodingKeys: String, CodingKey {
        case topic, partitions, consumers, sessionTimeoutMs, cluster, strategies
    }

    func render(into output: Output) {
        let format = ConsumerCommands.format
        var table = TextTable(
            headers: [
                "STRATEGY", "CHANGE", "MOVED", "REVOKED", "KEEPERS REVOKED", "STOPPED", "LONGEST IDLE", "SETTLED IN",
            ],
            alignments: [.left, .left, .right, .right, .right, .right, .right, .right])
        for s in strategies {
            for p in s.phases {
                guard let m = p.measured else { continue }
                table.append([
                    s.strategy, p.change, "\(m.moved)", "\(m.revoked)", "\(m.revokedWhileKeeping.count)",
                    "\(m.stoppedMembers.count)", m.longestIdle > 0 ? format(m.longestIdle, 1) + " s" : "0 s",
                    p.settled ? format(p.settledAfter, 1) + " s" : "not settled",
                ])
            }
        }
        output.table(table)
        output.hint(
            "MOVED: partitions with a new owner; REVOKED: revocations summed over members; KEEPERS REVOKED: members that kept partitions yet had them taken away in between; STOPPED: members that owned nothing for a while; LONGEST IDLE: the longest such stretch (from the recorded callbacks)"
        )
        for line in reading { output.line(line) }
    }

    /// A short reading of the measured numbers, with no claim the run did not show.
    var reading: [String] {
        let format = ConsumerCommands.format
        var lines: [String] = []
        func scaleOut(_ s: Strategy) -> AssignmentChange? { s.phases.first { $0.phase == "scale-out" }?.measured }
        let eager = strategies.filter { $0.strategy != "cooperative-sticky" }.compactMap { s in
            scaleOut(s).map { (s.strategy, $0) }
        }
        if let (name, e) = eager.first {
            lines.append(
                "\(name) (eager): when c\(consumers + 1) joined, \(e.revokedWhileKeeping.count) member(s) gave back partitions they then got again, and \(e.stoppedMembers.count) owned nothing for up to \(format(e.longestIdle, 1)) s: the whole group stops for the rebalance."
            )
        }
        if let c = strategies.first(where: { $0.strategy == "cooperative-sticky" }).flatMap(scaleOut) {
            lines.append(
                "cooperative-sticky: only the \(c.revoked) partition(s) that moved were revoked; \(c.revokedWhileKeeping.count) member(s) lost partitions they kept, \(c.stoppedMembers.count) stopped consuming."
            )
        }
        lines.append(
            "Why it matters: an eager rebalance pauses every member of the group, so in a large group each deploy, scale-out or crash stops all consumption for the rebalance; cooperative rebalancing moves only what must move and the rest keep consuming (at the price of a second round)."
        )
        if embedded {
            lines.append(
                "embedded: each rebalance here lasts session.timeout.ms - 1 s because the mock waits that long for members; on real Kafka it ends as soon as every member has rejoined, so pauses are shorter but the eager/cooperative difference is the same."
            )
        }
        return lines
    }
}

/// `group static`: a member killed and restarted within session.timeout.ms, with and without
/// group.instance.id; per mode whether the others saw a rebalance and whether c1 got its
/// partitions back.
struct GroupStaticResult: CommandResult {
    struct Run: Encodable {
        /// static or dynamic.
        let mode: String
        let group: String
        let settled: Bool
        /// Assignment changes the other members saw after the kill.
        let othersChanges: Int
        let othersRevoked: Int
        let partitionsBack: Bool
        /// Seconds from the restart to c1's first non-empty assignment; nil when it got none.
        let backAfter: Double?
        /// Seconds the longest of the others owned nothing.
        let longestIdle: Double
        let before: [String: Set<Int32>]
        let after: [String: Set<Int32>]

        var rebalanced: Bool { othersChanges > 0 }

        enum CodingKeys: String, CodingKey {
            case mode, group, settled, rebalanced, othersChanges, othersRevoked, partitionsBack, c1AssignedAfterMs
            case othersLongestIdleMs, before, after
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(mode, forKey: .mode)
            try c.encode(group, forKey: .group)
            try c.encode(settled, forKey: .settled)
            try c.encode(rebalanced, forKey: .rebalanced)
            try c.encode(othersChanges, forKey: .othersChanges)
            try c.encode(othersRevoked, forKey: .othersRevoked)
            try c.encode(partitionsBack, forKey: .partitionsBack)
            try c.encode(backAfter.map { $0 * 1000 }, forKey: .c1AssignedAfterMs)
            try c.encode(longestIdle * 1000, forKey: .othersLongestIdleMs)
            try c.encode(MemberPartitions.list(before), forKey: .before)
            try c.encode(MemberPartitions.list(after), forKey: .after)
        }
    }

    let topic: String
    let consumers: Int
    let sessionTimeoutMs: Int
    let cluster: String
    /// False on the embedded cluster, which ignores group.instance.id.
    let staticMembershipSupported: Bool
    let runs: [Run]

    func render(into output: Output) {
        let format = ConsumerCommands.format
        var table = TextTable(
            headers: [
                "MODE", "REBALANCED", "OTHERS' CHANGES", "REVOKED", "PARTITIONS BACK", "C1 ASSIGNED AFTER",
                "OTHERS IDLE",
            ],
            alignments: [.left, .left, .right, .right, .left, .right, .right])
        for r in runs {
            table.append([
                r.mode, r.rebalanced ? "yes" : "no", "\(r.othersChanges)", "\(r.othersRevoked)",
                r.partitionsBack ? "yes" : "no", r.backAfter.map { format($0, 1) + " s" } ?? "-",
                format(r.longestIdle, 1) + " s",
            ])
        }
        output.table(table)
        if !staticMembershipSupported {
            output.line(
                "Reading: the embedded cluster treats the restarted static member as a new one, so both runs rebalanced. On real Kafka the static member rejoining within session.timeout.ms gets its old partitions back and the others see nothing: no rebalance during a rolling restart. Run `group static` after `connect compose` to see it."
            )
        } else if let st = runs.first, let dy = runs.last {
            output.line(
                "Reading: with group.instance.id the restart "
                    + (st.rebalanced ? "still caused a rebalance" : "caused no rebalance")
                    + (st.partitionsBack ? " and c1 got its partitions back" : "") + "; without it the restart "
                    + (dy.rebalanced ? "rebalanced the group" : "caused no rebalance")
                    + ". Static membership keeps rolling restarts from stopping the group, as long as a member is back within session.timeout.ms."
            )
        }
    }
}
