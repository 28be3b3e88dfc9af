/// What kafkalab does to librdkafka's mock cluster that the Kafka protocol
/// cannot: create topics (the mock has no CreateTopics), stop and start
/// brokers, move leadership, inject request errors.
///
/// Two implementations: `EmbeddedCluster` (the mock in this process) and the
/// client of a `kafkalab serve` process's control channel (the mock in
/// another process on this machine). A real cluster has neither: its topics
/// go through CreateTopics and its brokers are stopped by their host.
public protocol MockClusterControl: AnyObject, Sendable {
    var brokerCount: Int { get }
    /// Brokers stopped through this control (the mock keeps them in metadata).
    var stoppedBrokers: Set<Int32> { get }
    /// Creates a topic; the mock ignores `replicationFactor` (see EmbeddedCluster).
    func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32) throws
    func stopBroker(_ id: Int32) throws
    func startBroker(_ id: Int32) throws
    /// Moves a partition's leadership (-1: no leader), as a controller would.
    func setLeader(topic: String, partition: Int32, broker: Int32) throws
    /// Makes the next `errors.count` requests of `api` fail with these codes.
    func injectErrors(api: KafkaApi, _ errors: [Int32]) throws
    /// Makes broker `broker` answer its next `api` request `milliseconds` late;
    /// the request itself is applied at once (a lost acknowledgement).
    func delayNextResponse(broker: Int32, api: KafkaApi, milliseconds: Int32) throws
    /// Makes broker `broker` refuse its next `api` request with `error` (nothing is
    /// applied), answering `milliseconds` late: the requests sent meanwhile are handled.
    func failNextRequest(broker: Int32, api: KafkaApi, error: Int32, milliseconds: Int32) throws
}

extension MockClusterControl {
    public var brokerIds: [Int32] { (1...Int32(brokerCount)).map { $0 } }
}

extension EmbeddedCluster: MockClusterControl {}
