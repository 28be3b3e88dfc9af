import Testing

@testable import Lab

/// Every rule of the replication model, with the exact states it must reach.
@Suite("sim: the replication model's rules")
struct SimModelTests {
    /// A replica's log as `value/eEPOCH` cells.
    private func log(_ m: ReplicationModel, _ id: Int) -> [String] {
        m.replica(id).log.map { "\($0.value)/e\($0.epoch)" }
    }

    private func status(_ m: ReplicationModel, _ value: String) -> ModelWrite.Status? {
        m.writes.first { $0.value == value }?.status
    }

    /// Produces and replicates `count` acks=all records to every follower (two fetch rounds).
    private func replicated(_ count: Int, _ config: ModelConfig = ModelConfig()) throws -> ReplicationModel {
        var m = ReplicationModel(config)
        _ = try m.produce(acks: .all, count: count)
        _ = try SimAction.fetch(nil).apply(to: &m)
        _ = try SimAction.fetch(nil).apply(to: &m)
        return m
    }

    @Test func aNewModelHasLeaderOneEpochZeroAndAFullIsr() {
        let m = ReplicationModel()
        #expect(m.leader == 1)
        #expect(m.leaderEpoch == 0)
        #expect(m.isr == [1, 2, 3])
        #expect(m.replicas.map(\.leo) == [0, 0, 0])
        #expect(m.replica(1).epochCache == [EpochEntry(epoch: 0, startOffset: 0)])
        #expect(m.config.replicaLagTimeMaxMs == 30_000)
    }

    @Test func theLeaderAppendsRecordsStampedWithItsEpoch() throws {
        var m = ReplicationModel()
        let step = try m.produce(acks: .all, count: 2)
        #expect(step.error == nil)
        #expect(log(m, 1) == ["m0/e0", "m1/e0"])
        #expect(m.replica(1).leo == 2)
        #expect(m.replica(1).hw == 0)
        #expect(m.replica(2).leo == 0 && m.replica(3).leo == 0)
        #expect(status(m, "m0") == .pending && status(m, "m1") == .pending)
    }

    @Test func followersCopyFromTheirLeoAndLearnTheHighWatermarkOneFetchLate() throws {
        var m = ReplicationModel()
        _ = try m.produce(acks: .all, count: 2)
        _ = try m.fetch(2)
        #expect(log(m, 2) == ["m0/e0", "m1/e0"])
        #expect(m.replica(2).leo == 2 && m.replica(2).hw == 0)
        #expect(m.replica(2).knownLeo == 0)  // the leader only knows the fetch offset
        _ = try m.fetch(3)
        _ = try m.fetch(2)
        #expect(m.replica(2).knownLeo == 2)
        #expect(m.replica(1).hw == 0)  // broker 3 is known only at 0
        let step = try m.fetch(3)
        #expect(m.replica(1).hw == 2)  // min LEO over the ISR
        #expect(m.replica(3).hw == 0)  // the response carried the HW from before the fetch
        #expect(m.replica(2).hw == 0)
        #expect(step.answered == ["m0", "m1"])
        #expect(status(m, "m1") == .acknowledged)
        _ = try m.fetch(2)
        #expect(m.replica(2).hw == 2)
        #expect(m.replica(3).hw == 0)
    }

    @Test func theLeaderHighWatermarkIsTheLowestLeoInTheIsrAndNeverGoesBack() throws {
        var m = try replicated(1)
        #expect(m.replica(1).hw == 1)
        _ = try m.produce(acks: .all, count: 3)
        _ = try m.fetch(2)
        _ = try m.fetch(2)  // broker 2 known at 4, broker 3 at 1
        #expect(m.replica(1).hw == 1)
        _ = try m.stop(3)  // ISR {1,2}: the HW moves to broker 2's LEO
        #expect(m.isr == [1, 2])
        #expect(m.replica(1).hw == 4)
        #expect(m.writes.allSatisfy { $0.status == .acknowledged })
    }

