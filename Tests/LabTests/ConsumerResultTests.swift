import Testing

@testable import Lab

/// The consumers lab's results: one value rendered to text and to JSON carries the same figures.
@Suite("Consumer results: text and JSON from one value")
struct ConsumerResultTests {
    @Test func groupDescribe() {
        let r = RenderedResult(
            GroupDescribeResult(
                group: "g", state: "Stable", protocol: "range", coordinator: 2,
                members: [
                    .init(
                        memberID: "m-1", clientID: "c1", host: "/10.0.0.1", groupInstanceID: nil,
                        assignment: [.init(topic: "t", partition: 0), .init(topic: "t", partition: 1)])
                ]))
        #expect(r.text.hasPrefix("group g  state Stable  protocol range  coordinator 2  members 1\n"))
        #expect(r.hasRow(["m-1", "c1", "/10.0.0.1", "-", "t:p0-1"]), "\(r.text)")
        #expect(
            r.json.serialized()
                == #"{"group":"g","state":"Stable","protocol":"range","coordinator":2,"members":[{"member_id":"m-1","client_id":"c1","host":"/10.0.0.1","group_instance_id":null,"assignment":[{"topic":"t","partition":0},{"topic":"t","partition":1}]}]}"#
        )
        let empty = RenderedResult(
            GroupDescribeResult(group: "g", state: "Empty", protocol: "", coordinator: nil, members: []))
        #expect(empty.text == "group g  state Empty  protocol -  coordinator ?  members 0\n")
        #expect(empty.json["coordinator"] == .null && empty.json["members"] == .array([]))
    }

    @Test func seed() {
        let r = RenderedResult(
            SeedResult(
                topic: "s", created: true, partitions: 3, sent: 200, delivered: 200, failed: 0, sizeBytes: 1024,
                durationMs: 500, msgsPerSec: 400, messagesInTopic: 200, planned: 200, readableMessages: 200,
                unreadable: nil))
        #expect(
            r.text
                == "created s (3 partitions); seeded s: 200 of 200 message(s) of 1024 B (0.2 MiB) in 0.50 s: 400 msgs/s, 0.4 MiB/s\ns now holds 200 message(s) in 3 partitions\n"
        )
        #expect(
            r.json.serialized()
                == #"{"topic":"s","created":true,"partitions":3,"sent":200,"delivered":200,"failed":0,"size_bytes":1024,"duration_ms":500.0,"msgs_per_sec":400.0,"messages_in_topic":200}"#
        )
        let partly = RenderedResult(
            SeedResult(
                topic: "s", created: false, partitions: 3, sent: 50, delivered: 40, failed: 0, sizeBytes: 10,
                durationMs: 100, msgsPerSec: 400, messagesInTopic: nil, planned: 200, readableMessages: 30,
                unreadable: (1, "timed out")))
        #expect(
            partly.text.contains(
                "s now holds at least 30 message(s) in 3 partitions (the watermarks of 1 could not be read: timed out)")
        )
        #expect(partly.text.contains("interrupted (Ctrl-C) after 50 of 200 were sent: 40 delivered, 10 dropped"))
        #expect(partly.json["messages_in_topic"] == .null)
    }

    @Test func maxPoll() {
        typealias R = RebalanceRecord
        let records = [
            R(member: "slow", time: 3, kind: .assigned, partitions: [0], incremental: false),
            R(member: "fast", time: 3, kind: .assigned, partitions: [1], incremental: false),
            R(member: "fast", time: 9.5, kind: .assigned, partitions: [1, 0], incremental: false),
        ]
        let report = MaxPollReport(
            timeline: RebalanceTimeline(records), slow: "slow", fast: "fast", stoppedAt: 3.1, backAt: 9.6,
            errors: [(9.65, "_MAX_POLL_EXCEEDED")], maxPollIntervalMs: 3_500, sessionTimeoutMs: 3_500, embedded: true)
        let r = RenderedResult(
            MaxPollResult(
                group: "g", topic: "max-poll-demo", processingMs: 9_000, report: report,
                events: [
                    .init(timeMs: 3000, member: "slow", event: "assigned", partitions: [0]),
                    .init(timeMs: 3100, member: "slow", event: "last poll, then processing", partitions: []),
                    .init(timeMs: 9500, member: "fast", event: "assigned", partitions: [0, 1]),
                    .init(timeMs: 9650, member: "slow", event: "poll returned _MAX_POLL_EXCEEDED", partitions: []),
                ]))
        #expect(r.hasRow(["3.0", "s", "slow", "assigned", "0"]), "\(r.text)")
        #expect(r.hasRow(["9.5", "s", "fast", "assigned", "0,1"]), "\(r.text)")
        #expect(r.hasRow(["9.7", "s", "slow", "poll", "returned", "_MAX_POLL_EXCEEDED"]), "\(r.text)")
        #expect(r.text.contains("partition(s) 0 moved from slow to fast at 9.5 s, 6.4 s after slow's last poll"))
        #expect(r.text.contains("slow polled again at 9.6 s and got _MAX_POLL_EXCEEDED"))
        #expect(
            r.json.serialized()
                == #"{"group":"g","topic":"max-poll-demo","embedded":true,"session_timeout_ms":3500,"max_poll_interval_ms":3500,"processing_ms":9000,"slow_partitions":[0],"slow_stopped_at_ms":3100,"moved_at_ms":9500,"max_poll_exceeded_at_ms":9650,"slow_back_at_ms":9600,"moved_while_slow_was_away":true,"events":[{"time_ms":3000.0,"member":"slow","event":"assigned","partitions":[0]},{"time_ms":3100.0,"member":"slow","event":"last poll, then processing","partitions":[]},{"time_ms":9500.0,"member":"fast","event":"assigned","partitions":[0,1]},{"time_ms":9650.0,"member":"slow","event":"poll returned _MAX_POLL_EXCEEDED","partitions":[]}]}"#
        )
        let nothing = MaxPollReport(
            timeline: RebalanceTimeline([]), slow: "slow", fast: "fast", stoppedAt: nil, backAt: nil, errors: [],
            maxPollIntervalMs: 6_000, sessionTimeoutMs: 6_000, embedded: false)
        let none = RenderedResult(
            MaxPollResult(group: "g", topic: "t", processingMs: 15_000, report: nothing, events: []))
        #expect(none.text.contains("slow never received a message to process"))
        #expect(none.json["slow_stopped_at_ms"] == .null && none.json["moved_at_ms"] == .null)
        #expect(none.json["moved_while_slow_was_away"] == .bool(false) && none.json["embedded"] == .bool(false))
    }

    @Test func groupStrategies() {
        func phase(_ name: String, _ measured: AssignmentChange?) -> GroupStrategiesResult.Phase {
            GroupStrategiesResult.Phase(
                phase: name, change: name == "join" ? "2 consumer(s) join" : "c3 joins", settled: true,
                settledAfter: 2.5, assignment: ["c2": [2, 3], "c1": [1, 0]], problems: [], measured: measured)
        }
        let eager = AssignmentChange(
            moved: 2, revoked: 4, stoppedMembers: ["c1", "c2"], revokedWhileKeeping: ["c1"], longestIdle: 2.25,
            longestIdleMember: "c2")
        let cooperative = AssignmentChange(
            moved: 1, revoked: 1, stoppedMembers: [], revokedWhileKeeping: [], longestIdle: 0, longestIdleMember: nil)
        let event = RebalanceRecord(member: "c1", time: 1.5, kind: .revoked, partitions: [0, 1], incremental: false)
        let r = RenderedResult(
            GroupStrategiesResult(
                topic: "t", partitions: 4, consumers: 2, sessionTimeoutMs: 3000, cluster: "embedded",
                strategies: [
                    .init(
                        strategy: "range", group: "g1", protocol: "eager",
                        phases: [phase("join", nil), phase("scale-out", eager)], events: [.init(event)]),
                    .init(
                        strategy: "cooperative-sticky", group: "g2", protocol: "cooperative",
                        phases: [phase("scale-out", cooperative)], events: []),
                ], embedded: false))
        #expect(r.hasRow(["range", "c3", "joins", "2", "4", "1", "2", "2.2", "s", "2.5", "s"]), "\(r.text)")
        #expect(r.hasRow(["cooperative-sticky", "c3", "joins", "1", "1", "0", "0", "0", "s", "2.5", "s"]), "\(r.text)")
        #expect(
            r.text.contains(
                "range (eager): when c3 joined, 1 member(s) gave back partitions they then got again, and 2 owned nothing for up to 2.2 s"
            ))
        #expect(r.text.contains("cooperative-sticky: only the 1 partition(s) that moved were revoked; 0 member(s)"))
        #expect(!r.text.contains("embedded: each rebalance"))
        let range = r.json["strategies"]?[0]
        #expect(
            range?["phases"]?[0]?.serialized()
                == #"{"phase":"join","change":"2 consumer(s) join","settled":true,"settled_after_ms":2500.0,"assignment":[{"member":"c1","partitions":[0,1]},{"member":"c2","partitions":[2,3]}],"problems":[]}"#
        )
        #expect(
            range?["phases"]?[1]?.serialized()
                == #"{"phase":"scale-out","change":"c3 joins","settled":true,"settled_after_ms":2500.0,"assignment":[{"member":"c1","partitions":[0,1]},{"member":"c2","partitions":[2,3]}],"problems":[],"moved":2,"revoked":4,"revoked_while_keeping":["c1"],"stopped_members":["c1","c2"],"longest_idle_ms":2250.0,"longest_idle_member":"c2"}"#
        )
        #expect(
            range?["events"]?.serialized()
                == #"[{"time_ms":1500.0,"member":"c1","kind":"revoked","partitions":[0,1],"incremental":false}]"#)
        #expect(r.json["strategies"]?[1]?["phases"]?[0]?["longest_idle_member"] == .null)
        #expect(r.json["session_timeout_ms"] == .int(3000) && r.json["partitions"] == .int(4))
    }

    @Test func groupStatic() {
        func run(_ mode: String, changes: Int, back: Bool, after: Double?) -> GroupStaticResult.Run {
            GroupStaticResult.Run(
                mode: mode, group: "g-\(mode)", settled: true, othersChanges: changes, othersRevoked: changes * 2,
                partitionsBack: back, backAfter: after, longestIdle: 0.5, before: ["c1": [0], "c2": [1]],
                after: ["c2": [1], "c1": [0]])
        }
        let r = RenderedResult(
            GroupStaticResult(
                topic: "t", consumers: 2, sessionTimeoutMs: 10_000, cluster: "compose", staticMembershipSupported: true,
                runs: [
                    run("static", changes: 0, back: true, after: 1.25),
                    run("dynamic", changes: 2, back: false, after: nil),
                ]))
        #expect(r.hasRow(["static", "no", "0", "0", "yes", "1.2", "s", "0.5", "s"]), "\(r.text)")
        #expect(r.hasRow(["dynamic", "yes", "2", "4", "no", "-", "0.5", "s"]), "\(r.text)")
        #expect(
            r.text.contains(
                "Reading: with group.instance.id the restart caused no rebalance and c1 got its partitions back; without it the restart rebalanced the group."
            ))
        #expect(
            r.json.serialized()
                == #"{"topic":"t","consumers":2,"session_timeout_ms":10000,"cluster":"compose","static_membership_supported":true,"runs":[{"mode":"static","group":"g-static","settled":true,"rebalanced":false,"others_changes":0,"others_revoked":0,"partitions_back":true,"c1_assigned_after_ms":1250.0,"others_longest_idle_ms":500.0,"before":[{"member":"c1","partitions":[0]},{"member":"c2","partitions":[1]}],"after":[{"member":"c1","partitions":[0]},{"member":"c2","partitions":[1]}]},{"mode":"dynamic","group":"g-dynamic","settled":true,"rebalanced":true,"others_changes":2,"others_revoked":4,"partitions_back":false,"c1_assigned_after_ms":null,"others_longest_idle_ms":500.0,"before":[{"member":"c1","partitions":[0]},{"member":"c2","partitions":[1]}],"after":[{"member":"c1","partitions":[0]},{"member":"c2","partitions":[1]}]}]}"#
        )
        let mock = RenderedResult(
            GroupStaticResult(
                topic: "t", consumers: 2, sessionTimeoutMs: 3000, cluster: "embedded", staticMembershipSupported: false,
                runs: [
                    run("static", changes: 2, back: true, after: 4), run("dynamic", changes: 2, back: true, after: 4),
                ]))
        #expect(mock.text.contains("Reading: the embedded cluster treats the restarted static member as a new one"))
        #expect(mock.json["static_membership_supported"] == .bool(false))
    }
}
