import Foundation
import Kafka

/// Whether an acks=all write can be acknowledged now. With the ISR of a partition
/// below its min.insync.replicas, the leader refuses every acks=all write with
/// NOT_ENOUGH_REPLICAS, a retriable error that librdkafka retries until
/// message.timeout.ms (300 s by default): `produce` would sit for five minutes
/// and end with _MSG_TIMED_OUT. Found before sending, it is one clear line.
enum ProduceAvailability {
    /// The partitions (of those targeted) whose ISR is below `minIsr`, with their ISR.
    static func belowMinIsr(_ topic: TopicInfo, partition: Int32?, minIsr: Int) -> [(partition: Int32, isr: [Int32])] {
        topic.partitions
            .filter { partition == nil || $0.id == partition }
            .filter { $0.leader >= 0 && $0.isr.count < minIsr }
            .map { ($0.id, $0.isr) }
    }

    /// Throws the one-line refusal when the session's producer uses acks=all and a
    /// targeted partition is below min.insync.replicas on a real cluster. A user who
    /// set message.timeout.ms chose how long to wait: then it only warns.
    static func check(_ topic: TopicInfo, partition: Int32?, session: Session) throws {
        guard let c = session.connection, c.can(.replication) else { return }
        let props = session.settings.producerProperties
        let acks = props["acks"] ?? props["request.required.acks"] ?? "all"
        guard acks == "all" || acks == "-1" else { return }
        // Only an under-replicated partition can be below min ISR: skip DescribeConfigs otherwise.
        guard topic.partitions.contains(where: { $0.isr.count < $0.replicas.count }) else { return }
        guard
            let minIsr = (try? c.client.describeTopicConfig(topic.name))?
                .first(where: { $0.name == "min.insync.replicas" })?.value.flatMap({ Int($0) })
        else { return }
        let below = belowMinIsr(topic, partition: partition, minIsr: minIsr)
        guard !below.isEmpty else { return }
        let list = below.map { "\($0.partition) (ISR [\($0.isr.map(String.init).joined(separator: ","))])" }.joined(
            separator: ", ")
        let text =
            "acks=all: \(topic.name) partition(s) \(list) are below min.insync.replicas \(minIsr), so the leader refuses every acks=all write with NOT_ENOUGH_REPLICAS, which librdkafka retries until message.timeout.ms"
        if let timeout = props["message.timeout.ms"] {
            session.output.warning(text + " (\(timeout) ms, as you set it) and then reports _MSG_TIMED_OUT")
            return
        }
        throw LabError.invalid(
            text
                + " (300 s) before failing; `set acks 1` writes with fewer copies, `broker start <id>` restores the ISR, `min-isr demo` shows the broker's answer"
        )
    }
}
