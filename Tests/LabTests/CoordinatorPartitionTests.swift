import Testing

@testable import Lab

/// Which partition of __consumer_offsets / __transaction_state holds a group's or a
/// transactional.id's state, as Kafka computes it; the labs' checks look at that one.
@Suite("Coordinator partitions as Kafka computes them")
struct CoordinatorPartitionTests {
    @Test func utilsAbsOfJavasStringHashCodeModuloThePartitions() {
        // Java: "hello".hashCode() == 99162322, "Hello World".hashCode() == -862545276,
        // "polygenelubricants".hashCode() == Integer.MIN_VALUE (Utils.abs maps it to 0).
        typealias Log = ProduceAvailability.CoordinatorLog
        #expect(Log.partition(for: "hello", partitions: 50) == 22)
        #expect(Log.partition(for: "Hello World", partitions: 50) == 26)  // not toPositive's 22
        #expect(Log.partition(for: "polygenelubricants", partitions: 50) == 0)
        #expect(Log.partition(for: "", partitions: 50) == 0)
        #expect(Log.partition(for: "billing", partitions: 50) == 9)
        #expect(Log.partition(for: "billing", partitions: 0) == 0)
    }
}
