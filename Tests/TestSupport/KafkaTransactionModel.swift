/// What a Kafka 3.9 transaction coordinator and the partition leaders know about
/// transactions, as far as clients can see it, for the stand-in's proxy: which
/// producer id and epoch each transactional.id has, which partitions each ongoing
/// transaction has added, where each partition's open transactions begin, when the
/// markers are due, and which transactions were aborted. Pure: the proxy feeds it
/// the requests and answers it sees and writes the markers it hands out.
///
/// librdkafka 2.0.2's mock, under the proxy, hands out producer ids and checks
/// epochs but writes no markers, always reports LSO = HW and lists no aborted
/// transactions; it never bumps an epoch unless asked with the current one
/// (InitProducerId v3+, KIP-360). The rules here are Kafka's
/// (core/.../transaction/TransactionCoordinator.scala and TransactionStateManager.scala,
/// UnifiedLog's firstUnstableOffset, LogSegment.collectAbortedTxns):
/// - A second InitProducerId for a transactional.id bumps the epoch of the id it
///   has (the proxy asks the mock to, so the mock refuses the old epoch from then
///   on: INVALID_PRODUCER_EPOCH, which is what Kafka 3.9 answers the versions
///   librdkafka uses: EndTxn v0-1, AddPartitionsToTxn v0, AddOffsetsToTxn v0, Produce).
///   If a transaction is ongoing, the coordinator first aborts it with a bumped
///   epoch and answers CONCURRENT_TRANSACTIONS; the client's retry bumps again.
/// - EndTxn: the coordinator answers, then writes a marker into every partition
///   the transaction added (`markerDelayMs` later here, on the stand-in's clock).
/// - A transaction open longer than its transaction.timeout.ms is aborted with a
///   bumped epoch at the coordinator's next check (every 10 s).
/// - A partition's last stable offset is the first offset of its earliest
///   transaction without a marker yet, else the high watermark.
/// - A read_committed Fetch lists the aborted transactions (producer id, first
///   offset) whose range reaches the fetch offset and begins below the LSO.
public struct KafkaTransactionModel: Sendable {
    public struct TopicPartition: Hashable, Sendable, CustomStringConvertible {
        public var topic: String
        public var partition: Int32
        public init(_ topic: String, _ partition: Int32) {
            self.topic = topic
            self.partition = partition
        }
        public var description: String { "\(topic)/\(partition)" }
    }

    public struct ProducerIdentity: Hashable, Sendable {
        public var id: Int64
        public var epoch: Int16
        public init(id: Int64, epoch: Int16) {
            self.id = id
            self.epoch = epoch
        }
    }

    /// A marker the coordinator will write: when, where, for whom.
    public struct Marker: Equatable, Sendable {
        public var transactionalId: String
        public var partition: TopicPartition
        public var producer: ProducerIdentity
        public var commit: Bool
        public var dueMs: Int
    }

    public struct AbortedTransaction: Equatable, Sendable {
        public var producerId: Int64
        public var firstOffset: Int64
        /// The abort marker's offset.
        public var lastOffset: Int64
    }

    /// What the proxy does with an InitProducerId request.
    public enum InitProducerIdPlan: Equatable, Sendable {
        /// Not a transactional.id the coordinator knows (or a version without the
        /// current-id fields): the mock hands out a new id, as Kafka would.
        case forward
        /// Ask the mock to bump this id's epoch (the request carries it as current).
        case bump(ProducerIdentity)
        /// Ask the mock to bump `bump` (fencing the ongoing transaction, whose abort
        /// markers are scheduled once it has) and answer the client CONCURRENT_TRANSACTIONS.
        case fenceOngoing(bump: ProducerIdentity)
    }

    /// transaction.abort.timed.out.transaction.cleanup.interval.ms (Kafka's default): how often
    /// the coordinator looks for transactions open longer than their transaction.timeout.ms.
    public var timeoutCheckIntervalMs = 10_000
    /// The coordinator's epoch (written into each marker); one coordinator, never moved here.
    public var coordinatorEpoch: Int32 = 0
    /// From EndTxn to each of its markers in the log.
    public var markerDelayMs: Int

