import Foundation
import Synchronization

/// The stand-in's transactions, as Kafka 3.9 runs them, in front of librdkafka's
/// mock: an interceptor of the wire proxy that keeps a `KafkaTransactionModel` from
/// what clients ask and brokers answer, and makes the mock behave as a Kafka
/// coordinator and partition leader would:
/// - Fencing: a second InitProducerId for a transactional.id asks the mock to bump
///   the epoch of the id it already has (KIP-360's current-id fields, which the mock
///   honours); the mock then refuses the old epoch everywhere with
///   INVALID_PRODUCER_EPOCH, which is Kafka 3.9's answer to the versions librdkafka
///   sends (KafkaApis turns PRODUCER_FENCED into it below EndTxn v2,
///   AddPartitionsToTxn v2 and AddOffsetsToTxn v2; AddPartitionsToTxnManager for
///   Produce). A Produce of the old epoch is answered here, since the mock checks
///   its sequence against the new epoch first. An ongoing transaction is aborted
///   first, as the coordinator does, and that first InitProducerId is answered
///   CONCURRENT_TRANSACTIONS.
/// - Markers: a control batch per partition of an ended transaction, written into the
///   mock's log `markerDelayMs` after EndTxn on the stand-in's clock, by a Produce with
///   no transactional.id straight to the partition's leader (the mock appends such a
///   Produce unchecked). Due markers are written when a request passes the proxy and
///   when the stand-in asks (`writeDueMarkers`, on its reads and clock moves).
/// - Isolation: Fetch v4+ answers carry the model's last stable offset; read_committed
///   ones also the aborted transactions, and no batch at or past the LSO (a fetch at the
///   LSO asks the mock from the last known HW, so that it waits for data as a leader
///   does). ListOffsets v2 "latest" with read_committed answers the LSO.
///
/// Kafka answers a transactional.id's next AddPartitionsToTxn or InitProducerId
/// CONCURRENT_TRANSACTIONS until its previous transaction's markers are written, and
/// the client retries; here those markers are written at once instead (the client
/// would wait on the wall clock for markers due on the stand-in's), so the log holds
/// the same order: no transaction's data before the previous one's markers.
public final class KafkaTransactionCoordinator: KafkaWireInterceptor {
    private let model: Mutex<KafkaTransactionModel>
    private let nowMs: @Sendable () -> Int
    private let wire: CoordinatorWireClient
    /// Serializes what the coordinator sends the mock (markers, epoch bumps), so each is
    /// sent once and in order; holds when the last send failed (its broker down), so
    /// that requests do not each wait on it.
    private let writing = Mutex<ContinuousClock.Instant?>(nil)

    /// `upstreams`: the mock's own bootstrap list (markers go to it directly).
    public init(upstreams: String, markerDelayMs: Int, nowMs: @escaping @Sendable () -> Int) {
        model = Mutex(KafkaTransactionModel(markerDelayMs: markerDelayMs))
        self.nowMs = nowMs
        wire = CoordinatorWireClient(bootstrap: upstreams)
    }

    public var markerDelayMs: Int {
        get { self.model.withLock { $0.markerDelayMs } }
        set { self.model.withLock { $0.markerDelayMs = newValue } }
    }

    /// A copy of the model, for tests and the stand-in's checks.
    public var snapshot: KafkaTransactionModel { self.model.withLock { $0 } }

    /// The partition's LSO given its high watermark.
    public func lastStableOffset(topic: String, partition: Int32, highWatermark: Int64) -> Int64 {
        self.model.withLock { $0.lastStableOffset(.init(topic, partition), highWatermark: highWatermark) }
    }

    /// Writes every marker due by now; one that cannot be written yet (its leader
    /// unreachable) stays pending, with those after it, and is tried again 500 ms later.
    public func writeDueMarkers() {
        let now = nowMs()
        abortTimedOutTransactions(nowMs: now)
        write { $0.dueMarkers(nowMs: now) }
    }

