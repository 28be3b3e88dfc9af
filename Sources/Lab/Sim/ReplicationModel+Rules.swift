/// What one step did, in sentences that say what happened and why.
struct ModelStep: Equatable, Sendable {
    var event: String
    var lines: [String] = []
    /// The error a refused write got (NOT_ENOUGH_REPLICAS, ...); nil otherwise.
    var error: String?
    /// Writes the producer heard back about in this step (acknowledged or failed).
    var answered: [String] = []

    init(event: String, lines: [String] = [], error: String? = nil) {
        self.event = event
        self.lines = lines
        self.error = error
    }
}

extension ReplicationModel {
    // MARK: produce

    /// The leader appends `count` records stamped with its epoch. acks=all is
    /// refused with NOT_ENOUGH_REPLICAS while the ISR is smaller than
    /// min.insync.replicas; acks=1 and acks=0 are appended, but since 3.7 the HW
    /// does not pass them until the ISR is large enough again.
    mutating func produce(acks: ModelAcks, count: Int = 1) throws -> ModelStep {
        guard (1...50).contains(count) else { throw ModelError("--count must be between 1 and 50, not \(count)") }
        var step = ModelStep(event: "produce")
        guard let leaderId = leader else {
            step.error = "LEADER_NOT_AVAILABLE"
            step.lines.append(
                "refused: LEADER_NOT_AVAILABLE, the partition has no leader (ISR \(Self.ids(isr)) \(isr.count == 1 ? "is" : "are") down); nothing was written"
            )
            return step
        }
        guard replica(leaderId).up else {
            step.error = "REQUEST_TIMED_OUT"
            step.lines.append(
                "not delivered: broker \(leaderId) leads but has crashed, so the request gets no answer (REQUEST_TIMED_OUT) and the producer retries; the controller fences the broker \(Self.ms(config.brokerSessionTimeoutMs)) after its last heartbeat (\(config.kafka.sessionTimeoutName)) and only then elects a new leader"
            )
            return step
        }
        if KafkaReplicationRules.refusesAppend(
            acksAll: acks == .all, isrSize: isr.count, minInsyncReplicas: config.minInsyncReplicas)
        {
            step.error = "NOT_ENOUGH_REPLICAS"
            step.lines.append(
                "refused: NOT_ENOUGH_REPLICAS, acks=all needs min.insync.replicas=\(config.minInsyncReplicas) in-sync replicas and the ISR is \(Self.ids(isr)); nothing was written (acks=1 would have been accepted)"
            )
            return step
        }
        let start = replica(leaderId).leo
        let records = append(count, acks: acks, on: leaderId, epoch: leaderEpoch, &step)
        let what =
            "leader \(leaderId) appended \(Self.values(records)) at offset\(count == 1 ? "" : "s") \(Self.range(start, start + count)) in epoch \(leaderEpoch)"
        switch acks {
        case .none: step.lines.append(what + "; acks=0: the producer does not wait for any answer")
        case .leader:
            step.lines.append(
                what + "; acks=1: acknowledged at once, on the leader's copy only"
                    + (hwHeldByMinIsr
                        ? "; but the HW stays while the ISR \(Self.ids(isr)) is below min.insync.replicas=\(config.minInsyncReplicas) (\(config.kafka.label), KAFKA-15583), so no consumer can read it until the ISR grows"
                        : ""))
        case .all:
            step.lines.append(
                what
                    + "; acks=all: acknowledged only once the HW passes offset \(start + count - 1), i.e. every ISR member (\(Self.ids(isr))) has it"
            )
        }
        maybeIncrementHighWatermark(&step)
        return step
    }

    // MARK: fetch