    /// transactional.id → its producer id and current epoch.
    public private(set) var producers: [String: ProducerIdentity] = [:]
    /// transactional.id → the partitions its ongoing transaction has added.
    public private(set) var ongoing: [String: Set<TopicPartition>] = [:] {
        didSet { ongoingSinceMs = ongoingSinceMs.filter { ongoing[$0.key] != nil } }
    }
    /// transactional.id → when its ongoing transaction added its first partition (txnStartTimestamp).
    public private(set) var ongoingSinceMs: [String: Int] = [:]
    /// transactional.id → the transaction.timeout.ms its producer gave in InitProducerId.
    public private(set) var transactionTimeoutsMs: [String: Int] = [:]
    /// Per partition, per producer id: the first offset of its transactional data that has no marker yet.
    public private(set) var openFirstOffsets: [TopicPartition: [Int64: Int64]] = [:]
    public private(set) var aborted: [TopicPartition: [AbortedTransaction]] = [:]
    /// Markers not yet written, in the order they are due.
    public private(set) var pending: [Marker] = []
    /// The highest high watermark a Fetch answer reported, per partition with transactions.
    public private(set) var highWatermarks: [TopicPartition: Int64] = [:]

    public init(markerDelayMs: Int) {
        self.markerDelayMs = markerDelayMs
    }

    // MARK: What the coordinator is asked

    /// A client's InitProducerId for `transactionalId` without a current id (a new producer instance).
    public func planInitProducerId(transactionalId: String) -> InitProducerIdPlan {
        guard let current = producers[transactionalId] else { return .forward }
        return ongoing[transactionalId] != nil ? .fenceOngoing(bump: current) : .bump(current)
    }

    /// The mock bumped the epoch to fence `transactionalId`'s ongoing transaction
    /// (TransactionCoordinator's prepareFenceProducerEpoch): it is aborted with the
    /// bumped epoch, its markers due `markerDelayMs` from now.
    public mutating func ongoingTransactionFenced(
        transactionalId: String, bumpedTo fenced: ProducerIdentity, nowMs: Int
    ) {
        producers[transactionalId] = fenced
        guard let partitions = ongoing.removeValue(forKey: transactionalId) else { return }
        schedule(partitions, of: transactionalId, producer: fenced, commit: false, nowMs: nowMs)
    }

    /// InitProducerId answered without error.
    public mutating func producerIdAssigned(
        transactionalId: String, _ producer: ProducerIdentity, transactionTimeoutMs: Int? = nil
    ) {
        producers[transactionalId] = producer
        ongoing[transactionalId] = nil
        if let transactionTimeoutMs { transactionTimeoutsMs[transactionalId] = transactionTimeoutMs }
    }

    /// AddPartitionsToTxn answered: `added` are the partitions it accepted. The first
    /// starts the transaction (Empty/Complete → Ongoing) and its transaction.timeout.ms.
    public mutating func partitionsAdded(
        transactionalId: String, producer: ProducerIdentity, _ added: [TopicPartition], nowMs: Int
    ) {
        guard producers[transactionalId] == producer, !added.isEmpty else { return }
        if ongoing[transactionalId] == nil { ongoingSinceMs[transactionalId] = nowMs }
        ongoing[transactionalId, default: []].formUnion(added)
    }

    /// Ongoing transactions the coordinator's periodic check finds open longer than
    /// their transaction.timeout.ms by `nowMs` (TransactionStateManager.timedOutTransactions:
    /// txnStartTimestamp + txnTimeoutMs < now, checked every `timeoutCheckIntervalMs`).
    /// The coordinator aborts each with a bumped epoch (prepareFenceProducerEpoch), as
    /// `ongoingTransactionFenced` records.
    public func timedOutTransactions(nowMs: Int) -> [(transactionalId: String, producer: ProducerIdentity)] {
        ongoingSinceMs.compactMap { id, since in
            guard let timeout = transactionTimeoutsMs[id], let producer = producers[id] else { return nil }
            let firstCheckAfter = ((since + timeout) / timeoutCheckIntervalMs + 1) * timeoutCheckIntervalMs
            return firstCheckAfter <= nowMs ? (id, producer) : nil
        }.sorted { $0.transactionalId < $1.transactionalId }
    }

    /// A transactional batch of `producerId` was appended at `baseOffset`.
    public mutating func transactionalDataAppended(_ tp: TopicPartition, producerId: Int64, baseOffset: Int64) {
        if openFirstOffsets[tp]?[producerId] == nil { openFirstOffsets[tp, default: [:]][producerId] = baseOffset }
    }

