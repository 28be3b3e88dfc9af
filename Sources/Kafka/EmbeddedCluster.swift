import CRdKafka
import Foundation
import Synchronization

/// librdkafka's in-process mock cluster: N brokers speaking the Kafka
/// protocol on real 127.0.0.1 ports. It runs no replication, so the ISR
/// always equals the replica list and leadership moves only when told to
/// (see shared/docs/embedded-cluster.md); callers must say so to users.
///
/// `@unchecked Sendable`: the mock's control functions are synchronous and
/// thread-safe (they post to the mock's own thread); the Swift-side set of
/// stopped brokers is guarded by a Mutex.
public final class EmbeddedCluster: @unchecked Sendable {
    /// The throwaway client that hosts the cluster; must outlive `mock`.
    private let host: OpaquePointer
    private let mock: OpaquePointer
    public let brokerCount: Int
    public let bootstrap: String
    private let stopped = Mutex<Set<Int32>>([])

    public init(brokers: Int = 3) throws {
        guard (1...32).contains(brokers) else {
            throw KafkaError.invalidArgument("the embedded cluster takes 1 to 32 brokers, not \(brokers)")
        }
        let conf = try ClientConfig.makeConf(["client.id": "kafkalab-embedded-host", "log_level": "3"])
        host = try makeHandle(type: RD_KAFKA_PRODUCER, conf: conf)
        guard let mock = rd_kafka_mock_cluster_new(host, Int32(brokers)) else {
            rd_kafka_destroy(host)
            throw KafkaError.invalidArgument("librdkafka could not start its mock cluster")
        }
        self.mock = mock
        brokerCount = brokers
        bootstrap = String(cString: rd_kafka_mock_cluster_bootstraps(mock))
    }

    deinit {
        // Order matters: destroying the host first makes librdkafka abort.
        rd_kafka_mock_cluster_destroy(mock)
        rd_kafka_destroy(host)
    }

    public var stoppedBrokers: Set<Int32> { stopped.withLock { $0 } }

    /// Creates a topic. The mock ignores `replicationFactor` (every partition
    /// gets the first min(3, N) brokers as replicas).
    public func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32 = 3) throws {
        guard partitions > 0 else { throw KafkaError.invalidArgument("partitions must be at least 1") }
        let err = rd_kafka_mock_topic_create(mock, name, partitions, replicationFactor)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err) }
    }

    /// Closes the broker's listener and connections (stop and kill are the same here).
    public func stopBroker(_ id: Int32) throws {
        try checkBroker(id)
        let err = rd_kafka_mock_broker_set_down(mock, id)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err) }
        stopped.withLock { _ = $0.insert(id) }
    }

    public func startBroker(_ id: Int32) throws {
        try checkBroker(id)
        let err = rd_kafka_mock_broker_set_up(mock, id)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err) }
        stopped.withLock { _ = $0.remove(id) }
    }

    /// Moves a partition's leadership (-1: no leader), as a controller would.
    public func setLeader(topic: String, partition: Int32, broker: Int32) throws {
        if broker != -1 { try checkBroker(broker) }
        let err = rd_kafka_mock_partition_set_leader(mock, topic, partition, broker)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err) }
    }

    /// Makes the next `errors.count` requests of `api` fail with these codes,
    /// in order. For tests and for demos that say the errors were injected.
    public func injectErrors(api: KafkaApi, _ errors: [Int32]) {
        var codes = errors.map { rd_kafka_resp_err_t(rawValue: $0) }
        rd_kafka_mock_push_request_errors_array(mock, api.rawValue, codes.count, &codes)
    }

    private func checkBroker(_ id: Int32) throws {
        guard id >= 1 && Int(id) <= brokerCount else {
            throw KafkaError.invalidArgument("no broker \(id): the embedded cluster has brokers 1..\(brokerCount)")
        }
    }
}

/// Kafka protocol request types, for the mock's error injection.
public enum KafkaApi: Int16, Sendable, CaseIterable {
    case produce = 0, fetch = 1, listOffsets = 2, metadata = 3
    case offsetCommit = 8, offsetFetch = 9, findCoordinator = 10, joinGroup = 11
    case heartbeat = 12, leaveGroup = 13, syncGroup = 14
    case initProducerId = 22, addPartitionsToTxn = 24, addOffsetsToTxn = 25, endTxn = 26, txnOffsetCommit = 28
}