    /// One fetch by a follower: it first checks its log against the leader's
    /// (leader-epoch mode), then copies from its LEO to the leader's LEO and
    /// takes the HW the leader had before this fetch (so it learns the HW one
    /// fetch late). The leader records the fetch offset as the follower's LEO,
    /// which may move the HW and bring the follower back into the ISR.
    mutating func fetch(_ id: Int) throws -> ModelStep {
        try checkBroker(id)
        guard let leaderId = leader else { throw ModelError("broker \(id) cannot fetch: the partition has no leader") }
        guard leaderId != id else { throw ModelError("broker \(id) is the leader; followers fetch from it") }
        guard replica(id).up else { throw ModelError("broker \(id) is down (`sim start \(id)` brings it back)") }
        if replica(id).partitioned {
            throw ModelError(
                "broker \(id) is behind a network partition and cannot reach leader \(leaderId) (`sim heal` ends it)")
        }
        if replica(leaderId).partitioned {
            throw ModelError(
                "broker \(id) cannot reach leader \(leaderId): the leader is behind a network partition (`sim heal` ends it)"
            )
        }
        guard replica(leaderId).up else {
            throw ModelError(
                "broker \(id) cannot fetch: leader \(leaderId) has crashed and is not fenced yet (`sim tick \(Self.argument(config.brokerSessionTimeoutMs))`)"
            )
        }
        var step = ModelStep(event: "fetch")
        let l = leaderId - 1, f = id - 1

        switch config.truncation {
        case .leaderEpoch:
            let target = epochTruncationOffset(follower: replica(id), leader: replica(leaderId))
            if target.offset < replica(id).leo {
                let gone = Array(replicas[f].log[target.offset...])
                replicas[f].truncate(to: target.offset)
                step.lines.append(
                    "broker \(id) asked leader \(leaderId) where its epoch \(target.askedEpoch) ends (OffsetsForLeaderEpoch; Kafka 3.9 gets the same answer as a diverging epoch in the fetch response): at offset \(target.leaderEnd), so it truncated \(Self.values(gone)) at \(Self.range(target.offset, target.offset + gone.count)) that the leader's log does not have"
                )
            } else if replica(id).awaitingEpochCheck, target.askedEpoch >= 0 {
                step.lines.append(
                    "broker \(id) asked leader \(leaderId) where its epoch \(target.askedEpoch) ends (OffsetsForLeaderEpoch): at offset \(target.leaderEnd), not below broker \(id)'s LEO \(replica(id).leo), so nothing is truncated"
                )
            }
            replicas[f].awaitingEpochCheck = false
        case .highWatermark:
            if replica(id).leo > replica(leaderId).leo {
                if !config.uncleanLeaderElection {
                    // ReplicaFetcherThread.handleOffsetOutOfRange (0.10.2): fatal, System.exit(1).
                    replicas[f].up = false
                    replicas[f].crashedAtMs = clockMs
                    replicas[f].halted = true
                    step.lines.append(
                        "broker \(id) fetched from offset \(replica(id).leo), beyond leader \(leaderId)'s LEO \(replica(leaderId).leo) (OFFSET_OUT_OF_RANGE); with unclean.leader.election.enable=false truncating is not allowed, so broker \(id) exits (\"Exiting because log truncation is not allowed\", ReplicaFetcherThread) and stays down until an operator steps in"
                    )
                    return step
                }
                let gone = Array(replicas[f].log[replica(leaderId).leo...])
                replicas[f].truncate(to: replica(leaderId).leo)
                step.lines.append(
                    "broker \(id) fetched from offset \(replica(id).leo + gone.count), beyond leader \(leaderId)'s LEO \(replica(leaderId).leo) (OFFSET_OUT_OF_RANGE), so it truncated \(Self.values(gone)) to the leader's LEO"
                )
            }
        }

        let fetchOffset = replica(id).leo
        let responseHw = replica(leaderId).hw
        let copied = Array(replicas[l].log[fetchOffset...])
        replicas[f].append(copied)
        let oldHw = replica(id).hw
        replicas[f].hw = min(responseHw, replica(id).leo)
        var text = "broker \(id) fetched from offset \(fetchOffset): "
        text +=
            copied.isEmpty ? "nothing new" : "copied \(Self.values(copied)) (LEO \(fetchOffset) → \(replica(id).leo))"
        text += "; the response carried the leader's HW from before this fetch, \(responseHw)"
        if replica(id).hw != oldHw { text += ", so broker \(id)'s HW is now \(replica(id).hw)" }
        step.lines.append(text)

        // The leader's side (Partition.updateFollowerFetchState).
        let leaderLeo = replica(leaderId).leo
        var remote = replicas[f]
        if fetchOffset >= leaderLeo {
            remote.lastCaughtUpMs = clockMs
        } else if let previous = remote.lastFetchLeaderLeo, fetchOffset >= previous {
            remote.lastCaughtUpMs = remote.lastFetchMs
        }
        remote.lastFetchLeaderLeo = leaderLeo
        remote.lastFetchMs = clockMs
        let known = remote.knownLeo
        remote.knownLeo = fetchOffset
        replicas[f] = remote
        if known != fetchOffset {
            step.lines.append(
                "leader \(leaderId) now knows broker \(id)'s LEO is \(fetchOffset) (the offset it fetched from)")
        }
        if !isr.contains(id),
            KafkaReplicationRules.mayJoinIsr(
                followerLeo: fetchOffset, leaderHighWatermark: replica(leaderId).hw,
                leaderEpochStartOffset: leaderEpochStartOffset ?? 0)
        {
            isr = (isr + [id]).sorted()
            step.lines.append(
                "broker \(id) caught up to the HW (\(replica(leaderId).hw)) and rejoined the ISR: \(Self.ids(isr))")
        }
        maybeIncrementHighWatermark(&step)
        return step
    }

