import Testing

@testable import Lab

@Suite("Rebalance timeline: ownership replay and change accounting")
struct RebalanceTimelineTests {
    func r(
        _ member: String, _ time: Double, _ kind: RebalanceRecord.Kind, _ parts: [Int32], incremental: Bool = false
    ) -> RebalanceRecord {
        RebalanceRecord(member: member, time: time, kind: kind, partitions: parts, incremental: incremental)
    }

    /// Three eager members on six partitions, then a fourth joins: everyone
    /// gives everything back and gets a new set.
    var eagerScaleOut: RebalanceTimeline {
        RebalanceTimeline([
            r("c1", 1, .assigned, [0, 1]), r("c2", 1, .assigned, [2, 3]), r("c3", 1, .assigned, [4, 5]),
            // c4 joins at 10
            r("c1", 11, .revoked, [0, 1]), r("c2", 11.2, .revoked, [2, 3]), r("c3", 11.4, .revoked, [4, 5]),
            r("c1", 15, .assigned, [0, 1]), r("c2", 15, .assigned, [2, 3]), r("c3", 15, .assigned, [4]),
            r("c4", 15, .assigned, [5]),
        ])
    }

    /// The same change under the incremental protocol: only partition 5 moves.
    var cooperativeScaleOut: RebalanceTimeline {
        RebalanceTimeline([
            r("c1", 1, .assigned, [0, 1], incremental: true), r("c2", 1, .assigned, [2, 3], incremental: true),
            r("c3", 1, .assigned, [4, 5], incremental: true),
            r("c1", 15, .assigned, [], incremental: true), r("c2", 15, .assigned, [], incremental: true),
            r("c3", 15, .revoked, [5], incremental: true), r("c4", 15, .assigned, [], incremental: true),
            r("c4", 20, .assigned, [5], incremental: true),
        ])
    }

    @Test func replaysEagerAssignmentsAsWholeSets() {
        let t = eagerScaleOut
        #expect(t.ownership(at: 5) == ["c1": [0, 1], "c2": [2, 3], "c3": [4, 5]])
        // Between the revocations and the new assignment nobody owns anything.
        #expect(t.ownership(at: 12).isEmpty)
        #expect(t.ownership() == ["c1": [0, 1], "c2": [2, 3], "c3": [4], "c4": [5]])
    }

    @Test func replaysIncrementalAssignmentsAsDeltas() {
        let t = cooperativeScaleOut
        #expect(t.ownership(at: 16) == ["c1": [0, 1], "c2": [2, 3], "c3": [4]])
        #expect(t.ownership() == ["c1": [0, 1], "c2": [2, 3], "c3": [4], "c4": [5]])
    }

    @Test func eagerScaleOutRevokesAndStopsEveryMember() {
        let c = eagerScaleOut.change(from: 10, to: 15)
        #expect(c.moved == 1)
        #expect(c.revoked == 6)
        #expect(c.stoppedMembers == ["c1", "c2", "c3"])
        #expect(c.revokedWhileKeeping == ["c1", "c2", "c3"])
        #expect(abs(c.longestIdle - 4.0) < 1e-9)
        #expect(c.longestIdleMember == "c1")
    }

    @Test func cooperativeScaleOutLeavesKeepersAlone() {
        let c = cooperativeScaleOut.change(from: 10, to: 20)
        #expect(c.moved == 1)
        #expect(c.revoked == 1)
        #expect(c.stoppedMembers.isEmpty)
        #expect(c.revokedWhileKeeping.isEmpty)
        #expect(c.longestIdle == 0)
    }

    @Test func aLeavingMembersPartitionsCountAsMovedButItIsNotAPause() {
        var t = eagerScaleOut
        // c4 leaves at 30: its revocation, then the others take p5 over.
        t.append(r("c4", 30.1, .revoked, [5]))
        for (m, parts) in [("c1", [Int32(0), 1]), ("c2", [2, 3]), ("c3", [4, 5])] {
            t.append(r(m, 31, .revoked, []))
            t.append(r(m, 35, .assigned, parts))
        }
        let c = t.change(from: 30, to: 35)
        #expect(c.moved == 1)
        #expect(!c.stoppedMembers.contains("c4"))
        #expect(c.stoppedMembers == ["c1", "c2", "c3"])
    }

    @Test func problemsNameUnownedDoubleOwnedAndStrangers() {
        let all: Set<Int32> = [0, 1, 2, 3]
        #expect(
            RebalanceTimeline.problems(in: ["a": [0, 1], "b": [2, 3]], members: ["a", "b"], partitions: all).isEmpty)
        let p = RebalanceTimeline.problems(
            in: ["a": [0, 1], "b": [1], "gone": [3]], members: ["a", "b", "c"], partitions: all)
        #expect(p.contains("nobody owns p2"))
        #expect(p.contains("partition 1 is owned by a and b"))
        #expect(p.contains("gone is not in the group but still owns p3"))
        #expect(p.contains("c owns nothing"))
    }

    @Test func describesPartitionRuns() {
        #expect(RebalanceTimeline.describe([0, 1, 2, 5, 7, 8]) == "p0-2,5,7-8")
        #expect(RebalanceTimeline.describe([]) == "-")
    }

    @Test func appendKeepsTimeOrder() {
        var t = RebalanceTimeline()
        t.append(r("a", 2, .assigned, [1]))
        t.append(r("a", 1, .assigned, [0]))
        #expect(t.records.map(\.time) == [1, 2])
        #expect(t.ownership() == ["a": [1]])
    }
}
