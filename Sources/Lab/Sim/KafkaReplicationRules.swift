/// Kafka 3.9's replication decisions as pure functions, in one place: the `sim`
/// model (`ReplicationModel`) and the tests' compose stand-in (`ScriptedKafka`)
/// both decide with these, so the two cannot disagree. Each rule names the
/// apache/kafka 3.9 source it follows. Times are milliseconds on the caller's clock.
enum KafkaReplicationRules {
    // MARK: controller (metadata module)

    /// The leader the controller elects (PartitionChangeBuilder.electAnyLeader): the
    /// current leader while it is still acceptable; else the first replica, in
    /// replica-list order, that is in the ISR and alive (registered, unfenced). Only
    /// with unclean.leader.election.enable and no such replica: the first alive replica
    /// in replica order (an unclean election). nil: the partition has no leader.
    static func electLeader(
        replicas: [Int], isr: [Int], current: Int?, unclean: Bool, isAlive: (Int) -> Bool
    ) -> (leader: Int, unclean: Bool)? {
        if let current, isr.contains(current), isAlive(current) { return (current, false) }
        if let clean = replicas.first(where: { isr.contains($0) && isAlive($0) }) { return (clean, false) }
        if unclean, let any = replicas.first(where: isAlive) { return (any, true) }
        return nil
    }

    /// The ISR once the controller removes a fenced or shut-down broker
    /// (ReplicationControlManager.generateLeaderAndIsrUpdates, then
    /// PartitionChangeBuilder.completeLeaderAndIsrUpdate): with eligible leader
    /// replicas off (3.9's default) an empty ISR is never written, so the last
    /// member stays, and the partition goes offline instead.
    static func isr(_ isr: [Int], without id: Int) -> [Int] {
        let rest = isr.filter { $0 != id }
        return rest.isEmpty ? isr : rest
    }

    /// When the controller fences a broker that stopped heartbeating at
    /// `lastHeartbeatMs` (BrokerHeartbeatManager: its session lasts
    /// broker.session.timeout.ms, 9 s by default, after the last contact).
    static func fenceTime(lastHeartbeatMs: Int, sessionTimeoutMs: Int) -> Int {
        lastHeartbeatMs + sessionTimeoutMs
    }

    /// Whether the controller accepts a (re)registration of a broker id
    /// (ClusterControlManager.registerBroker): a new incarnation is refused with
    /// DuplicateBrokerRegistrationException while the previous one's session is valid
    /// (BrokerHeartbeatManager.hasValidSession: not fenced, and heard from within
    /// broker.session.timeout.ms). A clean shutdown fences at once, so only a crash
    /// makes a quick restart wait. `lastHeartbeatMs` nil: no previous session.
    static func mayRegister(previousFenced: Bool, lastHeartbeatMs: Int?, sessionTimeoutMs: Int, nowMs: Int) -> Bool {
        guard !previousFenced, let last = lastHeartbeatMs else { return true }
        return nowMs >= fenceTime(lastHeartbeatMs: last, sessionTimeoutMs: sessionTimeoutMs)
    }

    // MARK: leader (Partition.scala, ReplicaManager.scala)

    /// A follower is out of sync (Partition.isFollowerOutOfSync) when its LEO is not
    /// the leader's and it last caught up more than replica.lag.time.max.ms ago.
    /// `followerLeo` nil: the leader does not know it yet (not caught up).
    static func isOutOfSync(
        followerLeo: Int?, leaderLeo: Int, lastCaughtUpMs: Int, nowMs: Int, maxLagMs: Int
    )
        -> Bool
    {
        followerLeo != leaderLeo && nowMs - lastCaughtUpMs > maxLagMs
    }

    /// When the leader drops a follower that last caught up at `lastCaughtUpMs` and
    /// never again: at the first run of the ISR-shrink check after
    /// `lastCaughtUpMs + maxLagMs`. ReplicaManager.startup schedules that check
    /// ("isr-expiration") every replica.lag.time.max.ms / 2 from `checksStartedAtMs`,
    /// so the shrink lands after more than the lag time and at most 1.5 times it.
    static func shrinkTime(lastCaughtUpMs: Int, checksStartedAtMs: Int, maxLagMs: Int) -> Int {
        let period = max(1, maxLagMs / 2)
        let due = lastCaughtUpMs + maxLagMs
        guard due >= checksStartedAtMs else { return checksStartedAtMs }
        return checksStartedAtMs + ((due - checksStartedAtMs) / period + 1) * period
    }

    /// A follower may (re)join the ISR (Partition.isFollowerInSync) once it has
    /// caught up: its LEO reaches the leader's high watermark and the start offset of
    /// the leader's current epoch. It must also be registered and unfenced
    /// (Partition.isReplicaIsrEligible), which the caller checks.
    static func mayJoinIsr(followerLeo: Int, leaderHighWatermark: Int, leaderEpochStartOffset: Int?) -> Bool {
        followerLeo >= leaderHighWatermark && leaderEpochStartOffset.map { followerLeo >= $0 } == true
    }

    /// The leader refuses an append with NOT_ENOUGH_REPLICAS
    /// (Partition.appendRecordsToLeader) when acks=all and the ISR is smaller than
    /// min.insync.replicas; acks=0 and acks=1 never look at the ISR. This holds for
    /// every topic, internal ones included (__consumer_offsets: group commits;
    /// __transaction_state: every transactional call).
    static func refusesAppend(acksAll: Bool, isrSize: Int, minInsyncReplicas: Int) -> Bool {
        acksAll && isrSize < minInsyncReplicas
    }
}
