import Foundation
import Kafka

/// A partition's high watermark (read_uncommitted) and last stable offset
/// (read_committed), as `topic describe` shows them.
struct PartitionEndOffsets {
    var watermarks: Watermarks?
    var lastStable: Int64?

    /// Reads every partition of the topic with a short time-out per call. A leader
    /// that does not answer is asked once: a killed broker stays leader in metadata
    /// until it is fenced, and waiting on it for every partition would add up.
    static func read(_ topic: TopicInfo, client: any ClusterClient, timeoutMs: Int32 = 3_000) -> [Int32: PartitionEndOffsets] {
        var silent = Set<Int32>()
        var result: [Int32: PartitionEndOffsets] = [:]
        for p in topic.partitions {
            guard p.leader >= 0, !silent.contains(p.leader) else {
                result[p.id] = PartitionEndOffsets()
                continue
            }
            guard let w = try? client.watermarks(topic: topic.name, partition: p.id, timeoutMs: timeoutMs) else {
                silent.insert(p.leader)
                result[p.id] = PartitionEndOffsets()
                continue
            }
            let lso = try? client.lastStableOffset(topic: topic.name, partition: p.id, timeoutMs: timeoutMs)
            result[p.id] = PartitionEndOffsets(watermarks: w, lastStable: lso)
        }
        return result
    }
}
