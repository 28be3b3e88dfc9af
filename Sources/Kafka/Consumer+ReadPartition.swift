import Foundation

extension Consumer {
    /// Every record of one partition from its log start to its end (the end it
    /// reports with `enable.partition.eof`), read by a throwaway consumer made from
    /// `properties` (which must name a `group.id`; nothing is committed). Gives up
    /// after `timeoutSeconds` and returns what it read; fatal errors throw.
    public static func readPartition(
        topic: String, partition: Int32, properties: [String: String], timeoutSeconds: Double
    ) throws -> [ConsumedMessage] {
        let consumer = try Consumer(
            config: properties.merging(["enable.auto.commit": "false", "enable.partition.eof": "true"]) { $1 })
        defer { consumer.close() }
        try consumer.assign([
            TopicPartitionOffset(topic: topic, partition: partition, offset: TopicPartitionOffset.beginning)
        ])
        var messages: [ConsumedMessage] = []
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Date() < deadline {
            switch consumer.poll(timeoutMs: 200) {
            case .message(let m)?: messages.append(m)
            case .partitionEOF?: return messages
            case .error(let e)?: if e.isFatal { throw e }
            case nil: continue
            }
        }
        return messages
    }
}
