/// Where leadership goes when brokers stop or start, decided the way a KRaft
/// controller with `unclean.leader.election.enable=false` decides it. kafkalab
/// uses this on the embedded cluster, whose mock never moves leadership itself:
/// the connection when it creates a topic while brokers are stopped, and the
/// replication lab's `broker stop|kill|start`. Kernel code, so that the
/// connection does not reach into a lab.
enum LeaderElection {
    /// One partition's leadership change.
    struct Move: Sendable, Equatable {
        var topic: String
        var partition: Int32
        var from: Int32
        /// The new leader, or -1 when no eligible replica is alive (the partition goes offline).
        var to: Int32

        init(topic: String, partition: Int32, from: Int32, to: Int32) {
            self.topic = topic
            self.partition = partition
            self.from = from
            self.to = to
        }

        var goesOffline: Bool { to < 0 }
    }

    /// Moves for every partition led by a broker in `stopping`: the first replica in
    /// assignment order that is in the ISR and alive takes over (assignment order, so
    /// the preferred replica wins when it can). Partitions with no such replica lose
    /// their leader rather than elect an out-of-sync one.
    ///
    /// `down` holds every broker that will be down once `stopping` has stopped
    /// (those plus brokers already down), so stopping two brokers at once never
    /// hands leadership from one to the other.
    static func movesAway(from stopping: Set<Int32>, down: Set<Int32>, partitions: [PartitionState]) -> [Move] {
        partitions.compactMap { p in
            guard p.hasLeader, stopping.contains(p.leader) else { return nil }
            let isr = Set(p.isr)
            let successor = p.replicas.first { isr.contains($0) && !down.contains($0) } ?? -1
            return Move(topic: p.topic, partition: p.partition, from: p.leader, to: successor)
        }
    }

    /// Moves that bring leaderless partitions back online once `starting` brokers are up
    /// again: the first replica in assignment order among them that is in the ISR.
    /// Partitions that have a leader keep it; Kafka moves leadership back to the preferred
    /// replica only at a preferred-leader election, not when a broker returns.
    static func movesOnStart(of starting: Set<Int32>, partitions: [PartitionState]) -> [Move] {
        partitions.compactMap { p in
            guard !p.hasLeader else { return nil }
            let isr = Set(p.isr)
            guard let leader = p.replicas.first(where: { starting.contains($0) && isr.contains($0) }) else {
                return nil
            }
            return Move(topic: p.topic, partition: p.partition, from: -1, to: leader)
        }
    }
}