    /// EndTxn answered without error: the markers are due `markerDelayMs` from now.
    public mutating func transactionEnded(
        transactionalId: String, producer: ProducerIdentity, commit: Bool, nowMs: Int
    ) {
        guard producers[transactionalId] == producer, let partitions = ongoing.removeValue(forKey: transactionalId)
        else { return }
        schedule(partitions, of: transactionalId, producer: producer, commit: commit, nowMs: nowMs)
    }

    private mutating func schedule(
        _ partitions: Set<TopicPartition>, of transactionalId: String, producer: ProducerIdentity, commit: Bool,
        nowMs: Int
    ) {
        let due = nowMs + markerDelayMs
        for tp in partitions.sorted(by: { ($0.topic, $0.partition) < ($1.topic, $1.partition) }) {
            pending.append(
                Marker(transactionalId: transactionalId, partition: tp, producer: producer, commit: commit, dueMs: due))
        }
    }

    /// Whether a batch of `producer` is from an epoch the coordinator has fenced
    /// (ProducerStateManager refuses it: INVALID_PRODUCER_EPOCH).
    public func isFenced(_ producer: ProducerIdentity) -> Bool {
        producers.values.contains { $0.id == producer.id && $0.epoch > producer.epoch }
    }

    // MARK: Markers

    /// The markers due by `nowMs`, oldest first; they stay pending until `markerWritten`.
    public func dueMarkers(nowMs: Int) -> [Marker] { pending.filter { $0.dueMs <= nowMs } }

    /// The markers of `transactionalId`'s previous transaction, due or not: Kafka's
    /// coordinator answers the id's next AddPartitionsToTxn or InitProducerId
    /// CONCURRENT_TRANSACTIONS until they are written, so the client's retry comes
    /// after them; written now, they reach the log in the same order.
    public func markersBlocking(transactionalId: String) -> [Marker] {
        pending.filter { $0.transactionalId == transactionalId }
    }

    /// `marker` is in the log at `offset`: its transaction is no longer open there.
    public mutating func markerWritten(_ marker: Marker, at offset: Int64) {
        guard let index = pending.firstIndex(of: marker) else { return }
        pending.remove(at: index)
        let tp = marker.partition
        let first = openFirstOffsets[tp]?.removeValue(forKey: marker.producer.id)
        if !marker.commit, let first {
            aborted[tp, default: []].append(
                AbortedTransaction(producerId: marker.producer.id, firstOffset: first, lastOffset: offset))
        }
    }

    // MARK: What readers see

    /// Whether any partition of `topics` has an open transaction or an aborted one: a
    /// read of the others needs nothing from this model.
    public func hasTransactions(in topics: some Sequence<String>) -> Bool {
        let names = Set(topics)
        return openFirstOffsets.contains { names.contains($0.key.topic) && !$0.value.isEmpty }
            || aborted.keys.contains { names.contains($0.topic) }
    }

    public mutating func noteHighWatermark(_ tp: TopicPartition, _ high: Int64) {
        highWatermarks[tp] = max(high, highWatermarks[tp] ?? high)
    }

    /// Where a read_committed fetch from `fetchOffset` may as well ask from: a fetch at
    /// or past an open transaction's first offset returns nothing (the leader reads up
    /// to the LSO), so asking from the last known HW lets the mock wait fetch.wait.max.ms
    /// for new data as Kafka's leader would, instead of answering at once with data the
    /// proxy then drops. Nil: ask as the client did.
    public func idleFetchOffset(_ tp: TopicPartition, fetchOffset: Int64) -> Int64? {
        guard let open = openFirstOffsets[tp]?.values.min(), fetchOffset >= open,
            let high = highWatermarks[tp], high > fetchOffset
        else { return nil }
        return high
    }

    /// The partition's last stable offset, given its high watermark.
    public func lastStableOffset(_ tp: TopicPartition, highWatermark: Int64) -> Int64 {
        min(highWatermark, openFirstOffsets[tp]?.values.min() ?? highWatermark)
    }

    /// The aborted transactions a read_committed fetch from `fetchOffset` needs, up to `lastStableOffset`.
    public func abortedTransactions(
        _ tp: TopicPartition, fetchOffset: Int64, lastStableOffset: Int64
    )
        -> [AbortedTransaction]
    {
        (aborted[tp] ?? []).filter { $0.lastOffset >= fetchOffset && $0.firstOffset < lastStableOffset }
    }
}
