import Foundation
import Kafka
import Synchronization

/// The cluster-facing calls the labs make: metadata, watermarks, topic
/// creation and configs, consumer groups. The real implementation is
/// librdkafka's admin handle (`AdminClusterClient`); tests put a scripted
/// stand-in behind it that behaves as Kafka 3.9 does where the embedded mock
/// cannot (ISR shrink, fencing delay, registration delay, LSO behind HW).
/// Only `ClusterConnection`'s internal initializer accepts another
/// implementation, so nothing the shell can reach talks to a stand-in.
public protocol ClusterClient: AnyObject, Sendable {
    /// Upper bound of each call when none is given.
    var timeoutMs: Int32 { get }
    func metadata(timeoutMs: Int32?) throws -> ClusterMetadata
    /// Low and high watermark (ListOffsets with read_uncommitted: the HW,
    /// whatever transactions are open).
    func watermarks(topic: String, partition: Int32, timeoutMs: Int32?) throws -> Watermarks
    /// The last stable offset (ListOffsets "latest" with read_committed): below
    /// the HW while a transaction on the partition is open or its marker is not
    /// yet written.
    func lastStableOffset(topic: String, partition: Int32, timeoutMs: Int32?) throws -> Int64
    /// Low and high watermarks of several partitions of one topic, in as few requests as the client can.
    func watermarks(topic: String, partitions: [Int32]) throws -> [Int32: Watermarks]
    func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32, configs: [String: String]) throws
    func deleteTopic(_ name: String) throws
    func describeTopicConfig(_ topic: String) throws -> [ConfigEntry]
    /// Every record of one partition, from its log start to its end, as a consumer
    /// with `consumerProperties` reads it (the compaction demo's view of a log: what
    /// the log cleaner left).
    func readPartition(
        topic: String, partition: Int32, consumerProperties: [String: String], timeoutSeconds: Double
    ) throws -> [ConsumedMessage]
    func listGroups() throws -> GroupListings
    func describeGroup(_ id: String) throws -> GroupDescription
    func committedOffsets(group: String, partitions: [TopicPartition]) throws -> [TopicPartitionOffset]
    func clusterId(timeoutMs: Int32) -> String?
    /// The controller id of a Metadata response. In KRaft it names a random
    /// live broker, NOT the active controller (only the quorum tool knows that).
    func metadataControllerId(timeoutMs: Int32) -> Int32?
    /// The clock the labs' bounded waits on this cluster read and pause on: the wall
    /// clock, or a stand-in's scripted one (whose cluster moves on that clock's time).
    var clock: any LabClock { get }
}

extension ClusterClient {
    public var clock: any LabClock { WallClock() }
    public func metadata() throws -> ClusterMetadata { try metadata(timeoutMs: nil) }
    public func watermarks(topic: String, partition: Int32) throws -> Watermarks {
        try watermarks(topic: topic, partition: partition, timeoutMs: nil)
    }
    public func readPartition(
        topic: String, partition: Int32, consumerProperties: [String: String], timeoutSeconds: Double
    ) throws -> [ConsumedMessage] {
        try Consumer.readPartition(
            topic: topic, partition: partition, properties: consumerProperties, timeoutSeconds: timeoutSeconds)
    }
    /// One query per partition: what a client without a batched query does.
    public func watermarks(topic: String, partitions: [Int32]) throws -> [Int32: Watermarks] {
        var all: [Int32: Watermarks] = [:]
        for p in partitions { all[p] = try watermarks(topic: topic, partition: p, timeoutMs: nil) }
        return all
    }
}

/// The real `ClusterClient`: librdkafka's admin handle. Watermarks come from a
/// handle with isolation.level=read_uncommitted (the HW, as kafka-consumer-groups
/// shows it); the LSO from a second handle, made on first use, with read_committed.
public final class AdminClusterClient: ClusterClient {
    public let admin: AdminClient
    private let committedConfig: [String: String]
    /// Made on first use, from whichever thread asks first.
    private let committedView = Mutex<AdminClient?>(nil)

    /// Properties of the handle that answers watermark queries: librdkafka's
    /// default isolation.level is read_committed, whose "latest" offset is the LSO.
    public static func highWatermarkProperties(_ base: [String: String]) -> [String: String] {
        base.merging(["client.id": "kafkalab-admin", "isolation.level": "read_uncommitted"]) { $1 }
    }

    /// Bounds every request of an admin handle (librdkafka's socket.timeout.ms is
    /// 60 s): a watermark query waits for its request's own time-out, not the one
    /// given to the call, when the leader died without leaving metadata.
    static func bounded(_ properties: [String: String], timeoutMs: Int32) -> [String: String] {
        properties["socket.timeout.ms"] == nil
            ? properties.merging(["socket.timeout.ms": String(max(timeoutMs, 1_000))]) { $1 } : properties
    }

    public init(base: [String: String], timeoutMs: Int32) throws {
        admin = try AdminClient(
            config: Self.bounded(Self.highWatermarkProperties(base), timeoutMs: timeoutMs), timeoutMs: timeoutMs)
        committedConfig = Self.bounded(
            base.merging(["client.id": "kafkalab-admin-lso", "isolation.level": "read_committed"]) { $1 },
            timeoutMs: timeoutMs)
    }

    public var timeoutMs: Int32 { admin.timeoutMs }
    public func metadata(timeoutMs: Int32?) throws -> ClusterMetadata { try admin.metadata(timeoutMs: timeoutMs) }
    public func watermarks(topic: String, partition: Int32, timeoutMs: Int32?) throws -> Watermarks {
        try admin.watermarks(topic: topic, partition: partition, timeoutMs: timeoutMs)
    }
    public func lastStableOffset(topic: String, partition: Int32, timeoutMs: Int32?) throws -> Int64 {
        let config = committedConfig, timeout = admin.timeoutMs
        let view = try committedView.withLock { view throws -> AdminClient in
            if let view { return view }
            let made = try AdminClient(config: config, timeoutMs: timeout)
            view = made
            return made
        }
        return try view.watermarks(topic: topic, partition: partition, timeoutMs: timeoutMs).high
    }
    public func createTopic(
        _ name: String, partitions: Int32, replicationFactor: Int32, configs: [String: String]
    ) throws {
        try admin.createTopic(name, partitions: partitions, replicationFactor: replicationFactor, configs: configs)
    }
    public func watermarks(topic: String, partitions: [Int32]) throws -> [Int32: Watermarks] {
        try admin.watermarks(topic: topic, partitions: partitions)
    }
    public func deleteTopic(_ name: String) throws { try admin.deleteTopic(name) }
    public func describeTopicConfig(_ topic: String) throws -> [ConfigEntry] { try admin.describeTopicConfig(topic) }
    public func listGroups() throws -> GroupListings { try admin.listGroups() }
    public func describeGroup(_ id: String) throws -> GroupDescription { try admin.describeGroup(id) }
    public func committedOffsets(group: String, partitions: [TopicPartition]) throws -> [TopicPartitionOffset] {
        try admin.committedOffsets(group: group, partitions: partitions)
    }
    public func clusterId(timeoutMs: Int32) -> String? { admin.clusterId(timeoutMs: timeoutMs) }
    public func metadataControllerId(timeoutMs: Int32) -> Int32? { admin.controllerId(timeoutMs: timeoutMs) }
}
