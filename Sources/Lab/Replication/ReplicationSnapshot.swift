/// Everything `isr watch` needs from one metadata poll, stamped with when it was taken.
struct ReplicationSnapshot: Sendable {
    /// Seconds on whatever clock the caller uses; only differences matter.
    var time: Double
    /// Broker ids listed in the metadata response (brokers the controller considers alive).
    var brokers: Set<Int32>
    var partitions: [PartitionState]

    init(time: Double, brokers: Set<Int32>, partitions: [PartitionState]) {
        self.time = time
        self.brokers = brokers
        self.partitions = partitions
    }
}
