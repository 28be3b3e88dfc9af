import Kafka
import Testing

@testable import Lab

private func metadata(brokers: [Int32] = [1, 2, 3], _ topics: [TopicInfo]) -> ClusterMetadata {
    ClusterMetadata(
        brokers: brokers.map { BrokerInfo(id: $0, host: "127.0.0.1", port: 9000 + $0) },
        topics: topics, originBrokerId: brokers.first ?? -1)
}

private func partition(
    _ id: Int32, leader: Int32, replicas: [Int32] = [1, 2, 3], isr: [Int32]? = nil,
    offline: [Int32] = []
) -> PartitionInfo {
    PartitionInfo(id: id, leader: leader, replicas: replicas, isr: isr ?? replicas, offlineReplicas: offline)
}

@Suite struct ReplicationSnapshotConversionTests {
    @Test func copiesLeaderReplicasAndIsrOfTheChosenTopicOnly() {
        let md = metadata([
            TopicInfo(name: "orders", partitions: [partition(0, leader: 2), partition(1, leader: 3, isr: [3, 1])]),
            TopicInfo(name: "other", partitions: [partition(0, leader: 1)]),
        ])
        let snapshot = ReplicationSnapshot(metadata: md, scope: .topic("orders"), time: 4.5)
        #expect(snapshot.time == 4.5)
        #expect(snapshot.brokers == [1, 2, 3])
        #expect(
            snapshot.partitions == [
                PartitionState(topic: "orders", partition: 0, leader: 2, replicas: [1, 2, 3], isr: [1, 2, 3]),
                PartitionState(topic: "orders", partition: 1, leader: 3, replicas: [1, 2, 3], isr: [3, 1]),
            ])
        #expect(snapshot.partitions[1].isUnderReplicated)
    }

    @Test func allTopicsLeavesInternalTopicsOutUnlessAsked() {
        let md = metadata([
            TopicInfo(name: "__consumer_offsets", partitions: [partition(0, leader: 1)]),
            TopicInfo(name: "a", partitions: [partition(0, leader: 1)]),
            TopicInfo(name: "b", partitions: [partition(0, leader: 2)]),
        ])
        #expect(
            Set(ReplicationSnapshot(metadata: md, scope: .allTopics, time: 0).partitions.map(\.topic)) == ["a", "b"])
        #expect(
            Set(ReplicationSnapshot(metadata: md, scope: .allTopicsAndInternal, time: 0).partitions.map(\.topic))
                == ["__consumer_offsets", "a", "b"])
    }

    @Test func stoppedBrokerStillInMetadataLeavesTheBrokerSetAndIsAnOfflineReplica() {
        let md = metadata([TopicInfo(name: "orders", partitions: [partition(0, leader: 1)])])
        let snapshot = ReplicationSnapshot(metadata: md, scope: .topic("orders"), stoppedBrokers: [2], time: 0)
        #expect(snapshot.brokers == [1, 3])
        #expect(snapshot.partitions[0].offlineReplicas == [2])
        // The ISR is what metadata said; the conversion never invents a shrink.
        #expect(snapshot.partitions[0].isr == [1, 2, 3])
    }

    @Test func replicasOnBrokersMissingFromMetadataAreOffline() {
        let md = metadata(
            brokers: [1, 3],
            [
                TopicInfo(
                    name: "orders",
                    partitions: [
                        partition(0, leader: 1, isr: [1, 3], offline: [2]),
                        partition(1, leader: -1, replicas: [2], isr: [2], offline: [2]),
                    ])
            ])
        let snapshot = ReplicationSnapshot(metadata: md, scope: .topic("orders"), time: 0)
        #expect(snapshot.brokers == [1, 3])
        #expect(snapshot.partitions.map(\.offlineReplicas) == [[2], [2]])
        #expect(!snapshot.partitions[1].hasLeader)
    }

    @Test func stoppingAMockBrokerAndMovingLeadershipDiffsToBrokerGoneAndLeaderChange() {
        let before = metadata([
            TopicInfo(name: "orders", partitions: [partition(0, leader: 2), partition(1, leader: 3)])
        ])
        // The mock still lists broker 2; only kafkalab knows it stopped.
        let after = metadata([
            TopicInfo(name: "orders", partitions: [partition(0, leader: 1), partition(1, leader: 3)])
        ])
        let events = replicationEvents(
            from: ReplicationSnapshot(metadata: before, scope: .topic("orders"), time: 0),
            to: ReplicationSnapshot(metadata: after, scope: .topic("orders"), stoppedBrokers: [2], time: 1))
        #expect(events == [.brokerGone(2), .leaderChange(topic: "orders", partition: 0, from: 2, to: 1)])

        let back = replicationEvents(
            from: ReplicationSnapshot(metadata: after, scope: .topic("orders"), stoppedBrokers: [2], time: 1),
            to: ReplicationSnapshot(metadata: after, scope: .topic("orders"), time: 2))
        #expect(back == [.brokerBack(2)])
    }
}

@Suite struct LeaderElectionTests {
    private func state(_ p: Int32, leader: Int32, replicas: [Int32] = [1, 2, 3], isr: [Int32]? = nil) -> PartitionState
    {
        PartitionState(topic: "t", partition: p, leader: leader, replicas: replicas, isr: isr ?? replicas)
    }

    @Test func leadershipGoesToTheFirstLiveInSyncReplicaInAssignmentOrder() {
        let moves = LeaderElection.movesAway(
            from: [2], down: [2],
            partitions: [
                state(0, leader: 2, replicas: [2, 3, 1]),
                state(1, leader: 1),
                state(2, leader: 2, replicas: [2, 1, 3], isr: [2, 3]),
            ])
        #expect(
            moves == [
                LeaderElection.Move(topic: "t", partition: 0, from: 2, to: 3),
                LeaderElection.Move(topic: "t", partition: 2, from: 2, to: 3),
            ])
    }

    @Test func noLiveInSyncReplicaMeansOfflineRatherThanUnclean() {
        let moves = LeaderElection.movesAway(from: [1], down: [1, 3], partitions: [state(0, leader: 1, isr: [1, 3])])
        #expect(moves == [LeaderElection.Move(topic: "t", partition: 0, from: 1, to: -1)])
        #expect(moves[0].goesOffline)
    }

    @Test func brokersStoppedTogetherNeverInheritFromEachOther() {
        let moves = LeaderElection.movesAway(
            from: [1, 2], down: [1, 2],
            partitions: [
                state(0, leader: 1), state(1, leader: 2, replicas: [2, 1, 3]),
            ])
        #expect(moves.map(\.to) == [3, 3])
    }

    @Test func returningBrokerLeadsOnlyPartitionsThatHadNoLeader() {
        let moves = LeaderElection.movesOnStart(
            of: [2],
            partitions: [
                state(0, leader: -1, replicas: [1, 2]),
                state(1, leader: 3),
                state(2, leader: -1, replicas: [1, 3]),
            ])
        #expect(moves == [LeaderElection.Move(topic: "t", partition: 0, from: -1, to: 2)])
    }
}
