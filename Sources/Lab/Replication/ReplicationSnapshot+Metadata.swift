import Kafka

/// Which topics a replication snapshot covers.
enum ReplicationScope: Sendable, Equatable {
    case topic(String)
    /// Every topic except internal ones (`__consumer_offsets` has 50 partitions
    /// whose churn would bury the topics the user is looking at).
    case allTopics
    /// Every topic, internal ones included: what a controller acts on.
    case allTopicsAndInternal

    func includes(_ topic: TopicInfo) -> Bool {
        switch self {
        case .topic(let name): topic.name == name
        case .allTopics: !topic.isInternal
        case .allTopicsAndInternal: true
        }
    }
}

extension ReplicationSnapshot {
    /// The replication state one metadata response shows.
    ///
    /// `stoppedBrokers` are brokers known to be down although metadata still lists
    /// them: librdkafka's mock keeps a stopped broker in every Metadata response, so
    /// without this a watch on the embedded cluster could never say "broker gone".
    /// They leave the broker set and count as offline replicas. The ISR is kept as
    /// reported, never edited: on the embedded cluster it stays full, and inventing
    /// a shrink would show replication behaviour the mock does not have.
    init(metadata: ClusterMetadata, scope: ReplicationScope, stoppedBrokers: Set<Int32> = [], time: Double) {
        let live = Set(metadata.brokers.map(\.id)).subtracting(stoppedBrokers)
        var partitions: [PartitionState] = []
        for topic in metadata.topics where scope.includes(topic) {
            for p in topic.partitions {
                let offline = p.replicas.filter { !live.contains($0) || p.offlineReplicas.contains($0) }
                partitions.append(
                    PartitionState(
                        topic: topic.name, partition: p.id, leader: p.leader,
                        replicas: p.replicas, isr: p.isr, offlineReplicas: offline))
            }
        }
        self.init(time: time, brokers: live, partitions: partitions)
    }
}
