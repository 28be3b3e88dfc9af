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
