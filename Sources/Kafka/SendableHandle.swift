/// A C handle (`rd_kafka_t`, `rd_kafka_mock_cluster_t`) handed to another thread:
/// the one wrapper the Kafka module uses for that.
///
/// `@unchecked Sendable` only because `OpaquePointer` is not. Each place that
/// makes one says, beside it, what makes the sharing safe: a poller's `rd_kafka_t`
/// is thread-safe and its owner joins the poll thread before destroying it; a
/// released mock cluster's handles are used by its teardown thread alone.
struct SendableHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}
