import Testing

@testable import Lab

/// A healthy three-broker partition, to be bent by each test.
private func healthy(_ topic: String, _ partition: Int32, leader: Int32 = 1) -> PartitionState {
    PartitionState(topic: topic, partition: partition, leader: leader, replicas: [1, 2, 3], isr: [1, 2, 3])
}

private func snapshot(
    at time: Double = 0, brokers: Set<Int32> = [1, 2, 3], _ partitions: [PartitionState]
) -> ReplicationSnapshot {
    ReplicationSnapshot(time: time, brokers: brokers, partitions: partitions)
}

@Suite struct ReplicationEventsTests {
    @Test func identicalSnapshotsProduceNoEvents() {
        let state = [healthy("orders", 0), healthy("orders", 1, leader: 2)]
        #expect(replicationEvents(from: snapshot(at: 0, state), to: snapshot(at: 5, state)).isEmpty)
    }

    @Test func reorderedIsrIsNotAChange() {
        var reordered = healthy("orders", 0)
        reordered.isr = [3, 1, 2]
        #expect(replicationEvents(from: snapshot([healthy("orders", 0)]), to: snapshot([reordered])).isEmpty)
    }

    @Test func singleFollowerLeavingIsAShrink() {
        var shrunk = healthy("orders", 2)
        shrunk.isr = [1, 3]
        let events = replicationEvents(from: snapshot([healthy("orders", 2)]), to: snapshot([shrunk]))
        #expect(events == [.isrShrink(topic: "orders", partition: 2, left: [2], isr: [1, 3])])
        #expect(events.first?.kind == "isr-shrink")
        #expect(events.first?.description == "orders/2 ISR shrink: broker 2 left, ISR now [1,3]")
    }

    @Test func followersRejoiningIsAnExpand() {
        var shrunk = healthy("orders", 0)
        shrunk.isr = [1]
        let events = replicationEvents(from: snapshot([shrunk]), to: snapshot([healthy("orders", 0)]))
        #expect(events == [.isrExpand(topic: "orders", partition: 0, joined: [2, 3], isr: [1, 2, 3])])
        #expect(events.first?.kind == "isr-expand")
        #expect(events.first?.description == "orders/0 ISR expand: brokers 2,3 joined, ISR now [1,2,3]")
    }

