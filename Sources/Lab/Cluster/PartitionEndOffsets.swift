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
            let lso =
                lastStable
                ? try? client.lastStableOffset(topic: topic.name, partition: p.id, timeoutMs: timeoutMs) : nil
            result[p.id] = PartitionEndOffsets(watermarks: w, lastStable: lso)
        }
        return result
    }
}

/// Which leaders accept a TCP connection at their advertised address. A killed
/// broker stays leader in metadata until fenced (broker.session.timeout.ms), and
/// a watermark query sent to it waits far past the time-out it was given
/// (librdkafka 2.0.2); a refused connection says at once not to ask it.
struct LeaderProbe {
    let brokers: [BrokerInfo]
    var timeout: Double = 0.5

    func unreachable(_ leaders: [Int32]) -> Set<Int32> {
        var result = Set<Int32>()
        for id in Set(leaders) where id >= 0 {
            guard let b = brokers.first(where: { $0.id == id }) else { result.insert(id); continue }
            if !ClusterConnection.isReachable(host: b.host, port: UInt16(clamping: b.port), timeout: timeout) {
                result.insert(id)
            }
        }
        return result
    }
}
