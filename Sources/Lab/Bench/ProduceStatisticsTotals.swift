import Foundation
import Kafka

/// What librdkafka's statistics say about one bench run's batches and
/// requests. The `WindowStats` (batch size, messages per batch) cover one
/// statistics interval each and are reset at every emission, so they are
/// summed over the emissions of the run; the request and byte counters are
/// cumulative, so the run's share is the last emission minus the baseline.
struct ProduceStatisticsTotals: Equatable, Sendable {
    /// Bytes of produced batches as sent (after compression), summed.
    private(set) var batchBytes: Int64 = 0
    private(set) var batches: Int64 = 0
    /// Messages in those batches, summed.
    private(set) var batchMessages: Int64 = 0
    private(set) var produceRequests: Int64 = 0
    /// Bytes written to broker sockets (all requests, framing included).
    private(set) var wireBytes: Int64 = 0
    private(set) var emissions = 0

    private let baselineRequests: Int64
    private let baselineWireBytes: Int64

    /// - `baseline`: the last emission before the run began (after warm-up), or
    ///   nil for a fresh producer that has sent nothing yet.
    init(baseline: ClientStatistics? = nil) {
        baselineRequests = baseline?.produceRequests ?? 0
        baselineWireBytes = baseline?.bytesSent ?? 0
    }

    init(baseline: ProduceStatisticsSample?) {
        baselineRequests = baseline?.produceRequests ?? 0
        baselineWireBytes = baseline?.bytesSent ?? 0
    }

    mutating func add(_ emission: ClientStatistics, topic: String) {
        let t = emission.topics?[topic]
        add(
            batchBytes: t?.batchSize?.sum ?? 0, batches: t?.batchSize?.cnt ?? 0, batchMessages: t?.batchCount?.sum ?? 0,
            produceRequests: emission.produceRequests, bytesSent: emission.bytesSent)
    }

    mutating func add(_ sample: ProduceStatisticsSample) {
        add(
            batchBytes: sample.batchBytes, batches: sample.batches, batchMessages: sample.batchMessages,
            produceRequests: sample.produceRequests, bytesSent: sample.bytesSent)
    }

    private mutating func add(
        batchBytes: Int64, batches: Int64, batchMessages: Int64, produceRequests: Int64, bytesSent: Int64
    ) {
        emissions += 1
        self.batchBytes += batchBytes
        self.batches += batches
        self.batchMessages += batchMessages
        self.produceRequests = produceRequests - baselineRequests
        wireBytes = bytesSent - baselineWireBytes
    }

    /// Adds another client's totals of the same run (several producers).
    mutating func absorb(_ other: ProduceStatisticsTotals) {
        batchBytes += other.batchBytes
        batches += other.batches
        batchMessages += other.batchMessages
        produceRequests += other.produceRequests
        wireBytes += other.wireBytes
        emissions += other.emissions
    }

    /// Payload bytes per byte of produced batch; nil until a batch was seen.
    func compressionRatio(payloadBytes: Int64) -> Double? {
        batchBytes > 0 ? Double(payloadBytes) / Double(batchBytes) : nil
    }

    var averageBatchMessages: Double? { batches > 0 ? Double(batchMessages) / Double(batches) : nil }
    var averageBatchBytes: Double? { batches > 0 ? Double(batchBytes) / Double(batches) : nil }
}

/// The few figures of one statistics emission a producer bench needs,
/// decoded without the rest: `ClientStatistics` decodes every broker,
/// topic and partition field, which cost about 4 ms of CPU per process
/// (type metadata built on first use, then every field) against
/// rdkafka_performance's handful of string scans.
struct ProduceStatisticsSample: Equatable, Sendable {
    let batchBytes: Int64
    let batches: Int64
    let batchMessages: Int64
    let produceRequests: Int64
    let bytesSent: Int64

    private struct Doc: Decodable {
        struct Broker: Decodable {
            let nodeid: Int32?
            let txbytes: Int64?
            let req: Requests?
        }
        struct Requests: Decodable { let Produce: Int64? }
        struct Window: Decodable {
            let sum: Int64?
            let cnt: Int64?
        }
        struct Topic: Decodable {
            let batchsize: Window?
            let batchcnt: Window?
        }
        let brokers: [String: Broker]?
        let topics: [String: Topic]?
    }

    /// Reads `topic`'s batch windows and the request and byte counters of the real brokers.
    static func decode(_ json: String, topic: String) -> ProduceStatisticsSample? {
        guard let doc = try? JSONDecoder().decode(Doc.self, from: Data(json.utf8)) else { return nil }
        let brokers = (doc.brokers ?? [:]).values.filter { ($0.nodeid ?? -1) >= 0 }
        let t = doc.topics?[topic]
        return ProduceStatisticsSample(
            batchBytes: t?.batchsize?.sum ?? 0, batches: t?.batchsize?.cnt ?? 0, batchMessages: t?.batchcnt?.sum ?? 0,
            produceRequests: brokers.reduce(0) { $0 + ($1.req?.Produce ?? 0) },
            bytesSent: brokers.reduce(0) { $0 + ($1.txbytes ?? 0) })
    }
}
