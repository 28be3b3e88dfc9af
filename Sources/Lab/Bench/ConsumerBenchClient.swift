import Foundation
import Kafka
import Synchronization

/// The records every consumer of one `bench consume` run may still take:
/// each batch claims its size at once (one atomic add per batch, not per
/// record) and gives back what it did not hand over, so the clients
/// together take exactly `count`.
final class ConsumeBudget: Sendable {
    let count: Int
    private let taken = Atomic<Int>(0)
    init(count: Int) { self.count = count }

    /// Claims up to `n` records; returns how many this batch may count.
    func claim(_ n: Int) -> Int {
        let before = taken.wrappingAdd(n, ordering: .relaxed).oldValue
        return max(0, min(n, count - before))
    }

    /// Returns records claimed but not counted (errors, or the claim's overshoot past `count`).
    func giveBack(_ n: Int) { if n > 0 { taken.wrappingSubtract(n, ordering: .relaxed) } }

    var consumed: Int { min(count, taken.load(ordering: .relaxed)) }
    var isDone: Bool { taken.load(ordering: .relaxed) >= count }
}

/// One consumer of a `bench consume` run: reads batches straight from its
/// queue until the shared budget is spent, tracking per partition what it saw.
///
/// `@unchecked Sendable`: run by one thread (its own, or the caller's for a
/// single consumer); the caller reads its figures only after that thread
/// has signalled it is done.
final class ConsumerBenchClient: @unchecked Sendable {
    let index: Int
    let consumer: Consumer
    private(set) var consumed = 0
    private(set) var bytes = 0
    private(set) var duplicates = 0
    /// Records per partition, counted once each.
    private(set) var perPartition: [Int64]
    private(set) var firstNanos: UInt64?
    private(set) var lastNanos: UInt64?
    private(set) var interrupted = false
    private(set) var idledOut = false
    private(set) var warning: String?
    private(set) var fetchRequests: Int64?

    /// Seconds with no record (while the budget is not spent) before the client gives up.
    static let idleLimitSeconds = 30.0

    init(index: Int, config: [String: String], partitions: Int) throws {
        self.index = index
        perPartition = [Int64](repeating: 0, count: max(partitions, 1))
        let box = StatisticsBox()
        consumer = try Consumer(config: config, onStatistics: { json in box.set(json) })
        self.box = box
    }
    private let box: StatisticsBox

    /// Reads until `budget` is spent, Ctrl-C, or nothing arrives for `idleLimitSeconds`.
    /// `tick` is called between batches on this thread (the single-client progress line).
    func read(budget: ConsumeBudget, cancellation: Cancellation, tick: ((Int) -> Void)? = nil) {
        var next = [Int64](repeating: -1, count: perPartition.count)
        let reader = ConsumerBatchReader(consumer)
        var lastActivity = BenchClock.nanos()
        var lastTick: UInt64 = 0
        var consumed = 0, bytes = 0, duplicates = 0
        var first: UInt64?
        var last: UInt64?
        var counts = perPartition
        while !budget.isDone {
            var claimed = 0
            var handed = 0
            do {
                _ = try reader.poll(
                    timeoutMs: 100,
                    claim: { n in
                        claimed = budget.claim(n); return claimed
                    }
                ) { rec in
                    handed += 1
                    bytes += rec.valueLength
                    let p = Int(rec.partition)
                    if p >= 0 && p < next.count {
                        if rec.offset < next[p] { duplicates += 1 } else { next[p] = rec.offset + 1; counts[p] += 1 }
                    }
                }
            } catch let e as KafkaError where !e.isFatal {
                if warning == nil { warning = e.description }
            } catch {
                if warning == nil { warning = "\(error)" }
            }
            budget.giveBack(claimed - handed)
            let now = BenchClock.nanos()
            if handed > 0 {
                // Like rdkafka_performance: the clock starts at the first record.
                if first == nil { first = now }
                last = now
                lastActivity = now
                consumed += handed
            } else {
                if cancellation.isCancelled { interrupted = true; break }
                if Double(now &- lastActivity) / 1e9 > Self.idleLimitSeconds { idledOut = true; break }
            }
            if let tick, now &- lastTick > 100_000_000 {
                lastTick = now
                if cancellation.isCancelled { interrupted = true; break }
                tick(consumed)
            }
        }
        self.consumed = consumed
        self.bytes = bytes
        self.duplicates = duplicates
        self.perPartition = counts
        firstNanos = first
        lastNanos = last
    }

    /// Stops fetching, then waits for one more statistics emission so the
    /// fetch count covers the whole run and little else; then closes.
    func finish() {
        try? consumer.pauseAssignment()
        let emissionsAtEnd = box.emissions
        let waitStarted = BenchClock.nanos()
        while box.emissions <= emissionsAtEnd && Double(BenchClock.nanos() &- waitStarted) / 1e9 < 1.5 {
            consumer.serveCallbacks(timeoutMs: 50)
        }
        fetchRequests = box.latest.flatMap { ClientStatistics.fetchRequests(in: $0) }
        consumer.close()
    }
}

/// The latest statistics document of one consumer and how many arrived.
final class StatisticsBox: Sendable {
    private let state = Mutex<(text: String?, emissions: Int)>((nil, 0))
    func set(_ json: String) { state.withLock { $0 = (json, $0.emissions + 1) } }
    var emissions: Int { state.withLock { $0.emissions } }
    var latest: String? { state.withLock { $0.text } }
}

/// The merged figures of one run's consumers.
struct ConsumeRunTotals: Equatable {
    var consumed = 0
    var bytes = 0
    var duplicates = 0
    var perPartition: [Int64] = []
    var firstNanos: UInt64?
    var lastNanos: UInt64?
    var fetchRequests: Int64?
    var clients: [ClientRate] = []

    /// Sums the clients: records and bytes add up; a partition read by two
    /// clients (a rebalance moved it) counts its records once per client, so
    /// the excess over what it holds shows up in the exactly-once check.
    static func merge(
        _ parts: [(
            consumed: Int, bytes: Int, duplicates: Int, perPartition: [Int64],
            first: UInt64?, last: UInt64?, fetchRequests: Int64?
        )]
    ) -> ConsumeRunTotals {
        var t = ConsumeRunTotals()
        t.perPartition = [Int64](repeating: 0, count: parts.map(\.perPartition.count).max() ?? 0)
        for (i, p) in parts.enumerated() {
            t.consumed += p.consumed
            t.bytes += p.bytes
            t.duplicates += p.duplicates
            for (j, n) in p.perPartition.enumerated() { t.perPartition[j] += n }
            if let f = p.first { t.firstNanos = min(t.firstNanos ?? f, f) }
            if let l = p.last { t.lastNanos = max(t.lastNanos ?? l, l) }
            if let r = p.fetchRequests { t.fetchRequests = (t.fetchRequests ?? 0) + r }
            let seconds = p.first.flatMap { f in p.last.map { l in Double(l &- f) / 1e9 } } ?? 0
            t.clients.append(ClientRate(client: i + 1, messages: p.consumed, seconds: seconds))
        }
        return t
    }

    /// Partitions 0..<n split over `clients` consumers round-robin: consumer i takes p where p % clients == i.
    static func assignment(partitions: Int, clients: Int, client: Int) -> [Int] {
        (0..<partitions).filter { $0 % clients == client }
    }
}