    /// Where a follower's log stops agreeing with the leader's, by leader epochs
    /// (AbstractFetcherThread with KIP-279): ask for the end of the follower's
    /// latest epoch; if the leader answers with an epoch the follower lacks, ask
    /// again with the follower's epoch below it.
    func epochTruncationOffset(
        follower: ModelReplica, leader: ModelReplica
    ) -> (offset: Int, askedEpoch: Int, leaderEnd: Int) {
        var f = follower
        guard let first = f.latestEpoch else { return (f.leo, -1, f.leo) }
        var asked = first
        while true {
            guard let answer = leader.endOffset(forEpoch: asked) else {
                return (min(f.hw, f.leo), first, f.hw)  // UNDEFINED: fall back to the HW
            }
            guard let own = f.endOffset(forEpoch: answer.epoch) else {
                return (min(answer.endOffset, f.leo), first, answer.endOffset)
            }
            if own.epoch == answer.epoch {
                return (min(own.endOffset, answer.endOffset, f.leo), first, answer.endOffset)
            }
            // Before KIP-279 (0.11) one round only: truncate to the leader's answer.
            guard config.kafka.multiRoundEpochCheck else {
                return (min(answer.endOffset, f.leo), first, answer.endOffset)
            }
            // The leader answered with an epoch this follower never had: cut to where the
            // follower's own epoch below it ended, and ask again about that epoch.
            f.truncate(to: min(own.endOffset, f.leo))
            guard let next = f.latestEpoch, next < asked else { return (f.leo, first, answer.endOffset) }
            asked = next
        }
    }

    /// Leader HW = minimum LEO over the ISR as the leader knows it; it never
    /// goes back. A move completes the acks=all writes it passes.
    mutating func maybeIncrementHighWatermark(_ step: inout ModelStep) {
        guard let leaderId = leader, replica(leaderId).up else { return }
        var candidate = replica(leaderId).leo
        for id in isr where id != leaderId {
            guard let known = replica(id).knownLeo else { return }
            candidate = min(candidate, known)
        }
        let old = replica(leaderId).hw
        guard candidate > old else { return }
        if hwHeldByMinIsr {
            step.lines.append(
                "leader HW stays at \(old), though the ISR \(Self.ids(isr)) holds up to \(candidate): the ISR is below min.insync.replicas=\(config.minInsyncReplicas) (\(config.kafka.label): Partition.maybeIncrementLeaderHW since 3.7, KAFKA-15583)"
            )
            return
        }
        replicas[leaderId - 1].hw = candidate
        step.lines.append(
            "leader HW \(old) → \(candidate): the lowest LEO in the ISR \(Self.ids(isr)) the leader knows of")
        completeWrites(&step)
    }

    /// Since 3.7 the leader does not move the HW while the ISR is below min.insync.replicas.
    var hwHeldByMinIsr: Bool { config.kafka.hwWaitsForMinIsr && isr.count < config.minInsyncReplicas }

    /// acks=all writes the HW has passed are answered: acknowledged, or
    /// NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank below min.insync.replicas meanwhile.
    mutating func completeWrites(_ step: inout ModelStep) {
        guard let hw = highWatermark else { return }
        var ok: [String] = [], late: [String] = []
        // Only this epoch's writes: a zombie's pending writes sit at offsets the new leader fills with other records.
        for i in writes.indices
        where writes[i].status == .pending && writes[i].offset < hw && writes[i].epoch == leaderEpoch {
            if isr.count >= config.minInsyncReplicas {
                writes[i].status = .acknowledged
                ok.append(writes[i].value)
            } else {
                writes[i].status = .failed("NOT_ENOUGH_REPLICAS_AFTER_APPEND")
                late.append(writes[i].value)
            }
            step.answered.append(writes[i].value)
        }
        if !ok.isEmpty {
            step.lines.append(
                "acks=all: \(ok.joined(separator: ", ")) acknowledged to the producer (the HW passed \(ok.count == 1 ? "it" : "them"))"
            )
        }
        if !late.isEmpty {
            step.lines.append(
                "acks=all: \(late.joined(separator: ", ")) answered NOT_ENOUGH_REPLICAS_AFTER_APPEND: committed, but the ISR \(Self.ids(isr)) is below min.insync.replicas=\(config.minInsyncReplicas), so the producer is told it failed (a retry may write it twice)"
            )
        }
    }

    // MARK: time

