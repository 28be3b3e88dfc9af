import Kafka

/// How `consume --group` joins its group and commits, checked before anything runs.
struct GroupConsumeMode {
    let group: String
    /// librdkafka's own timer commits (and it commits once more on close).
    let autoCommit: Bool
    /// Commit after every this many messages, and once at the end.
    let commitEvery: Int?
    let autoOffsetReset: String

    init(group: String, commit: String?, from: String, partitionGiven: Bool, ctx: CommandContext) throws {
        guard !group.isEmpty else { throw ctx.usageError("--group needs a group id") }
        guard !partitionGiven else {
            throw ctx.usageError(
                "--partition cannot be used with --group (the group assigns partitions to its members)")
        }
        switch from {
        case "beginning": autoOffsetReset = "earliest"
        case "end": autoOffsetReset = "latest"
        default:
            throw ctx.usageError(
                "--from \(from) cannot be used with --group (the group's committed offset decides where it starts; --from beginning|end applies only where it has none)"
            )
        }
        self.group = group
        switch commit ?? "auto" {
        case "auto":
            autoCommit = true
            commitEvery = nil
        case "off":
            autoCommit = false
            commitEvery = nil
        case let text where text.hasPrefix("every:"):
            guard let n = Int(text.dropFirst("every:".count)), n >= 1, n <= 100_000_000 else {
                throw ctx.usageError("--commit every:N needs a whole number N ≥ 1, not '\(text)'")
            }
            autoCommit = false
            commitEvery = n
        case let other:
            throw ctx.usageError("--commit takes auto, every:N or off, not '\(other)'")
        }
    }

    var commitDescription: String {
        if autoCommit { return "commit auto" }
        if let n = commitEvery { return "commit every \(n) message(s) and at the end" }
        return "commit off"
    }

    func properties(session: Session) -> [String: String] {
        var props = [
            "enable.auto.commit": autoCommit ? "true" : "false",
            "enable.partition.eof": "true",
            "auto.offset.reset": autoOffsetReset,
        ]
        let userSet = session.settings.consumerProperties
        if autoCommit && userSet["auto.commit.interval.ms"] == nil {
            // A second instead of librdkafka's 5 s, so `lag` sees commits move while a learner watches.
            props["auto.commit.interval.ms"] = "1000"
        }
        if session.connection?.control.isMock == true && userSet["session.timeout.ms"] == nil {
            // The mock holds every join after the first for session.timeout.ms - 1 s (44 s at the default).
            props["session.timeout.ms"] = "6000"
        }
        return props
    }
}
