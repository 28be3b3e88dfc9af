import CRdKafka

/// A broker as the cluster's metadata lists it.
public struct BrokerInfo: Sendable, Hashable, Codable {
    public let id: Int32
    public let host: String
    public let port: Int32
    public init(id: Int32, host: String, port: Int32) {
        self.id = id
        self.host = host
        self.port = port
    }
    public var address: String { "\(host):\(port)" }
}

public struct PartitionInfo: Sendable, Hashable, Codable {
    public let id: Int32
    /// -1 when the partition has no leader (offline).
    public let leader: Int32
    public let replicas: [Int32]
    public let isr: [Int32]
    /// Replicas on brokers the metadata no longer lists (Kafka's "offline replicas").
    public let offlineReplicas: [Int32]
    public let errorCode: Int32
    public init(
        id: Int32, leader: Int32, replicas: [Int32], isr: [Int32], offlineReplicas: [Int32], errorCode: Int32 = 0
    ) {
        self.id = id
        self.leader = leader
        self.replicas = replicas
        self.isr = isr
        self.offlineReplicas = offlineReplicas
        self.errorCode = errorCode
    }
}

public struct TopicInfo: Sendable, Hashable, Codable {
    public let name: String
    public let partitions: [PartitionInfo]
    public let errorCode: Int32
    public init(name: String, partitions: [PartitionInfo], errorCode: Int32 = 0) {
        self.name = name
        self.partitions = partitions
        self.errorCode = errorCode
    }
    public var isInternal: Bool { name.hasPrefix("__") }
}

/// One Metadata response: brokers, and every topic with its partitions.
public struct ClusterMetadata: Sendable, Codable {
    public let brokers: [BrokerInfo]
    public let topics: [TopicInfo]
    /// The broker that answered.
    public let originBrokerId: Int32
    public init(brokers: [BrokerInfo], topics: [TopicInfo], originBrokerId: Int32) {
        self.brokers = brokers
        self.topics = topics
        self.originBrokerId = originBrokerId
    }

    public func topic(_ name: String) -> TopicInfo? { topics.first { $0.name == name } }
}

/// Low watermark (first offset still stored) and high watermark (next offset
/// a consumer can read up to: the log end offset of committed data).
public struct Watermarks: Sendable, Hashable, Codable {
    public let low: Int64
    public let high: Int64
    public init(low: Int64, high: Int64) {
        self.low = low
        self.high = high
    }
    public var messageCount: Int64 { max(0, high - low) }
}

/// Asks for one topic's metadata on a client's own connection, so that it knows
/// the topic's partitions and leaders before its first message or fetch (see
/// `Producer.prepare` and `Consumer.prepare`). Best effort: a failure only means
/// the client learns them later, as it would have anyway. Returns whether an answer came.
@discardableResult
func learnTopic(_ topic: String, on rk: OpaquePointer, timeoutMs: Int32) -> Bool {
    guard let rkt = rd_kafka_topic_new(rk, topic, nil) else { return false }
    defer { rd_kafka_topic_destroy(rkt) }
    var md: UnsafePointer<rd_kafka_metadata>?
    guard rd_kafka_metadata(rk, 0, rkt, &md, timeoutMs) == RD_KAFKA_RESP_ERR_NO_ERROR, let md else { return false }
    rd_kafka_metadata_destroy(md)
    return true
}
