import Kafka

extension CommandContext {
    /// The topic a demo writes to: the one named, or its own (created if missing,
    /// with up to three replicas). Kernel code: demos of several labs share it.
    /// Demos write with acks=all: one whose topic is below min.insync.replicas stops
    /// here in one line rather than in a five-minute retry.
    func demoTopic(_ explicit: String?, defaultName: String, partitions: Int32) throws -> TopicInfo {
        let topic = try demoTopicUnchecked(explicit, defaultName: defaultName, partitions: partitions)
        try ProduceAvailability.check(
            topic: topic.name, properties: [:], connection: try session.requireConnection(), output: output, lab: path)
        return topic
    }

    private func demoTopicUnchecked(_ explicit: String?, defaultName: String, partitions: Int32) throws -> TopicInfo {
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