    /// The coordinator's periodic check: a transaction open longer than its
    /// transaction.timeout.ms is aborted with a bumped epoch (the mock is asked to bump
    /// it, so the producer's next call is refused INVALID_PRODUCER_EPOCH: fenced by
    /// the time-out), its abort markers due `markerDelayMs` later.
    private func abortTimedOutTransactions(nowMs now: Int) {
        writing.withLock { failedAt in
            if let failedAt, ContinuousClock.now - failedAt < .milliseconds(500) { return }
            for (transactionalId, producer) in self.model.withLock({ $0.timedOutTransactions(nowMs: now) }) {
                guard let bumped = try? wire.bumpEpoch(transactionalId: transactionalId, current: producer) else {
                    failedAt = ContinuousClock.now
                    return
                }
                self.model.withLock {
                    $0.ongoingTransactionFenced(transactionalId: transactionalId, bumpedTo: bumped, nowMs: now)
                }
            }
        }
    }

    /// Writes the markers `select` picks from the model, in order.
    private func write(_ select: (KafkaTransactionModel) -> [KafkaTransactionModel.Marker]) {
        writing.withLock { failedAt in
            if let failedAt, ContinuousClock.now - failedAt < .milliseconds(500) { return }
            failedAt = nil
            let markers = self.model.withLock { select($0) }
            for marker in markers {
                let batch = KafkaRecordBatch.transactionMarker(
                    commit: marker.commit, producerId: marker.producer.id, producerEpoch: marker.producer.epoch,
                    coordinatorEpoch: self.model.withLock { $0.coordinatorEpoch },
                    timestamp: Int64(Date().timeIntervalSince1970 * 1000))
                guard
                    let offset = try? wire.append(
                        batch, topic: marker.partition.topic, partition: marker.partition.partition)
                else {
                    failedAt = ContinuousClock.now
                    return
                }
                self.model.withLock { $0.markerWritten(marker, at: offset) }
            }
        }
    }

    public func intercept(_ request: KafkaWireRequest, on connection: KafkaWireConnection) -> KafkaWireVerdict? {
        writeDueMarkers()
        switch request.api {
        case .initProducerId: return initProducerId(request)
        case .addPartitionsToTxn: return addPartitions(request)
        case .produce: return produce(request)
        case .endTxn: return endTxn(request)
        case .fetch: return fetch(request)
        case .listOffsets: return listOffsets(request)
        default: return nil
        }
    }

    private func initProducerId(_ request: KafkaWireRequest) -> KafkaWireVerdict? {
        guard let parsed = try? KafkaInitProducerIdRequest.read(request.body, version: request.apiVersion),
            let transactionalId = parsed.transactionalId, parsed.producerId < 0
        else { return nil }
        write { $0.markersBlocking(transactionalId: transactionalId) }
        let plan =
            request.apiVersion >= 3
            ? self.model.withLock { $0.planInitProducerId(transactionalId: transactionalId) } : .forward
        var forwarded = request
        switch plan {
        case .forward: break
        case .bump(let current), .fenceOngoing(bump: let current):
            guard
                let body = try? KafkaInitProducerIdRequest.replacingProducer(
                    in: request.body, version: request.apiVersion, id: current.id, epoch: current.epoch)
            else { return nil }
            forwarded.body = body
        }
        let concurrent: Bool
        if case .fenceOngoing = plan { concurrent = true } else { concurrent = false }
        return .forward(
            forwarded,
            response: { response in
                var r = response
                let answer = try KafkaInitProducerIdResponse.read(r.body)
                guard answer.errorCode == 0 else { return r }
                if concurrent {
                    // The coordinator is aborting the ongoing transaction: the client retries.
                    self.model.withLock {
                        $0.ongoingTransactionFenced(
                            transactionalId: transactionalId,
                            bumpedTo: .init(id: answer.producerId, epoch: answer.producerEpoch), nowMs: self.nowMs())
                    }
                    r.body = KafkaInitProducerIdResponse(
                        throttleTimeMs: answer.throttleTimeMs, errorCode: 51, producerId: -1, producerEpoch: -1
                    ).write(version: r.apiVersion)
                } else {
                    self.model.withLock {
                        $0.producerIdAssigned(
                            transactionalId: transactionalId,
                            .init(id: answer.producerId, epoch: answer.producerEpoch),
                            transactionTimeoutMs: Int(parsed.transactionTimeoutMs))
                    }
                }
                return r
            })
    }

    private func addPartitions(_ request: KafkaWireRequest) -> KafkaWireVerdict? {
        guard let parsed = try? KafkaAddPartitionsToTxnRequest.read(request.body, version: request.apiVersion)
        else { return nil }
        write { $0.markersBlocking(transactionalId: parsed.transactionalId) }
        return .forward(
            request,
            response: { response in
                let accepted = try KafkaAddPartitionsToTxnResponse.accepted(response.body)
                self.model.withLock {
                    $0.partitionsAdded(
                        transactionalId: parsed.transactionalId,
                        producer: .init(id: parsed.producerId, epoch: parsed.producerEpoch),
                        accepted.map { .init($0.topic, $0.partition) }, nowMs: self.nowMs())
                }
                return response
            })
    }