    @Test func aFollowerNotCaughtUpForTheLagTimeLeavesTheIsrAndRejoinsOnceCaughtUp() throws {
        var m = ReplicationModel()
        _ = try m.produce(acks: .all, count: 3)
        _ = try m.fetch(2)
        _ = try m.fetch(2)
        let timedOut = try m.tick(30_000)
        #expect(m.isr == [1, 2, 3])  // the check at 30 s: exactly replica.lag.time.max.ms behind, still caught up
        // request.timeout.ms (30 s) ends before the shrink: the acks=all writes are answered REQUEST_TIMED_OUT.
        #expect(status(m, "m0") == .failed("REQUEST_TIMED_OUT"))
        #expect(
            timedOut.lines.contains { $0.hasPrefix("at 30 s acks=all writes m0, m1, m2 waited request.timeout.ms") })
        _ = try m.tick(14_999)
        #expect(m.isr == [1, 2, 3])  // the next check runs at 45 s (every replica.lag.time.max.ms / 2)
        let step = try m.tick(1)
        #expect(m.isr == [1, 2])
        #expect(m.replica(1).hw == 3)
        #expect(
            step.lines.contains {
                $0.contains("at 45 s the leader's ISR check (every replica.lag.time.max.ms / 2 = 15 s) drops broker 3")
            })
        _ = try m.fetch(3)
        #expect(m.replica(3).leo == 3)
        #expect(m.isr == [1, 2])  // it fetched from 0, below the HW
        _ = try m.fetch(3)
        #expect(m.isr == [1, 2, 3])  // fetching from the HW: caught up
        #expect(m.clockMs == 45_000)
    }

    @Test func aFollowerThatHasEverythingStaysInTheIsrWithoutFetching() throws {
        var m = try replicated(2)
        _ = try m.tick(120_000)
        #expect(m.isr == [1, 2, 3])
    }

    @Test func theLagClockCountsFromTheLastFetchThatReachedTheLeadersEnd() throws {
        var m = ReplicationModel()
        _ = try m.produce(acks: .all, count: 1)
        _ = try m.tick(20_000)
        _ = try m.fetch(2)  // from 0: caught up as of the previous fetch (time 0)
        #expect(m.replica(2).lastCaughtUpMs == 0)
        _ = try m.fetch(2)  // from 1 = leader LEO: caught up now
        #expect(m.replica(2).lastCaughtUpMs == 20_000)
        _ = try m.tick(10_000)
        #expect(m.isr == [1, 2, 3])  // the check at 30 s: broker 3 lagged exactly 30 s, not more
        _ = try m.tick(15_000)
        #expect(m.isr == [1, 2])  // the check at 45 s: broker 3 lagged 45 s, broker 2 only 25 s
    }

    @Test func aStoppedBrokerLeavesTheIsrAtOnceButTheLastMemberStays() throws {
        var m = try replicated(1)
        _ = try m.stop(3)
        #expect(m.isr == [1, 2])
        #expect(!m.replica(3).up && m.replica(3).fenced)
        _ = try m.stop(2)
        #expect(m.isr == [1])
        _ = try m.stop(1)
        #expect(m.isr == [1])
        #expect(m.leader == nil)
        #expect(m.leaderEpoch == 0)
    }

    @Test func aCrashedBrokerStaysInTheIsrUntilFencedAfterTheSessionTimeout() throws {
        var m = try replicated(1)
        _ = try m.kill(1)
        #expect(m.isr == [1, 2, 3] && m.leader == 1)
        let refused = try m.produce(acks: .all)
        #expect(refused.error == "REQUEST_TIMED_OUT")
        #expect(throws: ModelError.self) { try m.fetch(2) }
        _ = try m.tick(8_999)
        #expect(m.leader == 1)
        _ = try m.tick(1)
        #expect(m.isr == [2, 3])
        #expect(m.leader == 2 && m.leaderEpoch == 1)
        #expect(m.replica(1).fenced)
    }

    @Test func acksAllIsRefusedBelowMinInsyncReplicasAndAcksOneIsNot() throws {
        var m = try replicated(1, ModelConfig(minInsyncReplicas: 2))
        _ = try m.stop(2)
        _ = try m.stop(3)
        let refused = try m.produce(acks: .all)
        #expect(refused.error == "NOT_ENOUGH_REPLICAS")
        #expect(m.replica(1).leo == 1)
        #expect(m.writes.count == 1)
        let accepted = try m.produce(acks: .leader)
        #expect(accepted.error == nil)
        #expect(log(m, 1) == ["m0/e0", "m1/e0"])
        #expect(status(m, "m1") == .acknowledged)
        let fireAndForget = try m.produce(acks: .none)
        #expect(fireAndForget.error == nil)
        #expect(status(m, "m2") == .unacknowledged)
    }

    @Test func acksAllIsAnsweredOnlyWhenTheHighWatermarkPassesIt() throws {
        var m = ReplicationModel(ModelConfig(minInsyncReplicas: 2).playing(.v3_6))
        _ = try m.produce(acks: .all)
        #expect(status(m, "m0") == .pending)
        _ = try SimAction.fetch(nil).apply(to: &m)
        #expect(status(m, "m0") == .pending)
        _ = try SimAction.fetch(nil).apply(to: &m)
        #expect(status(m, "m0") == .acknowledged)
        // Committed with the ISR below min.insync.replicas: the producer hears NOT_ENOUGH_REPLICAS_AFTER_APPEND.
        _ = try m.produce(acks: .all)
        _ = try m.stop(2)
        #expect(status(m, "m1") == .pending)
        _ = try m.stop(3)
        #expect(m.replica(1).hw == 2)
        #expect(status(m, "m1") == .failed("NOT_ENOUGH_REPLICAS_AFTER_APPEND"))
    }

    /// KAFKA-15583 (3.7+): the HW stays while the ISR is below min.insync.replicas.
    @Test func since37TheHighWatermarkWaitsForTheIsrToReachMinInsyncReplicas() throws {
        var m = ReplicationModel(ModelConfig(minInsyncReplicas: 2))
        #expect(m.config.kafka == .v3_9)
        _ = try m.produce(acks: .all)
        _ = try SimAction.fetch(nil).apply(to: &m)
        _ = try SimAction.fetch(nil).apply(to: &m)
        _ = try m.produce(acks: .all)
        _ = try m.stop(2)
        let shrunk = try m.stop(3)
        #expect(m.isr == [1])
        #expect(m.replica(1).hw == 1)  // 3.6 moves it to 2 here
        #expect(status(m, "m1") == .pending)
        #expect(shrunk.lines.contains { $0.hasPrefix("leader HW stays at 1, though the ISR {1} holds up to 2") })
        let acksOne = try m.produce(acks: .leader)
        #expect(acksOne.error == nil && status(m, "m2") == .acknowledged)
        #expect(m.replica(1).hw == 1)  // acknowledged, but no consumer can read m2
        #expect(acksOne.lines[0].contains("no consumer can read it until the ISR grows"))
        #expect(try m.produce(acks: .all).error == "NOT_ENOUGH_REPLICAS")
        _ = try m.tick(30_000)
        #expect(status(m, "m1") == .failed("REQUEST_TIMED_OUT"))
        _ = try m.start(2)
        _ = try m.fetch(2)  // from 1, the HW: back in the ISR, which now reaches min.insync.replicas
        #expect(m.isr == [1, 2])
        #expect(m.replica(1).hw == 1)
        _ = try m.fetch(2)
        #expect(m.replica(1).hw == 3)
    }

    @Test func anElectionPicksTheFirstRunningIsrMemberAndBumpsTheEpoch() throws {
        var m = try replicated(2)
        _ = try m.produce(acks: .all)  // m2 pending on the leader only
        let step = try m.stop(1)
        #expect(m.leader == 2)
        #expect(m.leaderEpoch == 1)
        #expect(m.isr == [2, 3])
        #expect(
            m.replica(2).epochCache == [EpochEntry(epoch: 0, startOffset: 0), EpochEntry(epoch: 1, startOffset: 2)])
        #expect(status(m, "m2") == .failed("NOT_LEADER_OR_FOLLOWER"))
        #expect(step.lines.contains { $0.contains("election: broker 2 leads in epoch 1") })
        // New records carry the new epoch.
        _ = try m.produce(acks: .leader)
        #expect(log(m, 2) == ["m0/e0", "m1/e0", "m3/e1"])
    }

    @Test func withoutUncleanElectionAnOutOfSyncReplicaNeverLeads() throws {
        var m = try replicated(2)
        _ = try m.stop(3)
        _ = try m.stop(2)
        _ = try m.stop(1)
        _ = try m.start(3)
        #expect(m.leader == nil)
        #expect(m.isr == [1])
        _ = try m.elect()
        #expect(m.leader == nil)
        #expect(throws: ModelError.self) { try m.elect(3) }
        _ = try m.start(1)  // the last ISR member returns and leads
        #expect(m.leader == 1 && m.leaderEpoch == 1)
        #expect(m.lostWrites.isEmpty)
    }

    @Test func uncleanElectionRestoresAvailabilityAndLosesAcknowledgedRecords() throws {
        var m = try replicated(2)
        _ = try m.stop(3)
        _ = try m.produce(acks: .all, count: 2)
        _ = try m.fetch(2)
        _ = try m.fetch(2)
        #expect(status(m, "m3") == .acknowledged)
        _ = try m.stop(2)
        _ = try m.stop(1)
        _ = try m.start(3)
        _ = try m.set("unclean", "on")
        _ = try m.elect()
        #expect(m.leader == 3)
        #expect(m.leaderEpoch == 1)
        #expect(m.isr == [3])
        #expect(m.lostWrites.map(\.value) == ["m2", "m3"])
        _ = try m.produce(acks: .all)
        _ = try m.start(1)
        _ = try m.fetch(1)  // leader epochs: broker 1 cuts what broker 3 never had
        #expect(log(m, 1) == ["m0/e0", "m1/e0", "m4/e1"])
        #expect(log(m, 3) == ["m0/e0", "m1/e0", "m4/e1"])
        #expect(m.lostWrites.map(\.value) == ["m2", "m3"])
    }

    /// KIP-101's first problem: two quick failovers before the followers learned the HW.
    private func doubleFailover(_ mode: TruncationMode, unclean: Bool = true) throws -> ReplicationModel {
        var m = try replicated(2, ModelConfig(uncleanLeaderElection: unclean, truncation: mode))
        #expect(m.replica(1).hw == 2 && m.replica(3).hw == 0)
        _ = try m.stop(1)
        _ = try m.stop(2)
        return m
    }

    @Test func truncatingToTheHighWatermarkLosesAcknowledgedRecords() throws {
        var m = try doubleFailover(.highWatermark)
        #expect(m.leader == 3 && m.leaderEpoch == 2)
        #expect(log(m, 3) == [])  // truncated to its HW 0 when broker 2 took over
        #expect(m.lostWrites.map(\.value) == ["m0", "m1"])
        _ = try m.start(1)
        #expect(log(m, 1) == ["m0/e0", "m1/e0"])  // its own HW is 2: nothing to cut
        _ = try m.fetch(1)  // beyond the leader's LEO: out of range, truncated
        #expect(log(m, 1) == [])
        #expect(m.replica(1).leo == 0)
    }

    /// 0.10.2 ReplicaFetcherThread.handleOffsetOutOfRange: no truncation allowed, the broker exits.
    @Test func withUncleanElectionOffAFollowerBeyondTheLeadersEndHalts() throws {
        var m = try doubleFailover(.highWatermark, unclean: false)
        _ = try m.start(1)
        let step = try m.fetch(1)
        #expect(log(m, 1) == ["m0/e0", "m1/e0"])
        #expect(!m.replica(1).up && m.replica(1).halted)
        #expect(step.lines[0].contains("so broker 1 exits (\"Exiting because log truncation is not allowed\""))
        #expect(ModelPicture.role(m.replica(1), in: m) == "halted")
    }

    @Test func leaderEpochsKeepThoseRecords() throws {
        var m = try doubleFailover(.leaderEpoch)
        #expect(m.leader == 3 && m.leaderEpoch == 2)
        #expect(log(m, 3) == ["m0/e0", "m1/e0"])
        #expect(m.replica(3).hw == 2)
        #expect(
            m.replica(3).epochCache == [EpochEntry(epoch: 0, startOffset: 0), EpochEntry(epoch: 2, startOffset: 2)])
        #expect(m.lostWrites.isEmpty)
        _ = try m.start(1)
        _ = try m.fetch(1)
        #expect(log(m, 1) == ["m0/e0", "m1/e0"])
    }

    @Test func withHighWatermarkTruncationLogsDivergeAndLeaderEpochsPreventIt() throws {
        var hw = try doubleFailover(.highWatermark)
        _ = try hw.produce(acks: .all, count: 2)
        _ = try hw.start(1)
        _ = try hw.fetch(1)
        _ = try hw.fetch(1)
        #expect(hw.isr == [1, 3])
        #expect(log(hw, 1) == ["m0/e0", "m1/e0"])
        #expect(log(hw, 3) == ["m2/e2", "m3/e2"])
        #expect(hw.divergence.map(\.replica) == [1])
        #expect(hw.divergence.first?.offsets == [0, 1])

        var epoch = try doubleFailover(.leaderEpoch)
        _ = try epoch.produce(acks: .all, count: 2)
        _ = try epoch.start(1)
        _ = try epoch.fetch(1)
        #expect(log(epoch, 1) == ["m0/e0", "m1/e0", "m2/e2", "m3/e2"])
        #expect(epoch.divergence.isEmpty)
    }

    @Test func aFollowerWithRecordsOfAnEpochTheLeaderNeverHadTruncatesToWhereItsOwnEpochEnded() throws {
        // Broker 1 leads epoch 0 with m0 replicated; it appends m1 alone, then loses leadership.
        var m = try replicated(1)
        _ = try m.produce(acks: .leader)
        _ = try m.stop(1)  // broker 2 leads epoch 1 from offset 1
        _ = try m.produce(acks: .leader, count: 2)
        _ = try m.start(1)
        #expect(log(m, 1) == ["m0/e0", "m1/e0"])
        _ = try m.fetch(1)
        #expect(log(m, 1) == ["m0/e0", "m2/e1", "m3/e1"])
        #expect(
            m.replica(1).epochCache == [EpochEntry(epoch: 0, startOffset: 0), EpochEntry(epoch: 1, startOffset: 1)])
    }

    @Test func theEpochCacheAnswersOffsetsForLeaderEpochAsKafkaDoes() throws {
        var m = try replicated(2)
        _ = try m.stop(1)
        _ = try m.produce(acks: .leader, count: 2)
        let leader = m.replica(2)  // epochs: 0 from 0, 1 from 2; LEO 4
        #expect(leader.endOffset(forEpoch: 1)! == (1, 4))
        #expect(leader.endOffset(forEpoch: 0)! == (0, 2))
        #expect(leader.endOffset(forEpoch: 5) == nil)  // newer than any epoch here: UNDEFINED
    }

    @Test func aPreferredLeaderElectionReturnsLeadershipToBrokerOne() throws {
        var m = try replicated(1)
        _ = try m.stop(1)
        _ = try m.start(1)
        _ = try m.fetch(1)
        _ = try m.fetch(1)
        #expect(m.isr == [1, 2, 3])
        _ = try m.elect()
        #expect(m.leader == 1 && m.leaderEpoch == 2)
        #expect(throws: ModelError.self) { try m.elect() }
    }

    @Test func badRequestsThrowAndLeaveTheModelUnchanged() throws {
        var m = try replicated(1)
        let before = m
        for action in [
            SimAction.fetch(1), .fetch(9), .stop(0), .start(2), .set("min-isr", "7"), .set("truncation", "x"),
            .tick(ms: 0), .produce(acks: .all, count: 0), .elect(1), .elect(nil),
        ] {
            #expect(throws: ModelError.self) { try action.apply(to: &m) }
            #expect(m == before)
        }
    }

    @Test func settingsChangeTheRulesTheyName() throws {
        var m = ReplicationModel()
        _ = try m.set("min-isr", "2")
        _ = try m.set("lag-time", "10s")
        _ = try m.set("truncation", "hw")
        _ = try m.set("unclean", "true")
        #expect(
            m.config
                == ModelConfig(
                    minInsyncReplicas: 2, uncleanLeaderElection: true, replicaLagTimeMaxMs: 10_000,
                    truncation: .highWatermark))
        _ = try m.produce(acks: .all)
        _ = try m.tick(14_999)
        #expect(m.isr == [1, 2, 3])  // checks every 5 s: at 10 s they were exactly 10 s behind
        _ = try m.tick(1)
        #expect(m.isr == [1])
    }

    // MARK: versions

    /// KIP-279's case: the leader answers with an epoch the follower never had.
    private func kip279Case(_ version: KafkaVersion) throws -> ReplicationModel {
        var m = try replicated(1, ModelConfig(uncleanLeaderElection: true).playing(version))
        _ = try m.stop(1)  // broker 2 leads epoch 1 from offset 1
        _ = try m.produce(acks: .leader, count: 2)  // m1, m2 on broker 2 only
        _ = try m.stop(2)  // broker 3 leads epoch 2 from offset 1
        _ = try m.produce(acks: .leader)  // m3 on broker 3 only
        _ = try m.start(2)
        _ = try m.stop(3)  // unclean: broker 2 leads epoch 3 with its log intact
        #expect(m.leader == 2 && m.leaderEpoch == 3)
        _ = try m.start(3)
        _ = try m.fetch(3)
        return m
    }

    @Test func before20OneEpochRoundLeavesADivergenceThatKip279Removes() throws {
        let old = try kip279Case(.v0_11)
        #expect(log(old, 3) == ["m0/e0", "m3/e2", "m2/e1"])  // truncated to min(3, LEO 2): nothing
        #expect(old.divergence.first?.replica == 3 && old.divergence.first?.offsets == [1])
        let new = try kip279Case(.v2_0)
        #expect(log(new, 3) == ["m0/e0", "m1/e1", "m2/e1"])
        #expect(new.divergence.isEmpty)
    }

    @Test func theKraftControllerElectsAnUncleanLeaderByItselfAndMarksItRecovering() throws {
        func offline(_ version: KafkaVersion) throws -> ReplicationModel {
            var m = try replicated(1, ModelConfig().playing(version))
            _ = try m.stop(3)
            _ = try m.stop(2)
            _ = try m.start(3)  // running, but not in the ISR {1}
            _ = try m.stop(1)
            #expect(m.leader == nil)
            let set = try m.set("unclean", "on")
            #expect(set.lines[0].contains(version.kraft ? "elects an unclean leader by itself" : "`sim elect` runs"))
            return m
        }
        var kraft = try offline(.v3_9)
        let step = try kraft.tick(300_000)
        #expect(kraft.leader == 3 && kraft.leaderEpoch == 1 && kraft.isr == [3])
        #expect(
            step.lines.contains {
                $0.hasPrefix("UNCLEAN election: broker 3 leads in epoch 1 (the KRaft controller's periodic check")
            })
        #expect(step.lines.contains { $0.hasPrefix("the controller marks the partition RECOVERING") })
        var zk = try offline(.v2_0)
        _ = try zk.tick(300_000)
        #expect(zk.leader == nil)
        let elected = try zk.elect()
        #expect(zk.leader == 3)
        #expect(!elected.lines.contains { $0.contains("RECOVERING") })
    }

    @Test func beforeKraftACrashedBrokersSessionIsZooKeepers() throws {
        var m = ReplicationModel(ModelConfig().playing(.v2_0))
        #expect(m.config.brokerSessionTimeoutMs == 6_000 && !m.config.uncleanLeaderElection)
        _ = try m.kill(2)
        #expect(throws: ModelError.self) { try m.start(2) }
        let step = try m.tick(6_000)
        #expect(m.replica(2).fenced && m.isr == [1, 3])
        #expect(step.lines.contains { $0.contains("has sent no heartbeat for zookeeper.session.timeout.ms (6 s)") })
        #expect(ReplicationModel(ModelConfig().playing(.v0_10)).config.uncleanLeaderElection)
        #expect(KafkaVersion(text: "0.10.2") == .v0_10 && KafkaVersion(text: "3.7") == nil)
    }

    /// `sim compare`'s pure part: the same lesson, step by step, under two versions.
    @Test func aScenarioPlayedUnderTwoVersionsDiffersOnlyWhereTheRulesDo() throws {
        let a = ScenarioPlay(SimScenario.minIsr, kafka: .v3_6), b = ScenarioPlay(SimScenario.minIsr, kafka: .v3_9)
        #expect(a.stoppedAt == nil && b.stoppedAt == nil)
        let first = try #require(zip(a.outcomes, b.outcomes).first { $0 != $1 })
        #expect(first.0.step == 9 && first.0.highWatermark == 3 && first.1.highWatermark == 2)
        #expect(Array(a.outcomes.prefix(8)) == Array(b.outcomes.prefix(8)))
        #expect(a.outcomes.last?.highWatermark == b.outcomes.last?.highWatermark)
        #expect(b.outcomes.last?.writes.contains("m2 failed: REQUEST_TIMED_OUT") == true)
        #expect(a.outcomes.last?.writes.contains("m2 failed: NOT_ENOUGH_REPLICAS_AFTER_APPEND") == true)
    }

    // MARK: explore

    @Test func exploreFindsTheShortestLossWithAcksOne() throws {
        let outcome = try ModelExplorer(config: ModelConfig(), acks: .leader).run()
        let found = try #require(outcome.found)
        #expect(found.property == "lost acknowledged write")
        #expect(found.path == [.produce(acks: .leader, count: 1), .stop(1)])
        #expect(!outcome.limited)
    }

    @Test func exploreFindsUncleanElectionLossInFourSteps() throws {
        let outcome = try ModelExplorer(config: ModelConfig(uncleanLeaderElection: true)).run()
        let found = try #require(outcome.found)
        // The new leader's followers never fetch, so the ISR check drops broker 3 at 45 s; ISR {2} acknowledges
        // alone; stopping it elects broker 3 uncleanly.
        #expect(found.path == [.stop(1), .tick(ms: 45_000), .produce(acks: .all, count: 1), .stop(2)])
        var m = ReplicationModel(ModelConfig(uncleanLeaderElection: true))
        for move in found.path { _ = try move.apply(to: &m) }
        #expect(m.lostWrites.map(\.value) == ["m0"] && m.leader == 3)
    }

    @Test func exploreFindsTheKip101LossUnderHighWatermarkTruncation() throws {
        var explorer = ModelExplorer(config: ModelConfig(truncation: .highWatermark))
        explorer.depth = 7
        let found = try #require(try explorer.run().found)
        #expect(found.path.count == 7)
        #expect(found.path.suffix(2) == [.stop(1), .stop(2)])
        // Leader epochs keep that write: the same moves lose nothing.
        var m = ReplicationModel(ModelConfig())
        for move in found.path { _ = try move.apply(to: &m) }
        #expect(m.lostWrites.isEmpty && ModelExplorer.violation(m) == nil)
    }

    @Test func exploreFindsNoneWithinTheBoundForTheSafeSettingsAndSaysHowFarItLooked() throws {
        var explorer = ModelExplorer(config: ModelConfig(minInsyncReplicas: 2))
        explorer.depth = 5
        let outcome = try explorer.run()
        #expect(outcome.found == nil && outcome.depthSearched == 5 && !outcome.limited)
        #expect(outcome.states > 1_000)
        explorer.stateLimit = 100
        let limited = try explorer.run()
        #expect(limited.limited && limited.found == nil && limited.states == 100)
        #expect(limited.depthSearched < 5)
    }

    /// Ctrl-C reaches a long search through `check`, and progress is reported per depth.
    @Test func exploreStopsWhenCheckThrowsAndReportsEachDepth() throws {
        struct Interrupted: Error {}
        var explorer = ModelExplorer(config: ModelConfig(minInsyncReplicas: 2))
        explorer.depth = 8
        var levels: [Int] = []
        var checks = 0
        #expect(throws: Interrupted.self) {
            _ = try explorer.run(
                check: {
                    checks += 1
                    if checks == 2 { throw Interrupted() }
                },
                progress: { level, _ in levels.append(level) })
        }
        #expect(checks == 2)
        #expect(!levels.isEmpty && levels == Array(1...levels.count) && levels.count < 8)
    }

    @Test func aPowerLossKeepsOnlyWhatACleanShutdownFlushed() throws {
        var m = try replicated(2)
        _ = try m.stop(2)  // flushes m0, m1
        _ = try m.produce(acks: .all)
        let step = try m.kill(3, loseUnflushed: true)
        #expect(log(m, 3) == [] && m.replica(3).hw == 0)
        #expect(
            step.lines.contains {
                $0.hasPrefix(
                    "power loss on broker 3: its log keeps only what was flushed to disk (LEO 2 → 0), losing m0, m1")
            })
        _ = try m.start(2)
        #expect(log(m, 2) == ["m0/e0", "m1/e0"])
        #expect(try SimAction.killLosingUnflushed(2).apply(to: &m).lines.first?.contains("(LEO 2 → 2)") == true)
        #expect(log(m, 2) == ["m0/e0", "m1/e0"])
    }

    @Test func exploreFindsLossWithMinInsyncReplicasOneOnceDisksCanLoseUnflushedData() throws {
        var explorer = ModelExplorer(config: ModelConfig())
        #expect(try explorer.run().found == nil)  // clean elections, no power loss: none within 6
        explorer.faults = [.stop, .kill, .restart, .loseUnflushed]
        let found = try #require(try explorer.run().found)
        #expect(found.path == [.produce(acks: .all, count: 1), .stop(2), .stop(3), .killLosingUnflushed(1)])
        // min.insync.replicas=2 needs the power loss on both replicas that had the write.
        explorer.config.minInsyncReplicas = 2
        let both = try #require(try explorer.run().found)
        #expect(
            both.path == [
                .produce(acks: .all, count: 1), .fetch(2), .fetch(2), .killLosingUnflushed(2), .stop(3),
                .killLosingUnflushed(1),
            ])
    }

    @Test func kip101sFirstCaseLosesBothRecordsUnder010AndNoneUnder39() {
        let old = ScenarioPlay(SimScenario.kip101Restart, kafka: .v0_10)
        let new = ScenarioPlay(SimScenario.kip101Restart, kafka: .v3_9)
        #expect(old.stoppedAt == nil && new.stoppedAt == nil)
        #expect(old.outcomes[4].highWatermark == 2 && old.outcomes.last?.lost == ["m0", "m1"])
        #expect(new.outcomes.last?.lost == [] && new.outcomes.last?.leader == 2)
    }

    // MARK: lessons, each under every version it names

    /// Plays a lesson under one version to its end, or fails the test where it stops.
    private func played(_ scenario: SimScenario, _ version: KafkaVersion) throws -> ReplicationModel {
        var m = ReplicationModel(scenario.config.playing(version))
        for step in scenario.steps { _ = try step.action.apply(to: &m) }
        return m
    }

    @Test func everyLessonPlaysToItsEndUnderEveryVersionItNames() {
        for scenario in SimScenario.all {
            for version in scenario.variants {
                let play = ScenarioPlay(scenario, kafka: version)
                #expect(
                    play.stoppedAt == nil, "\(scenario.name) under \(version.rawValue): \(play.stoppedAt?.reason ?? "")"
                )
            }
        }
    }

    @Test func kip101sSecondCaseLosesTheUnflushedRecordUnderBothVersionsAndOnlyHwTruncationDiverges() throws {
        for version in [KafkaVersion.v0_10, .v3_9] {
            let play = ScenarioPlay(SimScenario.kip101Unflushed, kafka: version)
            // After the power loss broker 2 kept m0 only, but m1 is still on broker 1's disk: nothing lost yet.
            #expect(play.outcomes[11].lost == [])
            #expect(play.outcomes[13].leader == 2 && play.outcomes[13].lost == ["m1"])
            let m = try played(SimScenario.kip101Unflushed, version)
            #expect(m.leader == 2 && m.leaderEpoch == 1)
            #expect(log(m, 2) == ["m0/e0", "m2/e1"])
            #expect(m.lostWrites.map(\.value) == ["m1"])
            if version == .v0_10 {
                #expect(log(m, 1) == ["m0/e0", "m1/e0"])
                #expect(m.divergence.first?.replica == 1 && m.divergence.first?.offsets == [1])
            } else {
                #expect(log(m, 1) == ["m0/e0", "m2/e1"])
                #expect(m.divergence.isEmpty)
            }
        }
    }

    @Test func kip101sFirstCaseEndsWithExactLogsUnderEachVersion() throws {
        let old = try played(SimScenario.kip101Restart, .v0_10)
        #expect(old.leader == 2 && log(old, 2) == [] && old.lostWrites.map(\.value) == ["m0", "m1"])
        let new = try played(SimScenario.kip101Restart, .v3_9)
        #expect(new.leader == 2 && log(new, 2) == ["m0/e0", "m1/e0"] && new.lostWrites.isEmpty)
    }

    @Test func kip279sLessonLeavesADivergentRecordOnlyWithOneEpochRound() throws {
        let old = try played(SimScenario.kip279FastLeaderChange, .v0_11)
        #expect(log(old, 3) == ["m0/e0", "m3/e2", "m2/e1"])
        #expect(old.divergence.first?.offsets == [1])
        let new = try played(SimScenario.kip279FastLeaderChange, .v2_0)
        #expect(log(new, 3) == ["m0/e0", "m1/e1", "m2/e1"] && new.divergence.isEmpty)
        #expect(new.leader == 2 && new.leaderEpoch == 3)
    }

    @Test func acksOneLosesTheWriteOnFailoverUnderEveryVersion() throws {
        for version in [KafkaVersion.v3_9, .v0_10] {
            let m = try played(SimScenario.acksOneFailover, version)
            #expect(m.leader == 2 && m.leaderEpoch == 1)
            #expect(log(m, 1) == ["m0/e0"] && log(m, 2) == ["m0/e0"])
            #expect(m.lostWrites.map(\.value) == ["m1"])
        }
    }

    @Test func minInsyncReplicasOneAcknowledgesWhatOneDiskHoldsAndTwoRefusesIt() throws {
        let play = ScenarioPlay(SimScenario.minIsrOne, kafka: .v3_9)
        #expect(play.outcomes[5].error == nil && play.outcomes[5].highWatermark == 2)
        #expect(play.outcomes[5].writes.last == "m1 acknowledged")
        #expect(play.outcomes[6].lost == ["m1"])
        #expect(play.outcomes[8].leader == nil)
        #expect(play.outcomes[10].leader == 2 && play.outcomes[10].lost == ["m1"])
        #expect(play.outcomes[12].error == "NOT_ENOUGH_REPLICAS")
    }

    @Test func aZombieLeaderAcknowledgesWritesThatAreTruncatedWhenThePartitionHeals() throws {
        for version in [KafkaVersion.v3_9, .v2_0] {
            let play = ScenarioPlay(SimScenario.zombieLeader, kafka: version)
            #expect(play.outcomes[4].writes.last == "m1 acknowledged")
            #expect(play.outcomes[5].leader == 2 && play.outcomes[5].lost == ["m1"])
            #expect(play.outcomes[6].writes.last == "m2 acknowledged" && play.outcomes[6].lost == ["m1", "m2"])
            let m = try played(SimScenario.zombieLeader, version)
            #expect(log(m, 1) == ["m0/e0", "m3/e1"] && log(m, 2) == ["m0/e0", "m3/e1"])
            #expect(m.lostWrites.map(\.value) == ["m1", "m2"])
            #expect(!m.replica(1).partitioned && m.replica(1).zombieEpoch == nil)
        }
    }

    @Test func aPartitionedBrokerCannotFetchAndAZombiesAcksAllWriteTimesOut() throws {
        var m = try replicated(1)
        _ = try m.partition(1)
        #expect(throws: ModelError.self) { try m.fetch(2) }
        #expect(throws: ModelError.self) { try m.stop(1) }
        _ = try m.produce(acks: .all)
        let fenced = try m.tick(9_000)
        #expect(m.leader == 2 && m.replica(1).zombieEpoch == 0 && m.isr == [2, 3])
        #expect(fenced.lines.contains { $0.contains("a zombie leader") })
        #expect(status(m, "m1") == .pending)  // the zombie holds it, unanswered
        _ = try m.tick(21_000)
        #expect(status(m, "m1") == .failed("REQUEST_TIMED_OUT"))
        let refused = try m.produce(acks: .leader, count: 1, to: 3)
        #expect(refused.error == "NOT_LEADER_OR_FOLLOWER")
        _ = try m.heal()
        #expect(throws: ModelError.self) { try m.heal() }
        _ = try m.fetch(1)
        #expect(log(m, 1) == ["m0/e0"])
    }

    // MARK: explore: the lengths issue 22 pins

    @Test func exploreFindsTheZombieLeadersLossBehindAPartition() throws {
        var explorer = ModelExplorer(config: ModelConfig(), acks: .leader)
        explorer.faults = [.partition]
        let found = try #require(try explorer.run().found)
        #expect(found.path == [.produce(acks: .leader, count: 1), .partition(1), .tick(ms: 9_000)])
    }

    @Test func exploreUnder010RulesFindsHwTruncationLossWithUncleanOffAndUncleanLossByDefault() throws {
        var strict = ModelConfig().playing(.v0_10)
        strict.uncleanLeaderElection = false
        var explorer = ModelExplorer(config: strict)
        explorer.depth = 7
        let found = try #require(try explorer.run().found)
        #expect(found.path.count == 7)
        let byDefault = try #require(try ModelExplorer(config: ModelConfig().playing(.v0_10)).run().found)
        #expect(byDefault.path.count == 4)
    }

    @Test func exploreFindsNoneForTheSafeSettingsWithPartitionsEither() throws {
        var explorer = ModelExplorer(config: ModelConfig(minInsyncReplicas: 2))
        explorer.faults = [.stop, .kill, .restart, .partition]
        explorer.depth = 4
        let outcome = try explorer.run()
        #expect(outcome.found == nil && outcome.depthSearched == 4 && !outcome.limited)
    }
}
