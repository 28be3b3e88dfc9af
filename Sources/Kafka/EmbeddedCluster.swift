import CRdKafka
import Foundation
import Synchronization

/// librdkafka's in-process mock cluster: N brokers speaking the Kafka
/// protocol on real 127.0.0.1 ports. It runs no replication, so the ISR
/// always equals the replica list and leadership moves only when told to
/// (the README's "What the embedded cluster cannot show"); callers must say so to users.
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
    /// Set once the mock's thread is found gone: its handle is then freed
    /// memory, never to be passed to librdkafka again (not even to destroy it).
    private let ended = Atomic<Bool>(false)
    /// Set by `endThreadForTesting`: the handle is freed, so never destroyed again.
    private let freedForTesting = Atomic<Bool>(false)

    public init(brokers: Int = 3) throws {
        guard (1...32).contains(brokers) else {
            throw KafkaError.invalidArgument("the embedded cluster takes 1 to 32 brokers, not \(brokers)")
        }
        let conf = try ClientConfig.makeConf(["client.id": "kafkalab-embedded-host", "log_level": "3"])
        // The mock logs through its host: a client it cannot parse would
        // otherwise put raw `%1|...PROTOUFLOW` lines on stderr.
        rd_kafka_conf_set_log_cb(conf, silentLogLine)
        host = try makeHandle(type: RD_KAFKA_PRODUCER, conf: conf)
        // The mock's thread inherits this thread's signal mask, and librdkafka
        // 2.0.2 does not block signals for it as rd_kafka_new does for its own
        // threads: a signal handled there (Ctrl-C) interrupts its poll, and the
        // thread then ends and frees the cluster. So it starts with all blocked.
        var all = sigset_t(), previous = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_BLOCK, &all, &previous)
        let created = rd_kafka_mock_cluster_new(host, Int32(brokers))
        pthread_sigmask(SIG_SETMASK, &previous, nil)
        guard let mock = created else {
            rd_kafka_destroy(host)
            throw KafkaError.invalidArgument("librdkafka could not start its mock cluster")
        }
        self.mock = mock
        brokerCount = brokers
        bootstrap = String(cString: rd_kafka_mock_cluster_bootstraps(mock))
    }

    deinit {
        // librdkafka 2.0.2's rd_kafka_mock_cluster_destroy takes about 1 s: its
        // internal broker thread handles TERMINATE before the last reference is
        // dropped and then sleeps its 1 s poll out. Done here, every `connect`
        // and the exit of every one-shot `-c status` waited that second, so the
        // teardown runs on its own thread and nobody waits for it (a process
        // that exits meanwhile just ends it). `waitForTeardowns` is for tests.
        // A mock whose thread ended has freed itself: destroying it again would crash.
        guard !ended.load(ordering: .acquiring) && !freedForTesting.load(ordering: .acquiring) else { return }
        Self.tearDown(mock: mock, host: host)
    }

    /// Tests: the cluster ends as it did when a signal interrupted its thread's
    /// poll (its thread ends, the cluster is freed, its listeners close), so
    /// that `isRunning` must find out by itself.
    func endThreadForTesting() {
        freedForTesting.store(true, ordering: .releasing)
        rd_kafka_mock_cluster_destroy(mock)
    }

    /// Whether the mock's thread still serves. It ends (and frees the cluster)
    /// when its poll fails, as when a signal interrupts it; its listeners close
    /// with it. A stopped broker's listener is closed too, so the cluster is
    /// gone when no broker accepts a connection although not all are stopped.
    /// Costs one local connection attempt per broker; once gone, always false.
    public var isRunning: Bool {
        if ended.load(ordering: .acquiring) { return false }
        let ports = self.ports
        if ports.contains(where: { Self.accepts(port: $0) }) { return true }
        if stoppedBrokers.count >= brokerCount { return true }
        ended.store(true, ordering: .releasing)
        return false
    }

    /// One line for a cluster whose thread has ended.
    public static let endedMessage =
        "the embedded cluster has stopped (librdkafka's mock thread ended; its topics and data are gone): `connect embedded` starts a new one"

    /// Throws `endedMessage` once the cluster is gone, before a control call
    /// would hand librdkafka its freed handle.
    private func requireRunning() throws {
        if !isRunning { throw KafkaError.invalidArgument(Self.endedMessage) }
    }

    private static let teardownsInFlight = Atomic<Int>(0)

    /// Clusters released whose teardown has not finished yet.
    public static var pendingTeardowns: Int { teardownsInFlight.load(ordering: .acquiring) }

    /// Waits until every released cluster is torn down; false at the time limit.
    public static func waitForTeardowns(timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while pendingTeardowns > 0 {
            if Date() >= deadline { return false }
            usleep(10_000)
        }
        return true
    }

    private static func tearDown(mock: OpaquePointer, host: OpaquePointer) {
        // Safe to share: the cluster is released, so only the teardown thread uses them, once.
        let mockHandle = SendableHandle(mock), hostHandle = SendableHandle(host)
        teardownsInFlight.add(1, ordering: .acquiringAndReleasing)
        let thread = Thread {
            // Order matters: destroying the host first makes librdkafka abort.
            rd_kafka_mock_cluster_destroy(mockHandle.pointer)
            rd_kafka_destroy(hostHandle.pointer)
            teardownsInFlight.subtract(1, ordering: .acquiringAndReleasing)
        }
        thread.name = "kafkalab-mock-teardown"
        thread.start()
    }

    public var stoppedBrokers: Set<Int32> { stopped.withLock { $0 } }

    /// Creates a topic. The mock ignores `replicationFactor` (every partition
    /// gets the first min(3, N) brokers as replicas).
    public func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32 = 3) throws {
        try requireRunning()
        guard partitions > 0 else { throw KafkaError.invalidArgument("partitions must be at least 1") }
        let err = nudged { rd_kafka_mock_topic_create(mock, name, partitions, replicationFactor) }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err) }
    }

    /// Closes the broker's listener and connections (stop and kill are the same here).
    public func stopBroker(_ id: Int32) throws {
        try requireRunning()
        try checkBroker(id)
        let err = nudged { rd_kafka_mock_broker_set_down(mock, id) }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err) }
        stopped.withLock { _ = $0.insert(id) }
    }

    public func startBroker(_ id: Int32) throws {
        try requireRunning()
        try checkBroker(id)
        let err = nudged { rd_kafka_mock_broker_set_up(mock, id) }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err) }
        stopped.withLock { _ = $0.remove(id) }
    }

    /// Makes `broker` the coordinator of a group (`keyType` "group") or transactional id
    /// ("transaction"), where the mock would otherwise pick one by a hash of the key,
    /// stopped or not. Kafka's coordinator is the leader of the key's partition of
    /// __consumer_offsets or __transaction_state; a test stand-in that models those
    /// partitions moves the mock's coordinator with them.
    public func setCoordinator(keyType: String, key: String, broker: Int32) throws {
        try requireRunning()
        try checkBroker(broker)
        let err = nudged { rd_kafka_mock_coordinator_set(mock, keyType, key, broker) }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err) }
    }

    /// Moves a partition's leadership (-1: no leader), as a controller would.
    public func setLeader(topic: String, partition: Int32, broker: Int32) throws {
        try requireRunning()
        if broker != -1 { try checkBroker(broker) }
        let err = nudged { rd_kafka_mock_partition_set_leader(mock, topic, partition, broker) }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err) }
    }

    /// Makes the next `errors.count` requests of `api` fail with these codes,
    /// in order. For tests and for demos that say the errors were injected.
    public func injectErrors(api: KafkaApi, _ errors: [Int32]) {
        guard isRunning else { return }
        var codes = errors.map { rd_kafka_resp_err_t(rawValue: $0) }
        rd_kafka_mock_push_request_errors_array(mock, api.rawValue, codes.count, &codes)
    }

    /// Makes this broker answer its next `api` request `milliseconds` late. The
    /// request itself is handled at once (a Produce is appended to the log); only
    /// the response waits, so a client that times out first re-sends a request the
    /// broker already applied: the lost-acknowledgement case of a real network.
    public func delayNextResponse(broker: Int32, api: KafkaApi, milliseconds: Int32) throws {
        try requireRunning()
        try checkBroker(broker)
        let err = kafkalab_mock_broker_push_error_rtt(
            mock, broker, api.rawValue, RD_KAFKA_RESP_ERR_NO_ERROR, milliseconds)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err) }
    }

    /// Makes this broker refuse its next `api` request with `error`, answering it
    /// `milliseconds` late; the requests that arrive meanwhile are handled as usual.
    /// Per broker, unlike `injectErrors`: once a broker has had a per-broker injection
    /// for an API, librdkafka 2.0.2's mock no longer consults the cluster-wide list
    /// for that API on that broker (rd_kafka_mock_next_request_error).
    public func failNextRequest(broker: Int32, api: KafkaApi, error: Int32, milliseconds: Int32) throws {
        try checkBroker(broker)
        let err = kafkalab_mock_broker_push_error_rtt(
            mock, broker, api.rawValue, rd_kafka_resp_err_t(rawValue: error), milliseconds)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err) }
    }

    /// Drops the errors still queued for `api` by `injectErrors`.
    public func clearInjectedErrors(api: KafkaApi) {
        guard isRunning else { return }
        rd_kafka_mock_clear_request_errors(mock, api.rawValue)
    }

    /// Runs a mock control call, waking the mock's thread if the call's own
    /// wake-up is lost. librdkafka 2.0.2 signals the mock thread through a pipe
    /// only once per serve of its op queue; when that byte is lost the op waits
    /// out the thread's 1 s poll (a `broker start` after Ctrl-C then took more
    /// than a second). Any event on the thread's sockets makes it serve its ops,
    /// so after 20 ms a helper opens (and closes) a connection to each broker's
    /// listener until the call returns.
    private func nudged<T>(_ call: () -> T) -> T {
        let done = Atomic<Bool>(false)
        let ports = self.ports
        let waker = Thread {
            usleep(20_000)
            while !done.load(ordering: .acquiring) {
                for port in ports { EmbeddedCluster.touch(port: port) }
                usleep(50_000)
            }
        }
        waker.start()
        defer { done.store(true, ordering: .releasing) }
        return call()
    }

    /// The brokers' listener ports, from the bootstrap list.
    private var ports: [UInt16] {
        bootstrap.split(separator: ",").compactMap { $0.split(separator: ":").last.flatMap { UInt16($0) } }
    }

    /// Connects to 127.0.0.1:port and closes at once (a stopped broker refuses: fine).
    private static func touch(port: UInt16) { _ = accepts(port: port) }

    /// Whether 127.0.0.1:port accepts a connection (closed at once).
    private static func accepts(port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        // No socket to try with: say it accepts rather than call a cluster gone.
        guard fd >= 0 else { return true }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return result == 0 || errno != ECONNREFUSED
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
