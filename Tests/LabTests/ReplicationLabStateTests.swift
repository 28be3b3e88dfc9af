import Testing

@testable import Lab

/// Who writes what in the replication lab's memory: broker commands record what
/// they did, `isr watch` keeps where it ended, and a watch's baseline comes from those.
@Suite("Replication lab state: broker records and the watch's baseline")
struct ReplicationLabStateTests {
    static func snapshot(brokers: Set<Int32>, leader: Int32) -> ReplicationSnapshot {
        ReplicationSnapshot(
            time: 0, brokers: brokers,
            partitions: [
                PartitionState(topic: "orders", partition: 0, leader: leader, replicas: [1, 2, 3], isr: [1, 2, 3]),
                PartitionState(topic: "__consumer_offsets", partition: 0, leader: 1, replicas: [1], isr: [1]),
            ])
    }

    @Test func aFreshSessionHasNoBaseline() {
        #expect(ReplicationLabState().baseline(for: .allTopics) == nil)
    }

    @Test func theFirstBrokerCommandSinceAWatchIsTheBaseline() throws {
        let state = ReplicationLabState()
        state.recordBrokerChange("broker stop 2", before: Self.snapshot(brokers: [1, 2, 3], leader: 2))
        state.recordBrokerChange("broker stop 3", before: Self.snapshot(brokers: [1, 3], leader: 1))
        let baseline = try #require(state.baseline(for: .topic("orders")))
        #expect(baseline.reason == "before `broker stop 2`")
        #expect(baseline.snapshot.brokers == [1, 2, 3])
        #expect(baseline.snapshot.partitions.map(\.topic) == ["orders"], "scoped to the watch's topic")
        #expect(state.baseline(for: .allTopicsAndInternal)?.snapshot.partitions.count == 2)
    }

    @Test func aWatchsEndReplacesTheBrokerRecords() throws {
        let state = ReplicationLabState()
        state.recordBrokerChange("broker stop 2", before: Self.snapshot(brokers: [1, 2, 3], leader: 2))
        state.watchEnded(with: Self.snapshot(brokers: [1, 3], leader: 1))
        #expect(state.brokerChanges.isEmpty)
        state.recordBrokerChange("broker start 2", before: Self.snapshot(brokers: [1, 3], leader: 1))
        let baseline = try #require(state.baseline(for: .allTopics))
        #expect(baseline.reason == "the previous watch ended")
        #expect(baseline.snapshot.brokers == [1, 3])
        #expect(state.brokerChanges.map(\.command) == ["broker start 2"])
    }
}