    private func produce(_ request: KafkaWireRequest) -> KafkaWireVerdict? {
        // Only a transactional producer's Produce matters; most carry none (read before the records).
        var header = request.reader
        guard request.apiVersion >= 3, (try? header.nullableString()) != nil,
            let parsed = try? KafkaProduceRequest.read(request.body, version: request.apiVersion)
        else { return nil }
        // The transactional batches' producer ids, by partition.
        var producers: [String: [Int32: Int64]] = [:]
        for t in parsed.topics {
            for p in t.partitions {
                if let batch = try? KafkaRecordSet.batches(in: p.records ?? []).first, batch.isTransactional {
                    producers[t.name, default: [:]][p.index] = batch.producerId
                }
            }
        }
        guard !producers.isEmpty else { return nil }
        // A fenced epoch: Kafka's leader refuses the batch (ProducerStateManager's epoch
        // check comes first); the mock checks the sequence against the new epoch's
        // state and would answer OUT_OF_ORDER_SEQUENCE_NUMBER.
        var epochs: [Int64: Int16] = [:]
        for t in parsed.topics {
            for p in t.partitions {
                if let batch = try? KafkaRecordSet.batches(in: p.records ?? []).first {
                    epochs[batch.producerId] = batch.producerEpoch
                }
            }
        }
        if self.model.withLock({ m in epochs.contains { m.isFenced(.init(id: $0.key, epoch: $0.value)) } }) {
            let refused = KafkaProduceResponse(
                topics: parsed.topics.map { t in
                    .init(name: t.name, partitions: t.partitions.map { .init(index: $0.index, errorCode: 47) })
                })
            return .answer(body: refused.write(version: request.apiVersion))
        }
        let batchProducers = producers
        return .forward(
            request,
            response: { response in
                let answer = try KafkaProduceResponse.read(response.body, version: response.apiVersion)
                self.model.withLock { m in
                    for t in answer.topics {
                        for p in t.partitions where p.errorCode == 0 && p.baseOffset >= 0 {
                            guard let pid = batchProducers[t.name]?[p.index] else { continue }
                            m.transactionalDataAppended(
                                .init(t.name, p.index), producerId: pid, baseOffset: p.baseOffset)
                        }
                    }
                }
                return response
            })
    }

    private func endTxn(_ request: KafkaWireRequest) -> KafkaWireVerdict? {
        guard let parsed = try? KafkaEndTxnRequest.read(request.body, version: request.apiVersion) else { return nil }
        let nowMs = self.nowMs
        return .forward(
            request,
            response: { response in
                if try KafkaEndTxnRequest.responseError(response.body) == 0 {
                    self.model.withLock {
                        $0.transactionEnded(
                            transactionalId: parsed.transactionalId,
                            producer: .init(id: parsed.producerId, epoch: parsed.producerEpoch),
                            commit: parsed.committed, nowMs: nowMs())
                    }
                }
                return response
            })
    }

    private func fetch(_ request: KafkaWireRequest) -> KafkaWireVerdict? {
        guard let parsed = try? KafkaFetchRequest.read(request.body, version: request.apiVersion),
            self.model.withLock({ $0.hasTransactions(in: parsed.fetchOffsets.keys) })
        else { return nil }
        var forwarded = request
        if parsed.isolationLevel == 1 {
            let m = self.model.withLock { $0 }
            if let body = try? KafkaFetchRequest.replacingFetchOffsets(
                in: request.body, version: request.apiVersion,
                { m.idleFetchOffset(.init($0, $1), fetchOffset: $2) })
            {
                forwarded.body = body
            }
        }
        return .forward(
            forwarded,
            response: { response in
                var r = response
                var answer = try KafkaFetchResponse.read(r.body, version: r.apiVersion)
                let m = self.model.withLock { m in
                    for t in answer.topics {
                        for p in t.partitions where p.errorCode == 0 {
                            m.noteHighWatermark(.init(t.name, p.index), p.highWatermark)
                        }
                    }
                    return m
                }
                for t in answer.topics.indices {
                    let topic = answer.topics[t].name
                    for i in answer.topics[t].partitions.indices {
                        var p = answer.topics[t].partitions[i]
                        guard p.errorCode == 0 else { continue }
                        let tp = KafkaTransactionModel.TopicPartition(topic, p.index)
                        let lso = m.lastStableOffset(tp, highWatermark: p.highWatermark)
                        p.lastStableOffset = lso
                        if parsed.isolationLevel == 1 {
                            let from = parsed.fetchOffsets[topic]?[p.index] ?? 0
                            p.aborted = m.abortedTransactions(tp, fetchOffset: from, lastStableOffset: lso).map {
                                .init(producerId: $0.producerId, firstOffset: $0.firstOffset)
                            }
                            // Whole batches below the LSO only, as the leader reads up to it.
                            if let records = p.records, !records.isEmpty {
                                let stable = try KafkaRecordSet.batches(in: records).prefix { $0.lastOffset < lso }
                                p.records = Array(records[..<(stable.last?.range.upperBound ?? 0)])
                            }
                        }
                        answer.topics[t].partitions[i] = p
                    }
                }
                r.body = answer.write(version: r.apiVersion)
                return r
            })
    }

