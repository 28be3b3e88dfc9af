import Kafka

extension CommandContext {
    /// The topic a demo writes to: the one named, or its own (created if missing,
    /// with up to three replicas). Kernel code: demos of several labs share it.
    func demoTopic(_ explicit: String?, defaultName: String, partitions: Int32) throws -> TopicInfo {
        if let explicit { return try session.requireTopic(explicit) }
        let c = try session.requireConnection()
        let brokers = try c.client.metadata().brokers.count
        let (topic, created) = try c.ensureTopic(
            defaultName, partitions: partitions, replicationFactor: Int32(min(3, max(1, brokers))),
            cancellation: cancellation)
        if created {
            output.line("created \(defaultName) (\(partitions) partition\(partitions == 1 ? "" : "s")) for the demo")
        }
        return topic
    }
}