    /// Advances the clock, playing what falls due on the way in time order:
    /// crashed brokers whose session ended are fenced; acks=all writes older than
    /// the request timeout are answered REQUEST_TIMED_OUT; the leader's ISR-shrink
    /// check, which runs every replica.lag.time.max.ms / 2 from the start
    /// (ReplicaManager "isr-expiration"), drops followers not caught up for longer
    /// than replica.lag.time.max.ms; and, in KRaft versions, the controller's
    /// periodic unclean election of an offline partition.
    mutating func tick(_ ms: Int) throws -> ModelStep {
        guard ms > 0 && ms <= 86_400_000 else { throw ModelError("a tick must be between 1ms and 24h") }
        var step = ModelStep(event: "tick")
        let end = clockMs + ms
        step.lines.append("clock \(Self.ms(clockMs)) → \(Self.ms(end))")
        while let next = nextEvent(), next.0 <= end {
            let event = next.1
            clockMs = next.0
            switch event {
            case .fence(let id):
                step.lines.append(
                    "at \(Self.ms(clockMs)) broker \(id) has sent no heartbeat for \(config.kafka.sessionTimeoutName) (\(Self.ms(config.brokerSessionTimeoutMs))): the controller fences it"
                )
                fence(id, &step)
            case .expire:
                var expired: [String] = []
                for i in writes.indices
                where writes[i].status == .pending && writes[i].sentAtMs + config.requestTimeoutMs <= clockMs {
                    writes[i].status = .failed("REQUEST_TIMED_OUT")
                    expired.append(writes[i].value)
                    step.answered.append(writes[i].value)
                }
                step.lines.append(
                    "at \(Self.ms(clockMs)) acks=all write\(expired.count == 1 ? "" : "s") \(expired.joined(separator: ", ")) waited request.timeout.ms (\(Self.ms(config.requestTimeoutMs))) without the HW passing: answered REQUEST_TIMED_OUT (DelayedProduce); the record\(expired.count == 1 ? " stays" : "s stay") in the leader's log, and a retry may write \(expired.count == 1 ? "it" : "them") twice unless the producer is idempotent"
                )
            case .shrink(let ids):
                for id in ids {
                    isr.removeAll { $0 == id }
                    step.lines.append(
                        "at \(Self.ms(clockMs)) the leader's ISR check (every replica.lag.time.max.ms / 2 = \(Self.ms(config.replicaLagTimeMaxMs / 2))) drops broker \(id): last caught up at \(Self.ms(replica(id).lastCaughtUpMs)), \(Self.ms(clockMs - replica(id).lastCaughtUpMs)) ago, more than replica.lag.time.max.ms (\(Self.ms(config.replicaLagTimeMaxMs))); ISR \(Self.ids(isr))"
                    )
                }
                maybeIncrementHighWatermark(&step)
            case .uncleanElection:
                guard
                    let choice = KafkaReplicationRules.electLeader(
                        replicas: replicas.map(\.id), isr: isr, current: nil, unclean: true,
                        isAlive: { isAlive($0) })
                else { break }
                elect(
                    choice.leader, unclean: choice.unclean,
                    why:
                        "the KRaft controller's periodic check (unclean.leader.election.interval.ms, 5 min) found the partition offline with unclean.leader.election.enable=true",
                    &step)
            }
        }
        clockMs = end
        if step.lines.count == 1 { step.lines[0] += "; nothing else changed" }
        return step
    }

    enum TimedEvent { case fence(Int), expire, shrink([Int]), uncleanElection }

    static let uncleanCheckIntervalMs = 300_000

    /// The earliest thing due after the current clock, if any.
    func nextEvent() -> (Int, TimedEvent)? {
        var best: (Int, TimedEvent)?
        func consider(_ at: Int, _ e: TimedEvent) { if best == nil || at < best!.0 { best = (at, e) } }
        for r in replicas { if let c = r.crashedAtMs { consider(c + config.brokerSessionTimeoutMs, .fence(r.id)) } }
        if let first = writes.filter({ $0.status == .pending }).map(\.sentAtMs).min() {
            consider(first + config.requestTimeoutMs, .expire)
        }
        // A leader behind a partition cannot shrink the ISR: its AlterPartition (ZooKeeper write before
        // KRaft) never reaches the controller (Partition.scala maybeShrinkIsr, submitAlterPartition).
        if let leaderId = leader, replica(leaderId).up, !replica(leaderId).partitioned {
            let period = max(1, config.replicaLagTimeMaxMs / 2)
            let nextCheck = (clockMs / period + 1) * period
            let leaderLeo = replica(leaderId).leo
            var due: [Int: [Int]] = [:]
            for id in isr where id != leaderId && replica(id).knownLeo != leaderLeo {
                let at = max(
                    nextCheck,
                    KafkaReplicationRules.shrinkTime(
                        lastCaughtUpMs: replica(id).lastCaughtUpMs, checksStartedAtMs: 0,
                        maxLagMs: config.replicaLagTimeMaxMs))
                due[at, default: []].append(id)
            }
            if let at = due.keys.min() { consider(at, .shrink(due[at]!.sorted())) }
        }
        if leader == nil, config.kafka.kraft, config.uncleanLeaderElection, replicas.contains(where: { isAlive($0.id) })
        {
            consider((clockMs / Self.uncleanCheckIntervalMs + 1) * Self.uncleanCheckIntervalMs, .uncleanElection)
        }
        return best
    }