    private func listOffsets(_ request: KafkaWireRequest) -> KafkaWireVerdict? {
        guard request.apiVersion >= 2,
            let parsed = try? KafkaListOffsetsRequest.read(request.body, version: request.apiVersion),
            parsed.isolationLevel == 1, self.model.withLock({ $0.hasTransactions(in: parsed.timestamps.keys) })
        else { return nil }
        return .forward(
            request,
            response: { response in
                var r = response
                var answer = try KafkaListOffsetsResponse.read(r.body, version: r.apiVersion)
                let m = self.model.withLock { $0 }
                for t in answer.topics.indices {
                    let topic = answer.topics[t].name
                    for i in answer.topics[t].partitions.indices {
                        let p = answer.topics[t].partitions[i]
                        guard p.errorCode == 0, parsed.timestamps[topic]?[p.index] == -1 else { continue }
                        answer.topics[t].partitions[i].offset = m.lastStableOffset(
                            .init(topic, p.index), highWatermark: p.offset)
                    }
                }
                r.body = answer.write(version: r.apiVersion)
                return r
            })
    }
}

/// What the stand-in's coordinator sends the mock itself: markers, appended to a
/// partition with a plain Produce (no transactional.id, acks=all) to its leader, found
/// with a Metadata request; and epoch bumps, an InitProducerId with the current id
/// (KIP-360) to the transactional.id's coordinator. Not thread-safe (`@unchecked
/// Sendable`): `KafkaTransactionCoordinator` calls it only under its `writing` lock.
final class CoordinatorWireClient: @unchecked Sendable {
    private let bootstrap: [KafkaWireProxy.Address]
    private var correlationId: Int32 = 0

    init(bootstrap: String) {
        self.bootstrap = bootstrap.split(separator: ",").compactMap { entry in
            guard let colon = entry.lastIndex(of: ":"), let port = Int32(entry[entry.index(after: colon)...]) else {
                return nil
            }
            return KafkaWireProxy.Address(host: String(entry[..<colon]), port: port)
        }
    }

