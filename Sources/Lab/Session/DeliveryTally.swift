import Kafka
import Synchronization

/// Delivery reports condensed: how many made it, where, and what failed. Built report by
/// report (`add`), so a producer of millions of messages keeps a few numbers per partition, not
/// every report.
struct DeliverySummary {
    private(set) var delivered = 0
    private(set) var failed = 0
    /// First and last offset delivered, indexed by partition (`first` > `last`: none yet).
    private var ranges: [(first: Int64, last: Int64)] = []
    private var failureCounts: [String: Int] = [:]

    init() {}

    init(reports: [DeliveryReport]) {
        for r in reports { add(r) }
    }

    mutating func add(_ r: DeliveryReport) {
        guard r.succeeded else {
            failed += 1
            failureCounts[KafkaError.name(of: r.errorCode), default: 0] += 1
            return
        }
        delivered += 1
        let p = Int(r.partition)
        guard p >= 0 else { return }
        if p >= ranges.count {
            ranges.append(contentsOf: repeatElement((first: Int64.max, last: Int64.min), count: p + 1 - ranges.count))
        }
        ranges[p] = (min(ranges[p].first, r.offset), max(ranges[p].last, r.offset))
    }

    /// Adds what `other` counted (reports tallied in two places, one after the other).
    mutating func merge(_ other: DeliverySummary) {
        delivered += other.delivered
        failed += other.failed
        failureCounts.merge(other.failureCounts, uniquingKeysWith: +)
        if other.ranges.count > ranges.count {
            ranges.append(
                contentsOf: repeatElement((first: Int64.max, last: Int64.min), count: other.ranges.count - ranges.count)
            )
        }
        for (p, r) in other.ranges.enumerated() {
            ranges[p] = (min(ranges[p].first, r.first), max(ranges[p].last, r.last))
        }
    }

    var offsetRanges: [(partition: Int32, first: Int64, last: Int64)] {
        ranges.indices.compactMap { p in
            ranges[p].first <= ranges[p].last ? (Int32(p), ranges[p].first, ranges[p].last) : nil
        }
    }

    var failuresByName: [(name: String, count: Int)] {
        failureCounts.sorted { $0.value > $1.value }.map { ($0.key, $0.value) }
    }
}

/// Delivery reports condensed on the thread that serves them itself (`produce`, through
/// `Producer.servingReportsHere`): no lock, nothing shared.
final class ProduceTally: DeliverySink {
    private(set) var summary = DeliverySummary()
    override func deliver(_ report: DeliveryReport) { summary.add(report) }
}

/// The session producer's delivery reports, condensed as they arrive on librdkafka's poll thread.
/// Kernel code: the session's producer (`SessionProducer`) keeps one; `produce` reads it.
public final class DeliveryTally: Sendable {
    private let summary = Mutex(DeliverySummary())
    public init() {}
    public func record(_ r: DeliveryReport) { summary.withLock { $0.add(r) } }
    /// How many reports arrived since the last `take()`, without taking them (progress, stalls).
    var reported: (delivered: Int, failed: Int) { summary.withLock { ($0.delivered, $0.failed) } }
    /// What arrived since the last `take()`.
    func take() -> DeliverySummary {
        summary.withLock { s in
            defer { s = DeliverySummary() }
            return s
        }
    }
}
