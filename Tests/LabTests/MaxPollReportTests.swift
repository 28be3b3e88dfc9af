import Testing

@testable import Lab

/// What `group max-poll` concludes from the recorded callbacks: a move counts only
/// when it happened after the slow member's last poll, no sooner than the interval,
/// and before it came back.
@Suite struct MaxPollReportTests {
    typealias R = RebalanceRecord

    static let joined = [
        R(member: "slow", time: 3, kind: .assigned, partitions: [0], incremental: false),
        R(member: "fast", time: 3, kind: .assigned, partitions: [1], incremental: false),
    ]

    static func report(
        _ records: [R], stoppedAt: Double? = 3.1, backAt: Double? = 9.6,
        errors: [(time: Double, name: String)] = [(9.6, "_MAX_POLL_EXCEEDED")], embedded: Bool = true
    ) -> MaxPollReport {
        MaxPollReport(
            timeline: RebalanceTimeline(records), slow: "slow", fast: "fast", stoppedAt: stoppedAt, backAt: backAt,
            errors: errors, maxPollIntervalMs: 3_500, sessionTimeoutMs: 3_500, embedded: embedded)
    }

    @Test func aMoveAfterTheIntervalWhileSlowIsAwayIsTheLesson() {
        let r = Self.report(
            Self.joined + [
                R(member: "fast", time: 7.5, kind: .revoked, partitions: [1], incremental: false),
                R(member: "fast", time: 9.5, kind: .assigned, partitions: [0, 1], incremental: false),
            ])
        #expect(r.slowPartitions == [0])
        #expect(r.movedAt == 9.5)
        #expect(r.exceededAt == 9.6)
        #expect(r.movedWhileSlowWasAway)
        let lines = r.lines(slow: "slow", fast: "fast")
        #expect(lines[0].contains("moved from slow to fast"))
        #expect(lines[0].contains("left the group on its behalf"))
        #expect(lines[1].contains("_MAX_POLL_EXCEEDED"))
        #expect(lines.last?.contains("embedded cluster") == true, "the mock's timings are named as such")
    }

    @Test func aMoveWithoutTheErrorIsNotBlamedOnThePollInterval() {
        let r = Self.report(
            Self.joined + [R(member: "fast", time: 9.5, kind: .assigned, partitions: [0, 1], incremental: false)],
            errors: [])
        #expect(r.movedWhileSlowWasAway)
        let first = r.lines(slow: "slow", fast: "fast")[0]
        #expect(first.contains("cannot say the poll interval caused it"))
        #expect(!first.contains("on its behalf"))
    }

    @Test func aMoveSoonerThanTheIntervalIsNotClaimed() {
        let r = Self.report(
            Self.joined + [R(member: "fast", time: 4.0, kind: .assigned, partitions: [0, 1], incremental: false)])
        #expect(r.movedAt == 4.0)
        #expect(!r.movedWhileSlowWasAway)
        #expect(r.lines(slow: "slow", fast: "fast")[0].contains("does not show the poll interval at work"))
    }

    @Test func noMoveAndNoErrorClaimNothing() {
        let r = Self.report(Self.joined, errors: [])
        #expect(r.movedAt == nil)
        #expect(!r.movedWhileSlowWasAway)
        let lines = r.lines(slow: "slow", fast: "fast")
        #expect(lines[0].contains("this run shows no move"))
        #expect(lines.contains { $0.contains("was not told _MAX_POLL_EXCEEDED") })
        #expect(!lines.contains { $0.contains("left the group on its behalf") })
    }

    @Test func aSlowMemberThatNeverGotAMessageShowsNothing() {
        let r = Self.report(Self.joined, stoppedAt: nil, backAt: nil, errors: [])
        #expect(
            r.lines(slow: "slow", fast: "fast") == [
                "slow never received a message to process, so it never stopped polling: nothing to show (is the topic empty?)"
            ])
    }

    @Test func timingsKeepLibrdkafkasRuleAndTheMocksFirstJoin() {
        for t in [MaxPollDemo.Timings.embedded, .real] {
            #expect(
                t.maxPollIntervalMs >= t.sessionTimeoutMs,
                "librdkafka refuses max.poll.interval.ms < session.timeout.ms")
            #expect(t.processSeconds * 1000 > Double(t.maxPollIntervalMs + t.sessionTimeoutMs))
        }
        #expect(MaxPollDemo.Timings.embedded.sessionTimeoutMs > 3_000, "the mock's first join takes 3 s")
        #expect(MaxPollDemo.Timings.real.sessionTimeoutMs >= 6_000, "group.min.session.timeout.ms")
    }
}

@Suite struct PollIntervalTextTests {
    @Test func conceptAndNoteSayTheClientEnforcesItAndPointAtTheDemo() throws {
        let concept = try #require(Concepts.named("max.poll.interval.ms"))
        let text = concept.text.replacingOccurrences(of: "\n", with: " ")
        #expect(text.contains("librdkafka enforces max.poll.interval.ms in the client"))
        #expect(text.contains("at least session.timeout.ms"))
        #expect(concept.commands.contains("group max-poll"))
        #expect(PropertyNotes.note(for: "max.poll.interval.ms")?.contains("group max-poll") == true)
    }
}
