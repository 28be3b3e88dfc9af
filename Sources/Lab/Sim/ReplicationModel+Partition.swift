/// A network partition around one broker, and the zombie leader it can make.
///
/// The model's partition cuts a broker off from the controller and from the other
/// brokers, not from every client: a producer on its side (or one whose metadata
/// is stale) still reaches it. Cut off from the controller it sends no heartbeat,
/// so the controller fences it once its session expires (KRaft:
/// metadata/src/main/java/org/apache/kafka/controller/BrokerHeartbeatManager.java;
/// findOneStaleBroker; ZooKeeper: the ephemeral /brokers/ids node goes with the session) and
/// elects another leader (ReplicationControlManager.java, maybeFenceOneStaleBroker →
/// handleBrokerFenced → generateLeaderAndIsrUpdates).
/// Nothing reaches the old leader to tell it: it keeps its epoch and answers
/// acks=1 produce requests (core/src/main/scala/kafka/cluster/Partition.scala,
/// appendRecordsToLeader checks only its own leadership and min.insync.replicas
/// against its own ISR), while an acks=all write waits for followers that cannot
/// fetch (DelayedProduce) and times out. Its ISR cannot shrink: the change must be
/// accepted by the controller (Partition.scala, maybeShrinkIsr → AlterPartition;
/// 0.10-2.0 write the ISR to ZooKeeper, equally out of reach). When the partition
/// heals it learns the new leader and epoch and truncates what it alone accepted,
/// as any follower does (leader epochs, or its HW before KIP-101).
extension ReplicationModel {
    /// `sim partition <broker>`: the broker keeps running but reaches neither the controller nor the other brokers.
    mutating func partition(_ id: Int) throws -> ModelStep {
        try checkBroker(id)
        guard replica(id).up else { throw ModelError("broker \(id) is down; a partition cuts off a running broker") }
        guard !replica(id).partitioned else { throw ModelError("broker \(id) is already behind a network partition") }
        var step = ModelStep(event: "partition")
        replicas[id - 1].partitioned = true
        if !replica(id).fenced { replicas[id - 1].crashedAtMs = clockMs }
        let expiry = clockMs + config.brokerSessionTimeoutMs
        step.lines.append(
            "network partition: broker \(id) keeps running but reaches neither the controller nor the other brokers; its heartbeats stop, so the controller fences it at \(Self.ms(expiry)) (\(config.kafka.sessionTimeoutName) after its last heartbeat)"
        )
        if leader == id {
            step.lines.append(
                "broker \(id) still leads: followers cannot fetch from it, its HW cannot move, and it cannot shrink the ISR (the controller never hears its AlterPartition); producers that reach it get acks=1 answers, acks=all writes wait"
            )
        } else {
            step.lines.append("broker \(id) cannot fetch from leader \(leader.map(String.init) ?? "none")")
        }
        return step
    }

    /// `sim heal`: every partitioned broker reaches the cluster again. One fenced meanwhile
    /// registers again, learns the current leader and epoch, and follows it.
    mutating func heal() throws -> ModelStep {
        let cut = replicas.filter { $0.up && $0.partitioned }.map(\.id)
        guard !cut.isEmpty else { throw ModelError("no broker is behind a network partition") }
        var step = ModelStep(event: "heal")
        for id in cut {
            replicas[id - 1].partitioned = false
            guard replica(id).fenced else {
                replicas[id - 1].crashedAtMs = nil
                step.lines.append(
                    "the partition around broker \(id) heals before its session expired: the controller never fenced it, and it carries on as before"
                )
                continue
            }
            let zombie = replica(id).zombieEpoch
            replicas[id - 1].zombieEpoch = nil
            replicas[id - 1].fenced = false
            replicas[id - 1].knownLeo = nil
            step.lines.append(
                "the partition around broker \(id) heals: it registers with the controller again"
                    + (zombie.map {
                        " and learns that its epoch \($0) is over (broker \(leader.map(String.init) ?? "none") leads epoch \(leaderEpoch)); a produce request now gets NOT_LEADER_OR_FOLLOWER"
                    } ?? ""))
            if let zombie {
                var failed: [String] = []
                for i in writes.indices where writes[i].status == .pending && writes[i].epoch == zombie {
                    writes[i].status = .failed("NOT_LEADER_OR_FOLLOWER")
                    failed.append(writes[i].value)
                    step.answered.append(writes[i].value)
                }
                if !failed.isEmpty {
                    step.lines.append(
                        "its waiting acks=all write\(failed.count == 1 ? "" : "s") \(failed.joined(separator: ", ")) \(failed.count == 1 ? "is" : "are") answered NOT_LEADER_OR_FOLLOWER"
                    )
                }
                let own = replica(id).log.filter { r in
                    r.epoch == zombie && !(leaderReplica?.log.contains(r) ?? false)
                }
                if !own.isEmpty {
                    step.lines.append(
                        "broker \(id) alone holds \(Self.values(own)) from its time as a zombie; following the leader it will truncate \(own.count == 1 ? "it" : "them")"
                    )
                }
            }
            rejoin(id, &step)
        }
        maybeIncrementHighWatermark(&step)
        return step
    }

    /// `sim produce --to <broker>`: a producer that sends to that broker, as one on its side of a
    /// partition (or with stale metadata) does. The leader takes it as any write; a zombie leader
    /// appends it in its old epoch; any other broker answers NOT_LEADER_OR_FOLLOWER.
    mutating func produce(acks: ModelAcks, count: Int, to id: Int) throws -> ModelStep {
        try checkBroker(id)
        if leader == id { return try produce(acks: acks, count: count) }
        guard (1...50).contains(count) else { throw ModelError("--count must be between 1 and 50, not \(count)") }
        var step = ModelStep(event: "produce")
        guard replica(id).up else {
            step.error = "REQUEST_TIMED_OUT"
            step.lines.append("not delivered: broker \(id) is down, so the request gets no answer")
            return step
        }
        guard let epoch = replica(id).zombieEpoch else {
            step.error = "NOT_LEADER_OR_FOLLOWER"
            step.lines.append(
                "refused: NOT_LEADER_OR_FOLLOWER, broker \(id) does not lead (broker \(leader.map(String.init) ?? "none") does); the producer refreshes its metadata and retries there"
            )
            return step
        }
        let start = replica(id).leo
        let records = append(count, acks: acks, on: id, epoch: epoch, &step)
        var text =
            "zombie leader \(id), behind the partition, still believes it leads epoch \(epoch): it appended \(Self.values(records)) at offset\(count == 1 ? "" : "s") \(Self.range(start, start + count))"
        switch acks {
        case .none: text += "; acks=0: the producer does not wait"
        case .leader:
            text +=
                "; acks=1: acknowledged, though broker \(leader.map(String.init) ?? "none") leads epoch \(leaderEpoch) and will never have \(count == 1 ? "it" : "them")"
        case .all:
            text +=
                "; acks=all: no follower can fetch from it, so its HW never passes \(count == 1 ? "it" : "them"): the producer waits until request.timeout.ms"
        }
        step.lines.append(text)
        return step
    }
}