    // MARK: brokers

    /// A controlled shutdown: the controller moves leadership away and drops the
    /// broker from the ISR at once, unless it is the last ISR member (the ISR
    /// never becomes empty; the partition goes offline instead).
    mutating func stop(_ id: Int) throws -> ModelStep {
        try checkBroker(id)
        guard replica(id).up else {
            throw ModelError("broker \(id) is already down (`sim start \(id)` brings it back)")
        }
        if replica(id).partitioned {
            throw ModelError(
                "broker \(id) is behind a network partition: its controlled shutdown cannot reach the controller (`sim kill \(id)` crashes it)"
            )
        }
        var step = ModelStep(event: "stop")
        replicas[id - 1].up = false
        replicas[id - 1].flushedLeo = replica(id).leo  // a clean shutdown flushes and closes the log
        step.lines.append("broker \(id) shut down cleanly (controlled shutdown): the controller acts at once")
        fence(id, &step)
        return step
    }

    /// A crash: the broker stops answering but stays in the ISR, and leads if
    /// it led, until the controller fences it after broker.session.timeout.ms.
    mutating func kill(_ id: Int, loseUnflushed: Bool = false) throws -> ModelStep {
        try checkBroker(id)
        guard replica(id).up else {
            throw ModelError("broker \(id) is already down (`sim start \(id)` brings it back)")
        }
        var step = ModelStep(event: "kill")
        replicas[id - 1].up = false
        // Behind a partition it stopped heartbeating already (or was fenced): that time stands.
        if !replica(id).fenced && replica(id).crashedAtMs == nil { replicas[id - 1].crashedAtMs = clockMs }
        replicas[id - 1].partitioned = false
        replicas[id - 1].zombieEpoch = nil
        if loseUnflushed {
            let r = replica(id)
            let gone = Array(r.log[r.flushedLeo...])
            replicas[id - 1].truncate(to: r.flushedLeo)
            step.lines.append(
                "power loss on broker \(id): its log keeps only what was flushed to disk (LEO \(r.leo) → \(r.flushedLeo))"
                    + (gone.isEmpty ? "" : ", losing \(Self.values(gone))")
                    + "; Kafka leaves flushing to the operating system by default, and the model flushes only at a clean shutdown"
            )
        }
        step.lines.append(
            "broker \(id) crashed: it stays in the ISR\(leader == id ? " and stays leader" : "") until the controller fences it, \(Self.ms(config.brokerSessionTimeoutMs)) after its last heartbeat (\(config.kafka.sessionTimeoutName), at \(Self.ms(clockMs + config.brokerSessionTimeoutMs)))"
        )
        if leader == id { step.lines.append("until then the partition takes no writes and followers cannot fetch") }
        return step
    }

    /// The broker comes back and follows the leader; with HW truncation it cuts
    /// its log to its HW at once. An offline partition may elect it.
    mutating func start(_ id: Int) throws -> ModelStep {
        try checkBroker(id)
        guard !replica(id).up else { throw ModelError("broker \(id) is already running") }
        var step = ModelStep(event: "start")
        if !replica(id).fenced, let crashed = replica(id).crashedAtMs,
            !KafkaReplicationRules.mayRegister(
                previousFenced: false, lastHeartbeatMs: crashed, sessionTimeoutMs: config.brokerSessionTimeoutMs,
                nowMs: clockMs)
        {
            let expiry = KafkaReplicationRules.fenceTime(
                lastHeartbeatMs: crashed, sessionTimeoutMs: config.brokerSessionTimeoutMs)
            throw ModelError(
                "broker \(id) cannot register yet: its previous session is valid until \(Self.ms(expiry)) (\(config.kafka.sessionTimeoutName) after its last heartbeat), and the controller refuses a second incarnation meanwhile (DuplicateBrokerRegistrationException); `sim tick \(Self.argument(expiry - clockMs))` first"
            )
        }
        if !replica(id).fenced { fence(id, &step) }
        replicas[id - 1].up = true
        replicas[id - 1].fenced = false
        replicas[id - 1].halted = false
        replicas[id - 1].knownLeo = nil
        step.lines.append("broker \(id) is back with its log intact (LEO \(replica(id).leo), HW \(replica(id).hw))")
        rejoin(id, &step)
        return step
    }

    /// A registered broker takes its part: the leader of an offline partition if the controller
    /// may elect it, else a follower of the leader.
    mutating func rejoin(_ id: Int, _ step: inout ModelStep) {
        if leader == nil {
            if isr.contains(id) {
                elect(id, unclean: false, why: "broker \(id) is in the ISR, so the controller elects it", &step)
                return
            }
            if config.uncleanLeaderElection && !isr.contains(where: { isAlive($0) }) {
                elect(
                    id, unclean: true,
                    why: "no ISR member (\(Self.ids(isr))) is running and unclean.leader.election.enable=true", &step)
                return
            }
            step.lines.append(
                "the partition stays offline: broker \(id) is not in the ISR (\(Self.ids(isr))) and unclean.leader.election.enable=\(config.uncleanLeaderElection)"
            )
            return
        }
        becomeFollower(id, &step)
    }

