/// One partition's replication state as cluster metadata reports it
/// (what `kafka-topics --describe` prints as Leader / Replicas / Isr).
struct PartitionState: Sendable, Hashable {
    var topic: String
    var partition: Int32
    /// Broker id of the leader, or -1 when the partition has no leader (offline).
    var leader: Int32
    /// Assigned replicas in metadata order; the first one is the preferred leader.
    var replicas: [Int32]
    /// In-sync replicas in metadata order.
    var isr: [Int32]
    /// Assigned replicas whose broker reports the log directory as offline.
    var offlineReplicas: [Int32]

    init(
        topic: String,
        partition: Int32,
        leader: Int32,
        replicas: [Int32],
        isr: [Int32],
        offlineReplicas: [Int32] = []
    ) {
        self.topic = topic
        self.partition = partition
        self.leader = leader
        self.replicas = replicas
        self.isr = isr
        self.offlineReplicas = offlineReplicas
    }

    /// The `topic/partition` label used in every event line and summary.
    var label: String { "\(topic)/\(partition)" }

    /// Whether the partition currently has a leader to serve reads and writes.
    var hasLeader: Bool { leader >= 0 }

    /// True when fewer replicas are in sync than are assigned — the broker metric
    /// `UnderReplicatedPartitions` counts exactly these.
    ///
    /// Compared as sets so that a broker listed twice or an ISR member that is no
    /// longer assigned (mid-reassignment) does not mask a missing replica.
    var isUnderReplicated: Bool {
        !Set(replicas).isSubset(of: Set(isr))
    }

    /// True when the ISR has shrunk to exactly `min.insync.replicas`: writes with
    /// `acks=all` still succeed, but one more lost follower makes them fail with
    /// NOT_ENOUGH_REPLICAS. Mirrors the broker metric `AtMinIsrPartitionCount`.
    func isAtMinIsr(minIsr: Int) -> Bool {
        Set(isr).count == minIsr
    }

    /// True when the ISR is below `min.insync.replicas`, i.e. `acks=all` writes are
    /// being rejected right now (`UnderMinIsrPartitionCount`).
    func isUnderMinIsr(minIsr: Int) -> Bool {
        Set(isr).count < minIsr
    }
}
