import Kafka

/// What librdkafka's statistics say about one bench run's batches and
/// requests. The `WindowStats` (batch size, messages per batch) cover one
/// statistics interval each and are reset at every emission, so they are
/// summed over the emissions of the run; the request and byte counters are
/// cumulative, so the run's share is the last emission minus the baseline.
public struct ProduceStatisticsTotals: Equatable, Sendable {
    /// Bytes of produced batches as sent (after compression), summed.
    public private(set) var batchBytes: Int64 = 0
    public private(set) var batches: Int64 = 0
    /// Messages in those batches, summed.
    public private(set) var batchMessages: Int64 = 0
    public private(set) var produceRequests: Int64 = 0
    /// Bytes written to broker sockets (all requests, framing included).
    public private(set) var wireBytes: Int64 = 0
    public private(set) var emissions = 0

    private let baselineRequests: Int64
    private let baselineWireBytes: Int64

    /// - `baseline`: the last emission before the run began (after warm-up), or
    ///   nil for a fresh producer that has sent nothing yet.
    public init(baseline: ClientStatistics? = nil) {
        baselineRequests = baseline?.produceRequests ?? 0
        baselineWireBytes = baseline?.bytesSent ?? 0
    }

    public mutating func add(_ emission: ClientStatistics, topic: String) {
        emissions += 1
        if let t = emission.topics?[topic] {
            batchBytes += t.batchSize?.sum ?? 0
            batches += t.batchSize?.cnt ?? 0
            batchMessages += t.batchCount?.sum ?? 0
        }
        produceRequests = emission.produceRequests - baselineRequests
        wireBytes = emission.bytesSent - baselineWireBytes
    }

    /// Adds another client's totals of the same run (several producers).
    public mutating func absorb(_ other: ProduceStatisticsTotals) {
        batchBytes += other.batchBytes
        batches += other.batches
        batchMessages += other.batchMessages
        produceRequests += other.produceRequests
        wireBytes += other.wireBytes
        emissions += other.emissions
    }

    /// Payload bytes per byte of produced batch; nil until a batch was seen.
    public func compressionRatio(payloadBytes: Int64) -> Double? {
        batchBytes > 0 ? Double(payloadBytes) / Double(batchBytes) : nil
    }

    public var averageBatchMessages: Double? { batches > 0 ? Double(batchMessages) / Double(batches) : nil }
    public var averageBatchBytes: Double? { batches > 0 ? Double(batchBytes) / Double(batches) : nil }
}
