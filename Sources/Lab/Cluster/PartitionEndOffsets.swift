import Foundation
import Kafka

/// A partition's high watermark (read_uncommitted) and last stable offset
/// (read_committed), as `topic describe` shows them.
struct PartitionEndOffsets {
    var watermarks: Watermarks?
    var lastStable: Int64?

    /// Reads every partition of the topic with a short time-out per call. A leader
    /// that does not accept a connection, or does not answer, is asked no more: a
    /// killed broker stays leader in metadata until it is fenced, and librdkafka
    /// 2.0.2's watermark query waits on a dead leader past its own time-out.
    /// `lastStable: false` skips the LSO (the embedded mock reports it equal to the HW).
    static func read(
        _ topic: TopicInfo, brokers: [BrokerInfo], client: any ClusterClient, lastStable: Bool = true,
        timeoutMs: Int32 = 3_000
    ) -> [Int32: PartitionEndOffsets] {
        var silent = LeaderProbe(brokers: brokers).unreachable(topic.partitions.map(\.leader))
        var result: [Int32: PartitionEndOffsets] = [:]
        // Every answering leader's partitions in two ListOffsets round trips, not one per
        // partition: `topic describe` of 3,000 partitions took 1.65 s asking each in turn.
        let asked = topic.partitions.filter { $0.leader >= 0 && !silent.contains($0.leader) }.map(\.id)
        let batch = asked.isEmpty ? nil : try? client.watermarks(topic: topic.name, partitions: asked)
        for p in topic.partitions {
            if let w = batch?[p.id] {
                let lso =
                    lastStable
                    ? try? client.lastStableOffset(topic: topic.name, partition: p.id, timeoutMs: timeoutMs) : nil
                result[p.id] = PartitionEndOffsets(watermarks: w, lastStable: lso)
                continue
            }
            guard p.leader >= 0, !silent.contains(p.leader) else {
                result[p.id] = PartitionEndOffsets()
                continue
            }
            guard let w = try? client.watermarks(topic: topic.name, partition: p.id, timeoutMs: timeoutMs) else {
                silent.insert(p.leader)
                result[p.id] = PartitionEndOffsets()
                continue
            }
            let lso =
                lastStable
                ? try? client.lastStableOffset(topic: topic.name, partition: p.id, timeoutMs: timeoutMs) : nil
            result[p.id] = PartitionEndOffsets(watermarks: w, lastStable: lso)
        }
        return result
    }
}