    /// `elect` with no broker: a preferred-leader election when the leader runs,
    /// otherwise the controller's election (clean, or unclean when enabled).
    /// With a broker: that broker, if the controller may elect it.
    mutating func elect(_ target: Int? = nil) throws -> ModelStep {
        var step = ModelStep(event: "elect")
        if let l = leader, !replica(l).up {
            throw ModelError(
                "leader \(l) has crashed but is not fenced yet, so the controller still counts it as alive; it elects a new leader once \(config.kafka.sessionTimeoutName) has passed (`sim tick \(Self.argument(config.brokerSessionTimeoutMs))`)"
            )
        }
        let liveIsr = isr.filter { isAlive($0) }
        if let target {
            try checkBroker(target)
            guard replica(target).up else { throw ModelError("broker \(target) is down and cannot lead") }
            guard isAlive(target) else {
                throw ModelError(
                    "broker \(target) is behind a network partition and fenced: the controller cannot reach it")
            }
            guard leader != target else { throw ModelError("broker \(target) already leads (epoch \(leaderEpoch))") }
            if isr.contains(target) {
                elect(
                    target, unclean: false,
                    why:
                        "broker \(target) is in the ISR; on Kafka you get this by making it the preferred replica (kafka-reassign-partitions) and running a preferred election",
                    &step)
            } else if config.uncleanLeaderElection && liveIsr.isEmpty {
                elect(
                    target, unclean: true, why: "no ISR member is running and unclean.leader.election.enable=true",
                    &step)
            } else {
                throw ModelError(
                    "broker \(target) cannot lead: it is not in the ISR (\(Self.ids(isr)))"
                        + (config.uncleanLeaderElection
                            ? " and ISR members are running" : " and unclean.leader.election.enable=false"))
            }
            return step
        }
        if let l = leader, replica(l).up {
            guard l != 1, replica(1).up, isr.contains(1) else {
                throw ModelError(
                    "broker \(l) leads and "
                        + (l == 1
                            ? "is the preferred replica"
                            : "the preferred replica, broker 1, is not a running ISR member") + "; nothing to elect")
            }
            elect(
                1, unclean: false,
                why:
                    "preferred-leader election: broker 1 is first in the replica list and in the ISR (kafka-leader-election --election-type preferred)",
                &step)
            return step
        }
        let choice = KafkaReplicationRules.electLeader(
            replicas: replicas.map(\.id), isr: isr, current: nil, unclean: config.uncleanLeaderElection,
            isAlive: { isAlive($0) })
        if let candidate = choice?.leader, choice?.unclean == false {
            elect(candidate, unclean: false, why: "broker \(candidate) is the first running ISR member", &step)
        } else if let candidate = choice?.leader {
            elect(
                candidate, unclean: true,
                why: "no ISR member (\(Self.ids(isr))) is running and unclean.leader.election.enable=true", &step)
        } else {
            step.lines.append(
                "no leader can be elected: no ISR member (\(Self.ids(isr))) is running and "
                    + (config.uncleanLeaderElection
                        ? "no other replica is running either" : "unclean.leader.election.enable=false")
                    + "; the partition stays offline")
        }
        return step
    }

    // MARK: controller actions

    /// The controller fences a down broker: out of the ISR (unless it is the
    /// last member), and a new leader if it led.
    mutating func fence(_ id: Int, _ step: inout ModelStep) {
        let zombie = leader == id && replica(id).up && replica(id).partitioned
        if leader == id && replicas[id - 1].crashedAtMs != nil && !zombie {
            failPendingWrites(leaderCrashed: true, &step)
        }
        if zombie {
            // Nothing reaches it to say so: the broker learns of the new leader only when the partition heals
            // (KRaft: its metadata log; ZooKeeper: LeaderAndIsr from the controller).
            replicas[id - 1].zombieEpoch = leaderEpoch
            step.lines.append(
                "broker \(id) is behind the partition and does not know it was fenced: it still believes it leads epoch \(leaderEpoch) and appends what producers that reach it send (a zombie leader)"
            )
        }
        replicas[id - 1].fenced = true
        replicas[id - 1].crashedAtMs = nil
        if isr.contains(id) {
            if KafkaReplicationRules.isr(isr, without: id) != isr {
                isr = KafkaReplicationRules.isr(isr, without: id)
                step.lines.append("broker \(id) left the ISR: \(Self.ids(isr))")
            } else {
                step.lines.append(
                    "broker \(id) was the last ISR member, so it stays in the ISR (the ISR is never empty)")
            }
        }
        guard leader == id else {
            maybeIncrementHighWatermark(&step)
            return
        }
        let choice = KafkaReplicationRules.electLeader(
            replicas: replicas.map(\.id), isr: isr, current: nil, unclean: config.uncleanLeaderElection,
            isAlive: { isAlive($0) })
        if let next = choice, !next.unclean {
            elect(next.leader, unclean: false, why: "broker \(next.leader) is the first running ISR member", &step)
        } else if let next = choice {
            elect(
                next.leader, unclean: true, why: "no ISR member is running and unclean.leader.election.enable=true",
                &step)
        } else {
            leader = nil
            failPendingWrites(leaderCrashed: false, &step)
            step.lines.append(
                "the partition is offline: no running ISR member can lead"
                    + (config.uncleanLeaderElection ? "" : " and unclean.leader.election.enable=false"))
        }
    }