    @Test func swappedIsrMemberIsBothShrinkAndExpand() {
        var before = healthy("orders", 0)
        before.isr = [1, 2]
        var after = healthy("orders", 0)
        after.isr = [1, 3]
        #expect(
            replicationEvents(from: snapshot([before]), to: snapshot([after])) == [
                .isrShrink(topic: "orders", partition: 0, left: [2], isr: [1, 3]),
                .isrExpand(topic: "orders", partition: 0, joined: [3], isr: [1, 3]),
            ])
    }

    @Test func leaderMovingBetweenBrokersIsALeaderChange() {
        let events = replicationEvents(
            from: snapshot([healthy("orders", 0, leader: 2)]),
            to: snapshot([healthy("orders", 0, leader: 3)]))
        #expect(events == [.leaderChange(topic: "orders", partition: 0, from: 2, to: 3)])
        #expect(events.first?.kind == "leader-change")
        #expect(events.first?.description == "orders/0 leader 2 → 3")
    }

    @Test func losingTheLeaderIsOfflineNotALeaderChange() {
        var offline = healthy("orders", 1, leader: 2)
        offline.leader = -1
        offline.isr = [2]
        let events = replicationEvents(from: snapshot([healthy("orders", 1, leader: 2)]), to: snapshot([offline]))
        #expect(
            events == [
                .partitionOffline(topic: "orders", partition: 1, lastLeader: 2),
                .isrShrink(topic: "orders", partition: 1, left: [1, 3], isr: [2]),
            ])
        #expect(events.first?.kind == "partition-offline")
    }

    @Test func gainingALeaderIsOnline() {
        var offline = healthy("orders", 1)
        offline.leader = -1
        let events = replicationEvents(from: snapshot([offline]), to: snapshot([healthy("orders", 1, leader: 3)]))
        #expect(events == [.partitionOnline(topic: "orders", partition: 1, leader: 3)])
        #expect(events.first?.kind == "partition-online")
        #expect(events.first?.description == "orders/1 online: leader 3")
    }

    @Test func stayingOfflineIsNotAnEvent() {
        var offline = healthy("orders", 1)
        offline.leader = -1
        #expect(replicationEvents(from: snapshot([offline]), to: snapshot([offline])).isEmpty)
    }

    @Test func brokersLeavingAndReturningAreReportedInIdOrder() {
        let partitions = [healthy("orders", 0)]
        let gone = replicationEvents(
            from: snapshot(brokers: [1, 2, 3], partitions), to: snapshot(brokers: [1], partitions))
        #expect(gone == [.brokerGone(2), .brokerGone(3)])
        #expect(gone.map(\.kind) == ["broker-gone", "broker-gone"])

        let back = replicationEvents(
            from: snapshot(brokers: [1], partitions), to: snapshot(brokers: [3, 1, 2], partitions))
        #expect(back == [.brokerBack(2), .brokerBack(3)])
        #expect(back.first?.description == "broker 2 back in metadata")
    }

    @Test func partitionsAppearingAndDisappearingAreReportedOnce() {
        var created = healthy("payments", 0)
        created.isr = [1]
        let events = replicationEvents(from: snapshot([healthy("orders", 0)]), to: snapshot([created]))
        #expect(
            events == [
                .partitionRemoved(topic: "orders", partition: 0),
                .partitionAppeared(topic: "payments", partition: 0, leader: 1, replicas: [1, 2, 3]),
            ])
    }

    @Test func reassignmentIsAReplicasChange() {
        var moved = healthy("orders", 0)
        moved.replicas = [1, 2, 4]
        moved.isr = [1, 2, 4]
        #expect(
            replicationEvents(from: snapshot([healthy("orders", 0)]), to: snapshot([moved])) == [
                .replicasChanged(topic: "orders", partition: 0, from: [1, 2, 3], to: [1, 2, 4]),
                .isrShrink(topic: "orders", partition: 0, left: [3], isr: [1, 2, 4]),
                .isrExpand(topic: "orders", partition: 0, joined: [4], isr: [1, 2, 4]),
            ])
    }

    /// Broker 2 dies: it leads orders/1 and payments/0 and follows everywhere else.
    /// Input lists are deliberately out of order to prove the output order is imposed.
    @Test func brokerFailureAcrossTopicsYieldsExactOrderedEvents() {
        let before = snapshot(
            at: 0, brokers: [1, 2, 3],
            [
                healthy("payments", 0, leader: 2),
                healthy("orders", 10, leader: 3),
                healthy("orders", 1, leader: 2),
                healthy("orders", 0, leader: 1),
                healthy("audit", 0, leader: 1),
            ])
        var payments0 = healthy("payments", 0, leader: -1)
        payments0.isr = [2]
        var orders10 = healthy("orders", 10, leader: 3)
        orders10.isr = [1, 3]
        var orders1 = healthy("orders", 1, leader: 3)
        orders1.isr = [3, 1]
        var orders0 = healthy("orders", 0, leader: 1)
        orders0.isr = [1, 3]
        let after = snapshot(
            at: 10, brokers: [1, 3],
            [
                orders0, payments0, orders10, orders1,
                healthy("audit", 0, leader: 1),
            ])

        #expect(
            replicationEvents(from: before, to: after) == [
                .brokerGone(2),
                .isrShrink(topic: "orders", partition: 0, left: [2], isr: [1, 3]),
                .leaderChange(topic: "orders", partition: 1, from: 2, to: 3),
                .isrShrink(topic: "orders", partition: 1, left: [2], isr: [3, 1]),
                .isrShrink(topic: "orders", partition: 10, left: [2], isr: [1, 3]),
                .partitionOffline(topic: "payments", partition: 0, lastLeader: 2),
                .isrShrink(topic: "payments", partition: 0, left: [1, 3], isr: [2]),
            ])
    }

    @Test func eventsExposeTheirSubject() {
        let shrink = ReplicationEvent.isrShrink(topic: "orders", partition: 4, left: [2], isr: [1])
        #expect(shrink.topic == "orders")
        #expect(shrink.partition == 4)
        #expect(shrink.broker == nil)
        #expect(ReplicationEvent.brokerGone(7).broker == 7)
        #expect(ReplicationEvent.brokerGone(7).topic == nil)
    }

    @Test func everyKindIsListedOnce() {
        let samples: [ReplicationEvent] = [
            .isrShrink(topic: "t", partition: 0, left: [1], isr: []),
            .isrExpand(topic: "t", partition: 0, joined: [1], isr: [1]),
            .leaderChange(topic: "t", partition: 0, from: 1, to: 2),
            .partitionOffline(topic: "t", partition: 0, lastLeader: 1),
            .partitionOnline(topic: "t", partition: 0, leader: 1),
            .replicasChanged(topic: "t", partition: 0, from: [1], to: [2]),
            .brokerGone(1), .brokerBack(1),
            .partitionAppeared(topic: "t", partition: 0, leader: 1, replicas: [1]),
            .partitionRemoved(topic: "t", partition: 0),
        ]
        #expect(Set(samples.map(\.kind)) == Set(ReplicationEvent.allKinds))
        #expect(ReplicationEvent.allKinds.count == samples.count)
    }
}

@Suite struct PartitionStateTests {
    @Test func underReplicatedWhenAnAssignedReplicaIsOutOfSync() {
        var state = healthy("orders", 0)
        #expect(!state.isUnderReplicated)
        state.isr = [1, 3]
        #expect(state.isUnderReplicated)
    }

    @Test func minIsrChecksCountDistinctInSyncReplicas() {
        var state = healthy("orders", 0)
        #expect(!state.isAtMinIsr(minIsr: 2))
        state.isr = [1, 3]
        #expect(state.isAtMinIsr(minIsr: 2))
        #expect(!state.isUnderMinIsr(minIsr: 2))
        state.isr = [1]
        #expect(!state.isAtMinIsr(minIsr: 2))
        #expect(state.isUnderMinIsr(minIsr: 2))
    }
}
