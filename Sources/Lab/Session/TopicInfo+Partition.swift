import Kafka

extension TopicInfo {
    /// The partition with this number, or the one-line error every command gives.
    func partition(numbered p: Int) throws -> PartitionInfo {
        guard let found = partitions.first(where: { $0.id == Int32(p) }) else {
            throw LabError.invalid("\(name) has partitions 0..\(partitions.count - 1); there is no partition \(p)")
        }
        return found
    }
}
