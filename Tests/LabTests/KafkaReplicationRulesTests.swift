import Testing

@testable import Lab

/// Kafka 3.9's replication rules (`KafkaReplicationRules`), which both the `sim`
/// model and the compose stand-in decide with.
@Suite("Kafka 3.9 replication rules shared by the model and the stand-in")
struct KafkaReplicationRulesTests {
    @Test func theLeaderIsTheFirstLiveIsrMemberInReplicaOrderNotTheLowestId() {
        let alive: Set = [1, 2]
        let choice = KafkaReplicationRules.electLeader(
            replicas: [3, 2, 1], isr: [1, 2, 3], current: 3, unclean: false, isAlive: alive.contains)
        #expect(choice?.leader == 2 && choice?.unclean == false)
        // A valid current leader stays.
        let kept = KafkaReplicationRules.electLeader(
            replicas: [3, 2, 1], isr: [1, 2], current: 1, unclean: false, isAlive: alive.contains)
        #expect(kept?.leader == 1)
    }

    @Test func noReplicaOutsideTheIsrLeadsUnlessUncleanElectionIsOn() {
        let alive: Set = [2, 3]
        #expect(
            KafkaReplicationRules.electLeader(
                replicas: [1, 2, 3], isr: [1], current: nil, unclean: false, isAlive: alive.contains) == nil)
        let unclean = KafkaReplicationRules.electLeader(
            replicas: [1, 3, 2], isr: [1], current: nil, unclean: true, isAlive: alive.contains)
        #expect(unclean?.leader == 3 && unclean?.unclean == true)
    }

    @Test func fencingNeverEmptiesTheIsr() {
        #expect(KafkaReplicationRules.isr([1, 2, 3], without: 2) == [1, 3])
        #expect(KafkaReplicationRules.isr([2], without: 2) == [2])
    }

    @Test func aCrashedBrokerCannotRegisterAgainUntilItsSessionExpires() {
        #expect(KafkaReplicationRules.fenceTime(lastHeartbeatMs: 1_000, sessionTimeoutMs: 9_000) == 10_000)
        #expect(
            !KafkaReplicationRules.mayRegister(
                previousFenced: false, lastHeartbeatMs: 1_000, sessionTimeoutMs: 9_000, nowMs: 9_999))
        #expect(
            KafkaReplicationRules.mayRegister(
                previousFenced: false, lastHeartbeatMs: 1_000, sessionTimeoutMs: 9_000, nowMs: 10_000))
        // A controlled shutdown fenced it: it may register at once.
        #expect(
            KafkaReplicationRules.mayRegister(
                previousFenced: true, lastHeartbeatMs: 1_000, sessionTimeoutMs: 9_000, nowMs: 1_001))
    }

    @Test func anIsrShrinkLandsAfterTheLagTimeAndAtMostHalfOfItLater() {
        // Checks every 15 s from 0: whenever the follower last caught up, the shrink comes
        // more than 30 s and at most 45 s later.
        for caughtUp in stride(from: 0, through: 40_000, by: 1_250) {
            let at = KafkaReplicationRules.shrinkTime(lastCaughtUpMs: caughtUp, checksStartedAtMs: 0, maxLagMs: 30_000)
            #expect(at - caughtUp > 30_000 && at - caughtUp <= 45_000, "caught up at \(caughtUp): shrink at \(at)")
            #expect(at % 15_000 == 0)
        }
        #expect(
            KafkaReplicationRules.isOutOfSync(
                followerLeo: 5, leaderLeo: 9, lastCaughtUpMs: 0, nowMs: 30_001, maxLagMs: 30_000))
        #expect(
            !KafkaReplicationRules.isOutOfSync(
                followerLeo: 9, leaderLeo: 9, lastCaughtUpMs: 0, nowMs: 90_000, maxLagMs: 30_000))
    }

    @Test func aFollowerRejoinsOnlyOnceCaughtUpToTheHighWatermarkAndTheEpochStart() {
        #expect(!KafkaReplicationRules.mayJoinIsr(followerLeo: 4, leaderHighWatermark: 5, leaderEpochStartOffset: 0))
        #expect(!KafkaReplicationRules.mayJoinIsr(followerLeo: 5, leaderHighWatermark: 5, leaderEpochStartOffset: 7))
        #expect(KafkaReplicationRules.mayJoinIsr(followerLeo: 7, leaderHighWatermark: 5, leaderEpochStartOffset: 7))
        #expect(!KafkaReplicationRules.mayJoinIsr(followerLeo: 7, leaderHighWatermark: 5, leaderEpochStartOffset: nil))
    }

    @Test func onlyAcksAllIsRefusedBelowMinIsr() {
        #expect(KafkaReplicationRules.refusesAppend(acksAll: true, isrSize: 1, minInsyncReplicas: 2))
        #expect(!KafkaReplicationRules.refusesAppend(acksAll: true, isrSize: 2, minInsyncReplicas: 2))
        #expect(!KafkaReplicationRules.refusesAppend(acksAll: false, isrSize: 1, minInsyncReplicas: 2))
    }

    @Test func theModelRefusesAQuickRestartUntilTheOldSessionExpires() throws {
        var m = ReplicationModel()
        _ = try m.kill(2)
        _ = try m.tick(4_000)
        #expect(throws: ModelError.self) { try m.start(2) }
        let refused = (try? m.start(2)) == nil
        #expect(refused && !m.replica(2).up && m.isr == [1, 2, 3])
        _ = try m.tick(5_000)  // 9 s: fenced
        #expect(m.isr == [1, 3] && m.replica(2).fenced)
        let step = try m.start(2)
        #expect(m.replica(2).up && step.error == nil)
    }
}