    /// A new leader, one epoch later. Unclean: the ISR becomes just the new leader.
    mutating func elect(_ id: Int, unclean: Bool, why: String, _ step: inout ModelStep) {
        failPendingWrites(leaderCrashed: false, &step)
        leader = id
        leaderEpoch += 1
        if unclean { isr = [id] }
        replicas[id - 1].assignEpoch(leaderEpoch)
        for i in replicas.indices where replicas[i].id != id {
            replicas[i].knownLeo = nil
            replicas[i].lastFetchLeaderLeo = nil
            replicas[i].lastCaughtUpMs = isr.contains(replicas[i].id) ? clockMs : 0
            replicas[i].lastFetchMs = clockMs
        }
        step.lines.append(
            "\(unclean ? "UNCLEAN election" : "election"): broker \(id) leads in epoch \(leaderEpoch) (\(why)); its log ends at \(replica(id).leo), its HW is \(replica(id).hw) and moves on once every ISR follower has fetched from it"
                + (unclean ? "; ISR \(Self.ids(isr))" : ""))
        if unclean && config.kafka.kraft {
            step.lines.append(
                "the controller marks the partition RECOVERING (KIP-704: its ISR may not grow until the new leader reports it RECOVERED, which broker \(id) does as it takes over, Partition.makeLeader)"
            )
        }
        let lost = lostWrites.map(\.value)
        if !lost.isEmpty {
            step.lines.append(
                "lost: the new leader lacks \(lost.count) acknowledged record\(lost.count == 1 ? "" : "s") (\(lost.joined(separator: ", ")))"
            )
        }
        // A fenced broker behind a partition hears of the new leader only when it heals (`heal` → `rejoin`).
        for r in replicas where r.id != id && r.up && !r.fenced { becomeFollower(r.id, &step) }
        maybeIncrementHighWatermark(&step)
    }

    /// A replica starts following the leader. With HW truncation it cuts its
    /// log to its own HW now; with leader epochs it checks at its next fetch.
    mutating func becomeFollower(_ id: Int, _ step: inout ModelStep) {
        let r = replica(id)
        switch config.truncation {
        case .highWatermark:
            if r.leo > r.hw {
                let gone = Array(r.log[r.hw...])
                replicas[id - 1].truncate(to: r.hw)
                step.lines.append(
                    "broker \(id) follows broker \(leader!) and truncated its log to its own HW \(r.hw) (before KIP-101), dropping \(Self.values(gone))"
                )
            }
        case .leaderEpoch:
            replicas[id - 1].awaitingEpochCheck = true
            if r.leo > r.hw {
                step.lines.append(
                    "broker \(id) follows broker \(leader!); its records above its HW (\(r.hw)) stay until its next fetch compares leader epochs"
                )
            }
        }
    }

    /// Writes waiting for acks=all when the leader changes get an error; the producer retries them.
    mutating func failPendingWrites(leaderCrashed: Bool, _ step: inout ModelStep) {
        let error = leaderCrashed ? "REQUEST_TIMED_OUT" : "NOT_LEADER_OR_FOLLOWER"
        var failed: [String] = []
        // A zombie leader's writes wait on it, unanswered, until they time out or the partition heals.
        let zombieEpochs = Set(replicas.compactMap(\.zombieEpoch))
        for i in writes.indices where writes[i].status == .pending && !zombieEpochs.contains(writes[i].epoch) {
            writes[i].status = .failed(error)
            failed.append(writes[i].value)
            step.answered.append(writes[i].value)
        }
        if !failed.isEmpty {
            step.lines.append(
                "pending acks=all write\(failed.count == 1 ? "" : "s") \(failed.joined(separator: ", ")) failed with \(error): the producer retries and, unless it is idempotent, may write \(failed.count == 1 ? "it" : "them") twice"
            )
        }
    }

    // MARK: settings

