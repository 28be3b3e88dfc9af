/// What `group max-poll` saw, read from the rebalance callbacks and the slow
/// member's own clock: which partitions the slow member held when it stopped
/// polling, when they reached the other member, and what the slow member was
/// told when it polled again. Pure: the demo feeds it what it recorded.
struct MaxPollReport: Sendable, Equatable {
    let maxPollIntervalMs: Int
    let sessionTimeoutMs: Int
    let embedded: Bool
    /// Partitions the slow member owned at its last poll before processing.
    let slowPartitions: Set<Int32>
    /// When the slow member last polled before it went quiet (seconds since the start).
    let stoppedAt: Double?
    /// When the fast member first owned every one of the slow member's partitions.
    let movedAt: Double?
    /// When the slow member, polling again, received _MAX_POLL_EXCEEDED.
    let exceededAt: Double?
    /// When the slow member polled again.
    let backAt: Double?

    static let exceededName = "_MAX_POLL_EXCEEDED"

    init(
        timeline: RebalanceTimeline, slow: String, fast: String, stoppedAt: Double?, backAt: Double?,
        errors: [(time: Double, name: String)], maxPollIntervalMs: Int, sessionTimeoutMs: Int, embedded: Bool
    ) {
        self.maxPollIntervalMs = maxPollIntervalMs
        self.sessionTimeoutMs = sessionTimeoutMs
        self.embedded = embedded
        self.stoppedAt = stoppedAt
        self.backAt = backAt
        let held = stoppedAt.map { timeline.ownership(at: $0)[slow] ?? [] } ?? []
        slowPartitions = held
        if let stoppedAt, !held.isEmpty {
            movedAt =
                timeline.records.first { r in
                    r.time > stoppedAt && r.member == fast
                        && (timeline.ownership(at: r.time)[fast] ?? []).isSuperset(of: held)
                }?.time
        } else {
            movedAt = nil
        }
        exceededAt = errors.first { $0.name == Self.exceededName && $0.time >= (stoppedAt ?? 0) }?.time
    }

    /// The partitions moved because the slow member left after max.poll.interval.ms:
    /// they moved after it stopped polling, no earlier than the interval, and before it came back.
    var movedWhileSlowWasAway: Bool {
        guard let stoppedAt, let movedAt else { return false }
        return movedAt - stoppedAt >= Double(maxPollIntervalMs) / 1000 && (backAt.map { movedAt <= $0 } ?? true)
    }

    func lines(slow: String, fast: String) -> [String] {
        let interval = "max.poll.interval.ms=\(maxPollIntervalMs)"
        let parts = slowPartitions.sorted().map(String.init).joined(separator: ",")
        var out: [String] = []
        guard let stoppedAt else {
            return [
                "\(slow) never received a message to process, so it never stopped polling: nothing to show (is the topic empty?)"
            ]
        }
        if slowPartitions.isEmpty {
            out.append("\(slow) owned no partition when it stopped polling: nothing could move")
        } else if let movedAt {
            let after = movedAt - stoppedAt
            out.append(
                "partition(s) \(parts) moved from \(slow) to \(fast) at \(Self.seconds(movedAt)), \(Self.seconds(after)) after \(slow)'s last poll"
                    + (!movedWhileSlowWasAway
                        ? ": earlier than \(interval) or after \(slow) came back, so this run does not show the poll interval at work"
                        : exceededAt != nil
                            ? ", while \(slow) was still processing: librdkafka itself left the group on its behalf once \(interval) had passed (it checks twice a second), and the group rebalanced without it"
                            : ", while \(slow) was still processing; \(slow) was not told \(Self.exceededName) afterwards, so this run cannot say the poll interval caused it")
            )
        } else {
            out.append("partition(s) \(parts) did not reach \(fast) while the demo watched: this run shows no move")
        }
        if let exceededAt {
            out.append(
                "\(slow) polled again at \(Self.seconds(backAt ?? exceededAt)) and got \(Self.exceededName): its partitions were gone (revoked as lost) and its next poll rejoins the group as a new member"
            )
        } else if backAt != nil {
            out.append("\(slow) polled again but was not told \(Self.exceededName)")
        }
        if embedded && movedAt != nil {
            out.append(
                "embedded cluster: the poll interval is enforced by librdkafka in the client, so it is real here; the timings around it are the mock's: its first join waits 3 s, and it settles each later rebalance after session.timeout.ms − 1 s (\(Self.seconds(Double(sessionTimeoutMs) / 1000 - 1)) here) instead of as soon as the remaining members rejoin"
            )
        }
        return out
    }

    static func seconds(_ s: Double) -> String {
        String(format: "%.1f s", s)
    }
}