    /// The batch's offset in the log.
    func append(_ batch: KafkaRecordBatch, topic: String, partition: Int32) throws -> Int64 {
        var lastError: Error = KafkaWireError.malformed("no broker answered")
        for _ in 0..<2 {
            do {
                let leader = try self.leader(topic: topic, partition: partition)
                let request = KafkaProduceRequest(
                    transactionalId: nil, acks: -1, timeoutMs: 5_000,
                    topics: [.init(name: topic, partitions: [.init(index: partition, records: batch.encoded())])])
                let response = try roundTrip(to: leader, .produce, version: 3, body: request.write(version: 3))
                let answer = try KafkaProduceResponse.read(response.body, version: 3)
                guard let p = answer.topics.first?.partitions.first else {
                    throw KafkaWireError.malformed("empty Produce answer")
                }
                guard p.errorCode == 0 else {
                    throw KafkaWireError.malformed("marker Produce to \(topic)/\(partition): error \(p.errorCode)")
                }
                return p.baseOffset
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    /// One request and its answer on a connection of its own, bounded: a stopped mock
    /// broker still accepts connections (its listener is re-created at once) but never answers.
    private func roundTrip(
        to address: KafkaWireProxy.Address, _ api: KafkaApiKey, version: Int16, body: [UInt8]
    ) throws -> KafkaWireResponse {
        let flexible = KafkaApiKey.isFlexible(apiKey: api.rawValue, version: version, response: false)
        let fd = Socket.connect(host: address.host, port: address.port, timeoutMs: 2_000)
        guard fd >= 0 else { throw KafkaWireError.malformed("cannot connect to \(address.host):\(address.port)") }
        defer { close(fd) }
        var bound = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, socklen_t(MemoryLayout<timeval>.size))
        correlationId += 1
        var w = KafkaWireWriter()
        KafkaRequestHeader(
            apiKey: api.rawValue, apiVersion: version, correlationId: correlationId, clientId: "stand-in-coordinator"
        ).write(&w)
        if flexible { w.unsignedVarint(UInt32(0)) }  // request header v2: no tagged fields
        w.raw(body)
        var buffer: [UInt8] = []
        guard Socket.writeAll(fd, KafkaFrame.wrap(w.bytes)), let frame = Socket.readFrames(fd, &buffer)?.first else {
            throw KafkaWireError.malformed("no answer from \(address.host):\(address.port)")
        }
        return try KafkaWireResponse(frame: frame, apiKey: api.rawValue, apiVersion: version)
    }

    /// Asks `transactionalId`'s coordinator to bump the epoch of `current`; the new id and epoch.
    func bumpEpoch(
        transactionalId: String, current: KafkaTransactionModel.ProducerIdentity
    ) throws -> KafkaTransactionModel.ProducerIdentity {
        var find = KafkaWireWriter()
        find.string(transactionalId)
        find.int8(1)  // key_type: transaction
        var coordinator: KafkaWireProxy.Address?
        for address in bootstrap {
            guard let response = try? roundTrip(to: address, .findCoordinator, version: 1, body: find.bytes) else {
                continue
            }
            var r = response.reader
            _ = try r.int32()
            let error = try r.int16()
            _ = try r.nullableString()
            _ = try r.int32()
            guard error == 0 else { throw KafkaWireError.malformed("FindCoordinator: error \(error)") }
            coordinator = KafkaWireProxy.Address(host: try r.string(), port: try r.int32())
            break
        }
        guard let coordinator else { throw KafkaWireError.malformed("no coordinator for \(transactionalId)") }
        var w = KafkaWireWriter()
        let id = Array(transactionalId.utf8)
        w.unsignedVarint(UInt32(id.count + 1))
        w.raw(id)
        w.int32(60_000)
        w.int64(current.id)
        w.int16(current.epoch)
        w.unsignedVarint(UInt32(0))
        let response = try roundTrip(to: coordinator, .initProducerId, version: 3, body: w.bytes)
        let answer = try KafkaInitProducerIdResponse.read(response.body)
        guard answer.errorCode == 0 else { throw KafkaWireError.malformed("InitProducerId: error \(answer.errorCode)") }
        return .init(id: answer.producerId, epoch: answer.producerEpoch)
    }

    /// Metadata v1 for `topic` from the first broker that answers: the partition leader's address.
    private func leader(topic: String, partition: Int32) throws -> KafkaWireProxy.Address {
        for address in bootstrap {
            var w = KafkaWireWriter()
            w.array([topic]) { $0.string($1) }
            guard let response = try? roundTrip(to: address, .metadata, version: 1, body: w.bytes) else { continue }
            var r = response.reader
            let brokers = try r.array { r in
                (
                    id: try r.int32(), address: KafkaWireProxy.Address(host: try r.string(), port: try r.int32()),
                    rack: try r.nullableString()
                )
            }
            _ = try r.int32()  // controller_id
            let topics = try r.array { r in
                (
                    error: try r.int16(), name: try r.string(), internal: try r.bool(),
                    partitions: try r.array { r in
                        (
                            error: try r.int16(), id: try r.int32(), leader: try r.int32(),
                            replicas: try r.array { try $0.int32() }, isr: try r.array { try $0.int32() }
                        )
                    }
                )
            }
            guard
                let leaderId = topics.first(where: { $0.name == topic })?.partitions.first(where: { $0.id == partition }
                )?.leader,
                let leader = brokers.first(where: { $0.id == leaderId })
            else { throw KafkaWireError.malformed("no leader for \(topic)/\(partition)") }
            return leader.address
        }
        throw KafkaWireError.malformed("no broker of \(bootstrap) answers")
    }
}