    mutating func set(_ option: String, _ value: String) throws -> ModelStep {
        var step = ModelStep(event: "set")
        switch option.lowercased() {
        case "min-isr", "min.insync.replicas":
            guard let n = Int(value), (1...config.replicaCount).contains(n) else {
                throw ModelError("min-isr must be a whole number from 1 to \(config.replicaCount), not '\(value)'")
            }
            step.lines.append("min.insync.replicas \(config.minInsyncReplicas) → \(n)")
            config.minInsyncReplicas = n
        case "unclean", "unclean.leader.election.enable":
            guard let on = Self.parseBool(value) else {
                throw ModelError("unclean takes on|off (true|false), not '\(value)'")
            }
            step.lines.append(
                "unclean.leader.election.enable \(config.uncleanLeaderElection) → \(on)"
                    + (on && leader == nil
                        ? (config.kafka.kraft
                            ? "; the KRaft controller elects an unclean leader by itself at its next check (unclean.leader.election.interval.ms, every 5 min: `sim tick 5m`), or at once with `sim elect` (kafka-leader-election --election-type unclean)"
                            : "; `sim elect` runs the unclean election (kafka-leader-election --election-type unclean)")
                        : ""))
            config.uncleanLeaderElection = on
        case "lag-time", "replica.lag.time.max.ms":
            guard let ms = Self.parseMs(value), ms >= 1 else {
                throw ModelError("lag-time must be a duration like 10s or 500ms, not '\(value)'")
            }
            step.lines.append("replica.lag.time.max.ms \(Self.ms(config.replicaLagTimeMaxMs)) → \(Self.ms(ms))")
            config.replicaLagTimeMaxMs = ms
        case "session-timeout", "broker.session.timeout.ms":
            guard let ms = Self.parseMs(value), ms >= 1 else {
                throw ModelError("session-timeout must be a duration like 9s, not '\(value)'")
            }
            step.lines.append(
                "\(config.kafka.sessionTimeoutName) \(Self.ms(config.brokerSessionTimeoutMs)) → \(Self.ms(ms))")
            config.brokerSessionTimeoutMs = ms
        case "truncation":
            guard let mode = TruncationMode(rawValue: value.lowercased()) else {
                throw ModelError("truncation takes hw or epoch, not '\(value)'")
            }
            step.lines.append("truncation: \(config.truncation.label) → \(mode.label)")
            config.truncation = mode
        default:
            throw ModelError("unknown option '\(option)' (min-isr, unclean, lag-time, session-timeout, truncation)")
        }
        return step
    }

    // MARK: helpers

    func checkBroker(_ id: Int) throws {
        guard (1...config.replicaCount).contains(id) else {
            throw ModelError("no broker \(id): the model has brokers 1..\(config.replicaCount)")
        }
    }

    static func ids(_ list: [Int]) -> String {
        list.isEmpty ? "{}" : "{" + list.map(String.init).joined(separator: ",") + "}"
    }
    static func values(_ records: [ModelRecord]) -> String { records.map(\.value).joined(separator: ", ") }
    static func range(_ from: Int, _ to: Int) -> String { to - from == 1 ? "\(from)" : "\(from)-\(to - 1)" }

    static func ms(_ ms: Int) -> String {
        if ms % 1000 == 0 { return "\(ms / 1000) s" }
        return "\(ms) ms"
    }

    /// A duration as `sim tick` takes it: `9s`, `500ms`.
    static func argument(_ ms: Int) -> String { ms % 1000 == 0 ? "\(ms / 1000)s" : "\(ms)ms" }

    static func parseMs(_ text: String) -> Int? {
        guard let s = Arguments.parseDuration(text), s * 1000 <= 86_400_000 else { return nil }
        return Int((s * 1000).rounded())
    }

    static func parseBool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "on", "true", "yes", "1": true
        case "off", "false", "no", "0": false
        default: nil
        }
    }

    /// `count` new records appended to broker `id`'s log in `epoch`, each a write the producer
    /// waits on as `acks` says (acks=1 is answered at once): one place for the leader and a
    /// zombie leader behind a partition.
    mutating func append(
        _ count: Int, acks: ModelAcks, on id: Int, epoch: Int, _ step: inout ModelStep
    ) -> [ModelRecord] {
        var records: [ModelRecord] = []
        let start = replica(id).leo
        for i in 0..<count {
            let r = ModelRecord(offset: start + i, epoch: epoch, value: "m\(nextValue)")
            nextValue += 1
            records.append(r)
            let status: ModelWrite.Status =
                switch acks {
                case .none: .unacknowledged
                case .leader: .acknowledged
                case .all: .pending
                }
            writes.append(
                ModelWrite(
                    value: r.value, offset: r.offset, epoch: epoch, acks: acks, status: status, sentAtMs: clockMs))
            if acks == .leader { step.answered.append(r.value) }
        }
        replicas[id - 1].append(records)
        return records
    }
}
