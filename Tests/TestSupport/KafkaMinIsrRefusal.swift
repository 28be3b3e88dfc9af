import Synchronization

/// What Kafka 3.9 refuses while a partition's ISR is below min.insync.replicas,
/// answered by the proxy in front of the mock (which cannot tell acks=all from
/// acks=1, and has no internal topics):
///
/// - Produce (v3-7) with acks=-1: each refused partition is answered
///   NOT_ENOUGH_REPLICAS (19), every time (Partition.appendRecordsToLeader); the
///   other partitions of the request go to the broker, and the two answers are
///   merged. acks=1 and acks=0 are never refused.
/// - The coordinators write their state to __consumer_offsets and
///   __transaction_state with acks=-1. While the group's or transactional id's
///   partition is refused, the call that writes answers COORDINATOR_NOT_AVAILABLE
///   (15): OffsetCommit and TxnOffsetCommit for the group
///   (core/src/main/scala/kafka/coordinator/group/GroupMetadataManager.scala,
///   `maybeConvertOffsetCommitError`: NOT_ENOUGH_REPLICAS → COORDINATOR_NOT_AVAILABLE;
///   3.9's default group coordinator is this classic one:
///   GroupCoordinatorConfig.NEW_GROUP_COORDINATOR_ENABLE_DEFAULT = false),
///   InitProducerId (with a transactional id), AddPartitionsToTxn, AddOffsetsToTxn
///   and EndTxn for the transactional id
///   (core/src/main/scala/kafka/coordinator/transaction/TransactionStateManager.scala,
///   `appendTransactionToLog`: the same mapping). Verified against the 3.9.0 release
///   candidate's source (tag 3.9.0-rc3). First order only: Kafka validates the group
///   member or the producer epoch before it writes, and keeps a transaction's pending
///   transition after this retriable failure; the proxy answers before any of that.
public final class KafkaMinIsrRefusal: KafkaWireInterceptor {
    public static let notEnoughReplicas: Int16 = 19
    public static let coordinatorNotAvailable: Int16 = 15

    /// Whether an acks=all append to `topic`/`partition` is refused now. Called on
    /// the proxy's threads.
    let refuses: @Sendable (_ topic: String, _ partition: Int32) -> Bool
    /// offsets.topic.num.partitions and transaction.state.log.num.partitions.
    let internalPartitions: Int32
    private let counts = Mutex<[String: Int]>([:])

    public init(internalPartitions: Int32 = 50, refuses: @escaping @Sendable (String, Int32) -> Bool) {
        self.internalPartitions = internalPartitions
        self.refuses = refuses
    }

    /// How often a request for `topic`/`partition` was refused so far ("__consumer_offsets"
    /// and "__transaction_state" count the coordinator calls refused for their partitions).
    public func refusals(_ topic: String, _ partition: Int32) -> Int {
        counts.withLock { $0["\(topic)/\(partition)"] ?? 0 }
    }

    private func count(_ topic: String, _ partition: Int32) {
        counts.withLock { $0["\(topic)/\(partition)", default: 0] += 1 }
    }

    /// Java's String.hashCode (UTF-16 code units), which Kafka's partitionFor hashes.
    public static func javaHashCode(_ s: String) -> Int32 {
        var h: Int32 = 0
        for unit in s.utf16 { h = h &* 31 &+ Int32(unit) }
        return h
    }

    /// Kafka's `Utils.abs(id.hashCode) % partitions` (GroupMetadataManager.partitionFor,
    /// TransactionStateManager.partitionFor). Utils.abs is Math.abs with
    /// Integer.MIN_VALUE mapped to 0 (not `& 0x7fffffff`, which is `toPositive`).
    public static func coordinatorPartition(for id: String, partitions: Int32) -> Int32 {
        let h = javaHashCode(id)
        let abs = h == .min ? 0 : Swift.abs(h)
        return abs % partitions
    }

    public func intercept(_ request: KafkaWireRequest, on connection: KafkaWireConnection) -> KafkaWireVerdict? {
        do {
            switch request.api {
            case .produce: return try produce(request)
            case .offsetCommit, .txnOffsetCommit: return try offsetCommit(request)
            case .initProducerId, .addPartitionsToTxn, .addOffsetsToTxn, .endTxn: return try transactional(request)
            default: return nil
            }
        } catch {
            // A layout this interceptor does not read: the broker answers it.
            return nil
        }
    }

