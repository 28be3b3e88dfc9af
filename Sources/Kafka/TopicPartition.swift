import CRdKafka

public struct TopicPartition: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let topic: String
    public let partition: Int32
    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }
    public static func < (a: Self, b: Self) -> Bool {
        (a.topic, a.partition) < (b.topic, b.partition)
    }
    public var description: String { "\(topic)/\(partition)" }
}

/// A partition with an offset and, in results, a per-partition error.
public struct TopicPartitionOffset: Sendable, Hashable, Codable {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
    public let errorCode: Int32
    public init(topic: String, partition: Int32, offset: Int64, errorCode: Int32 = 0) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.errorCode = errorCode
    }
    public var topicPartition: TopicPartition { TopicPartition(topic: topic, partition: partition) }

    /// librdkafka's logical offsets.
    public static let beginning: Int64 = Int64(RD_KAFKA_OFFSET_BEGINNING)
    public static let end: Int64 = Int64(RD_KAFKA_OFFSET_END)
    public static let stored: Int64 = Int64(RD_KAFKA_OFFSET_STORED)
    public static let invalid: Int64 = Int64(RD_KAFKA_OFFSET_INVALID)
}

/// Owns an `rd_kafka_topic_partition_list_t` and lends it out only inside
/// `withUnsafeList`, so the C pointer never escapes.
final class TopicPartitionList {
    private let list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(_ entries: [TopicPartitionOffset]) {
        list = rd_kafka_topic_partition_list_new(Int32(max(entries.count, 1)))
        for e in entries {
            let p = rd_kafka_topic_partition_list_add(list, e.topic, e.partition)!
            p.pointee.offset = e.offset
        }
    }

    deinit { rd_kafka_topic_partition_list_destroy(list) }

    func withUnsafeList<T>(_ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws -> T) rethrows -> T {
        try body(list)
    }

    var entries: [TopicPartitionOffset] { Self.read(list) }

    static func read(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>) -> [TopicPartitionOffset] {
        let l = list.pointee
        return (0..<Int(l.cnt)).map { i in
            let e = l.elems[i]
            return TopicPartitionOffset(
                topic: String(cString: e.topic), partition: e.partition,
                offset: e.offset, errorCode: e.err.rawValue)
        }
    }

    static func read(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> [TopicPartitionOffset] {
        read(UnsafePointer(list))
    }
}