    private func produce(_ request: KafkaWireRequest) throws -> KafkaWireVerdict? {
        let version = request.apiVersion
        guard (3...7).contains(version), try KafkaProduceRequest.acks(of: request) == -1 else { return nil }
        var produce = try KafkaProduceRequest.read(request.body, version: version)
        var refused: [KafkaProduceResponse.Topic] = []
        for (t, topic) in produce.topics.enumerated() {
            let out = topic.partitions.filter { refuses(topic.name, $0.index) }
            guard !out.isEmpty else { continue }
            for p in out { count(topic.name, p.index) }
            refused.append(
                KafkaProduceResponse.Topic(
                    name: topic.name,
                    partitions: out.map {
                        KafkaProduceResponse.Partition(index: $0.index, errorCode: Self.notEnoughReplicas)
                    }
                ))
            produce.topics[t].partitions.removeAll { p in out.contains { $0.index == p.index } }
        }
        guard !refused.isEmpty else { return nil }
        let refusedTopics = refused
        produce.topics.removeAll { $0.partitions.isEmpty }
        if produce.topics.isEmpty {
            return .answer(body: KafkaProduceResponse(topics: refusedTopics).write(version: version))
        }
        var accepted = request
        accepted.body = produce.write(version: version)
        return .forward(
            accepted,
            response: { response in
                var r = response
                var merged = try KafkaProduceResponse.read(r.body, version: r.apiVersion)
                for topic in refusedTopics {
                    if let i = merged.topics.firstIndex(where: { $0.name == topic.name }) {
                        merged.topics[i].partitions += topic.partitions
                    } else {
                        merged.topics.append(topic)
                    }
                }
                r.body = merged.write(version: r.apiVersion)
                return r
            })
    }

    /// OffsetCommit v0-7 and TxnOffsetCommit v0-2 (both non-flexible in the versions librdkafka
    /// 2.0.2 uses against the mock): every partition answered COORDINATOR_NOT_AVAILABLE.
    private func offsetCommit(_ request: KafkaWireRequest) throws -> KafkaWireVerdict? {
        let v = request.apiVersion
        let txn = request.api == .txnOffsetCommit
        guard !request.isFlexible else { return nil }
        var r = request.reader
        if txn { _ = try r.string() }  // transactional_id
        let group = try r.string()
        let partition = Self.coordinatorPartition(for: group, partitions: internalPartitions)
        guard refuses("__consumer_offsets", partition) else { return nil }
        if txn {
            _ = try r.int64()  // producer_id
            _ = try r.int16()  // producer_epoch
        } else {
            if v >= 1 {
                _ = try r.int32()  // generation_id
                _ = try r.string()  // member_id
            }
            if v >= 7 { _ = try r.nullableString() }  // group_instance_id
            if (2...4).contains(v) { _ = try r.int64() }  // retention_time_ms
        }
        let topics = try r.array { r in
            (
                try r.string(),
                try r.array { r in
                    let index = try r.int32()
                    _ = try r.int64()  // committed_offset
                    if txn ? v >= 2 : v >= 6 { _ = try r.int32() }  // committed_leader_epoch
                    if !txn && v == 1 { _ = try r.int64() }  // commit_timestamp
                    _ = try r.nullableString()  // committed_metadata
                    return index
                }
            )
        }
        count("__consumer_offsets", partition)
        var w = KafkaWireWriter()
        if txn || v >= 3 { w.int32(0) }  // throttle_time_ms
        w.array(topics) { w, topic in
            w.string(topic.0)
            w.array(topic.1) { w, index in
                w.int32(index)
                w.int16(Self.coordinatorNotAvailable)
            }
        }
        return .answer(body: w.bytes)
    }

    /// InitProducerId v0-4 (flexible from v2), AddPartitionsToTxn v0-2, AddOffsetsToTxn v0-2,
    /// EndTxn v0-2: the transactional id comes first in each.
    private func transactional(_ request: KafkaWireRequest) throws -> KafkaWireVerdict? {
        guard request.api == .initProducerId || !request.isFlexible else { return nil }
        var r = request.reader
        let id = request.isFlexible ? try r.compactNullableString() : try r.nullableString()
        // An idempotent producer's InitProducerId writes nothing.
        guard let id else { return nil }
        let partition = Self.coordinatorPartition(for: id, partitions: internalPartitions)
        guard refuses("__transaction_state", partition) else { return nil }
        count("__transaction_state", partition)
        var w = KafkaWireWriter()
        w.int32(0)  // throttle_time_ms
        switch request.api {
        case .initProducerId:
            w.int16(Self.coordinatorNotAvailable)
            w.int64(-1)  // producer_id
            w.int16(-1)  // producer_epoch
            if request.isFlexible { w.unsignedVarint(0) }  // tagged fields
        case .addPartitionsToTxn:
            _ = try r.int64()  // producer_id
            _ = try r.int16()  // producer_epoch
            let topics = try r.array { r in (try r.string(), try r.array { r in try r.int32() }) }
            w.array(topics) { w, topic in
                w.string(topic.0)
                w.array(topic.1) { w, index in
                    w.int32(index)
                    w.int16(Self.coordinatorNotAvailable)
                }
            }
        default:  // AddOffsetsToTxn, EndTxn
            w.int16(Self.coordinatorNotAvailable)
        }
        return .answer(body: w.bytes)
    }
}
