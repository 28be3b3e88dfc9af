/// The transactional messages the stand-in's proxy reads or rewrites, in the
/// versions librdkafka 2.0.2 sends to its mock (whose ApiVersions caps them):
/// InitProducerId v0-4 (flexible from v2), AddPartitionsToTxn v0-1, EndTxn v0-1,
/// Fetch v4-11, ListOffsets v1-2. Layouts: https://kafka.apache.org/protocol#protocol_messages.

/// InitProducerId request: transactional_id, transaction_timeout_ms, [producer_id, producer_epoch (v3+)].
public struct KafkaInitProducerIdRequest: Equatable, Sendable {
    public var transactionalId: String?
    public var transactionTimeoutMs: Int32
    /// -1/-1 when the client has no id yet; absent before v3.
    public var producerId: Int64 = -1
    public var producerEpoch: Int16 = -1

    public static func read(_ body: [UInt8], version: Int16) throws -> KafkaInitProducerIdRequest {
        var r = KafkaWireReader(body)
        let txn = version >= 2 ? try r.compactNullableString() : try r.nullableString()
        var request = KafkaInitProducerIdRequest(transactionalId: txn, transactionTimeoutMs: try r.int32())
        if version >= 3 {
            request.producerId = try r.int64()
            request.producerEpoch = try r.int16()
        }
        return request
    }

    /// `body` (v3+) with its current producer id and epoch replaced, tagged fields kept.
    public static func replacingProducer(
        in body: [UInt8], version: Int16, id: Int64, epoch: Int16
    ) throws -> [UInt8] {
        guard version >= 3 else { throw KafkaWireError.malformed("InitProducerId v\(version) has no producer id") }
        var r = KafkaWireReader(body)
        _ = try r.compactNullableString()
        _ = try r.int32()
        let at = r.offset
        _ = try r.int64()
        _ = try r.int16()
        var w = KafkaWireWriter()
        w.raw(Array(body[..<at]))
        w.int64(id)
        w.int16(epoch)
        w.raw(r.rest())
        return w.bytes
    }
}

/// InitProducerId response: throttle_time_ms, error_code, producer_id, producer_epoch, [tagged fields (v2+)].
public struct KafkaInitProducerIdResponse: Equatable, Sendable {
    public var throttleTimeMs: Int32
    public var errorCode: Int16
    public var producerId: Int64
    public var producerEpoch: Int16

    public static func read(_ body: [UInt8]) throws -> KafkaInitProducerIdResponse {
        var r = KafkaWireReader(body)
        return KafkaInitProducerIdResponse(
            throttleTimeMs: try r.int32(), errorCode: try r.int16(), producerId: try r.int64(),
            producerEpoch: try r.int16())
    }

    public func write(version: Int16) -> [UInt8] {
        var w = KafkaWireWriter()
        w.int32(throttleTimeMs)
        w.int16(errorCode)
        w.int64(producerId)
        w.int16(producerEpoch)
        if version >= 2 { w.unsignedVarint(UInt32(0)) }
        return w.bytes
    }
}

/// AddPartitionsToTxn request v0-1: transactional_id, producer_id, producer_epoch, [topic [partition]].
public struct KafkaAddPartitionsToTxnRequest: Equatable, Sendable {
    public var transactionalId: String
    public var producerId: Int64
    public var producerEpoch: Int16
    public var topics: [(name: String, partitions: [Int32])]

    public static func == (a: Self, b: Self) -> Bool {
        a.transactionalId == b.transactionalId && a.producerId == b.producerId && a.producerEpoch == b.producerEpoch
            && a.topics.map(\.name) == b.topics.map(\.name) && a.topics.map(\.partitions) == b.topics.map(\.partitions)
    }

    public static func read(_ body: [UInt8], version: Int16) throws -> KafkaAddPartitionsToTxnRequest {
        guard version <= 2 else { throw KafkaWireError.malformed("AddPartitionsToTxn v\(version) not read") }
        var r = KafkaWireReader(body)
        return KafkaAddPartitionsToTxnRequest(
            transactionalId: try r.string(), producerId: try r.int64(), producerEpoch: try r.int16(),
            topics: try r.array { r in (try r.string(), try r.array { try $0.int32() }) })
    }
}

/// AddPartitionsToTxn response v0-2: throttle_time_ms, [topic [partition, error_code]]:
/// the partitions accepted (error 0).
public enum KafkaAddPartitionsToTxnResponse {
    public static func accepted(_ body: [UInt8]) throws -> [(topic: String, partition: Int32)] {
        var r = KafkaWireReader(body)
        _ = try r.int32()
        let results = try r.array { r in
            (try r.string(), try r.array { r in (try r.int32(), try r.int16()) })
        }
        return results.flatMap { topic, partitions in
            partitions.filter { $0.1 == 0 }.map { (topic, $0.0) }
        }
    }
}

/// EndTxn request v0-2: transactional_id, producer_id, producer_epoch, committed.
public struct KafkaEndTxnRequest: Equatable, Sendable {
    public var transactionalId: String
    public var producerId: Int64
    public var producerEpoch: Int16
    public var committed: Bool

    public static func read(_ body: [UInt8], version: Int16) throws -> KafkaEndTxnRequest {
        guard version <= 2 else { throw KafkaWireError.malformed("EndTxn v\(version) not read") }
        var r = KafkaWireReader(body)
        return KafkaEndTxnRequest(
            transactionalId: try r.string(), producerId: try r.int64(), producerEpoch: try r.int16(),
            committed: try r.bool())
    }

    /// The response's error code (after throttle_time_ms).
    public static func responseError(_ body: [UInt8]) throws -> Int16 {
        var r = KafkaWireReader(body)
        _ = try r.int32()
        return try r.int16()
    }
}

/// Fetch request v4-11, as far as the proxy needs it: the isolation level and each
/// partition's fetch offset.
public struct KafkaFetchRequest: Equatable, Sendable {
    /// 0 read_uncommitted, 1 read_committed.
    public var isolationLevel: Int8
    public var fetchOffsets: [String: [Int32: Int64]]

    public static func read(_ body: [UInt8], version: Int16) throws -> KafkaFetchRequest {
        guard (4...11).contains(version) else { throw KafkaWireError.malformed("Fetch v\(version) not read") }
        var r = KafkaWireReader(body)
        _ = try r.int32()  // replica_id
        _ = try r.int32()  // max_wait_ms
        _ = try r.int32()  // min_bytes
        _ = try r.int32()  // max_bytes
        let isolation = try r.int8()
        if version >= 7 {
            _ = try r.int32()  // session_id
            _ = try r.int32()  // session_epoch
        }
        var offsets: [String: [Int32: Int64]] = [:]
        let topics = try r.array { r in
            (
                try r.string(),
                try r.array { r -> (Int32, Int64) in
                    let partition = try r.int32()
                    if version >= 9 { _ = try r.int32() }  // current_leader_epoch
                    let offset = try r.int64()
                    if version >= 5 { _ = try r.int64() }  // log_start_offset
                    _ = try r.int32()  // partition_max_bytes
                    return (partition, offset)
                }
            )
        }
        for (topic, partitions) in topics {
            for (p, offset) in partitions { offsets[topic, default: [:]][p] = offset }
        }
        return KafkaFetchRequest(isolationLevel: isolation, fetchOffsets: offsets)
    }

    /// `body` with the fetch offsets `replace` returns a new value for changed in place.
    public static func replacingFetchOffsets(
        in body: [UInt8], version: Int16, _ replace: (String, Int32, Int64) -> Int64?
    ) throws -> [UInt8] {
        guard (4...11).contains(version) else { throw KafkaWireError.malformed("Fetch v\(version) not read") }
        var r = KafkaWireReader(body)
        _ = try r.raw(version >= 7 ? 25 : 17)  // replica_id .. isolation_level [.. session_epoch]
        var out = KafkaWireWriter()
        out.raw(body)
        _ = try r.array { r in
            let topic = try r.string()
            return try r.array { r -> Void in
                let partition = try r.int32()
                if version >= 9 { _ = try r.int32() }
                let at = r.offset
                let offset = try r.int64()
                if version >= 5 { _ = try r.int64() }
                _ = try r.int32()
                if let new = replace(topic, partition, offset) { out.patchInt64(new, at: at) }
            }
        }
        return out.bytes
    }
}

/// Fetch response v4-11: [throttle_time_ms], [error_code, session_id (v7+)], [topic [partition,
/// error_code, high_watermark, last_stable_offset, log_start_offset (v5+), [aborted: producer_id,
/// first_offset], preferred_read_replica (v11+), records]].
public struct KafkaFetchResponse: Equatable, Sendable {
    public struct Aborted: Equatable, Sendable {
        public var producerId: Int64
        public var firstOffset: Int64
        public init(producerId: Int64, firstOffset: Int64) {
            self.producerId = producerId
            self.firstOffset = firstOffset
        }
    }
    public struct Partition: Equatable, Sendable {
        public var index: Int32
        public var errorCode: Int16
        public var highWatermark: Int64
        public var lastStableOffset: Int64
        public var logStartOffset: Int64 = -1
        /// Null (read_uncommitted) or the list.
        public var aborted: [Aborted]?
        public var preferredReadReplica: Int32 = -1
        public var records: [UInt8]?
    }
    public struct Topic: Equatable, Sendable {
        public var name: String
        public var partitions: [Partition]
    }
    public var throttleTimeMs: Int32
    public var errorCode: Int16 = 0
    public var sessionId: Int32 = 0
    public var topics: [Topic]

    public static func read(_ body: [UInt8], version: Int16) throws -> KafkaFetchResponse {
        guard (4...11).contains(version) else { throw KafkaWireError.malformed("Fetch v\(version) not read") }
        var r = KafkaWireReader(body)
        var response = KafkaFetchResponse(throttleTimeMs: try r.int32(), topics: [])
        if version >= 7 {
            response.errorCode = try r.int16()
            response.sessionId = try r.int32()
        }
        response.topics = try r.array { r in
            Topic(
                name: try r.string(),
                partitions: try r.array { r in
                    var p = Partition(
                        index: try r.int32(), errorCode: try r.int16(), highWatermark: try r.int64(),
                        lastStableOffset: try r.int64())
                    if version >= 5 { p.logStartOffset = try r.int64() }
                    let count = try r.int32()
                    if count >= 0 {
                        var list: [Aborted] = []
                        for _ in 0..<count {
                            list.append(Aborted(producerId: try r.int64(), firstOffset: try r.int64()))
                        }
                        p.aborted = list
                    }
                    if version >= 11 { p.preferredReadReplica = try r.int32() }
                    p.records = try r.nullableBytes()
                    return p
                })
        }
        return response
    }

    public func write(version: Int16) -> [UInt8] {
        var w = KafkaWireWriter()
        w.int32(throttleTimeMs)
        if version >= 7 {
            w.int16(errorCode)
            w.int32(sessionId)
        }
        w.array(topics) { w, t in
            w.string(t.name)
            w.array(t.partitions) { w, p in
                w.int32(p.index)
                w.int16(p.errorCode)
                w.int64(p.highWatermark)
                w.int64(p.lastStableOffset)
                if version >= 5 { w.int64(p.logStartOffset) }
                if let aborted = p.aborted {
                    w.array(aborted) { w, a in
                        w.int64(a.producerId)
                        w.int64(a.firstOffset)
                    }
                } else {
                    w.int32(-1)
                }
                if version >= 11 { w.int32(p.preferredReadReplica) }
                w.nullableBytes(p.records)
            }
        }
        return w.bytes
    }
}

/// ListOffsets request v1-2: replica_id, [isolation_level (v2+)], [topic [partition, timestamp]].
public struct KafkaListOffsetsRequest: Equatable, Sendable {
    public var isolationLevel: Int8
    /// Per topic and partition: the timestamp asked for (-1 latest, -2 earliest).
    public var timestamps: [String: [Int32: Int64]]

    public static func read(_ body: [UInt8], version: Int16) throws -> KafkaListOffsetsRequest {
        guard (1...2).contains(version) else { throw KafkaWireError.malformed("ListOffsets v\(version) not read") }
        var r = KafkaWireReader(body)
        _ = try r.int32()
        let isolation = version >= 2 ? try r.int8() : 0
        var timestamps: [String: [Int32: Int64]] = [:]
        let topics = try r.array { r in (try r.string(), try r.array { r in (try r.int32(), try r.int64()) }) }
        for (topic, partitions) in topics {
            for (p, ts) in partitions { timestamps[topic, default: [:]][p] = ts }
        }
        return KafkaListOffsetsRequest(isolationLevel: isolation, timestamps: timestamps)
    }
}

/// ListOffsets response v1-2: [throttle_time_ms (v2+)], [topic [partition, error_code, timestamp, offset]].
public struct KafkaListOffsetsResponse: Equatable, Sendable {
    public struct Partition: Equatable, Sendable {
        public var index: Int32
        public var errorCode: Int16
        public var timestamp: Int64
        public var offset: Int64
    }
    public var throttleTimeMs: Int32
    public var topics: [(name: String, partitions: [Partition])]

    public static func == (a: Self, b: Self) -> Bool {
        a.throttleTimeMs == b.throttleTimeMs && a.topics.map(\.name) == b.topics.map(\.name)
            && a.topics.map(\.partitions) == b.topics.map(\.partitions)
    }

    public static func read(_ body: [UInt8], version: Int16) throws -> KafkaListOffsetsResponse {
        var r = KafkaWireReader(body)
        let throttle = version >= 2 ? try r.int32() : 0
        let topics = try r.array { r in
            (
                try r.string(),
                try r.array { r in
                    Partition(
                        index: try r.int32(), errorCode: try r.int16(), timestamp: try r.int64(), offset: try r.int64())
                }
            )
        }
        return KafkaListOffsetsResponse(throttleTimeMs: throttle, topics: topics.map { (name: $0.0, partitions: $0.1) })
    }

    public func write(version: Int16) -> [UInt8] {
        var w = KafkaWireWriter()
        if version >= 2 { w.int32(throttleTimeMs) }
        w.array(topics) { w, t in
            w.string(t.name)
            w.array(t.partitions) { w, p in
                w.int32(p.index)
                w.int16(p.errorCode)
                w.int64(p.timestamp)
                w.int64(p.offset)
            }
        }
        return w.bytes
    }
}

extension KafkaWireWriter {
    /// Overwrites 8 bytes at `at`.
    public mutating func patchInt64(_ value: Int64, at: Int) {
        patchInt32(Int32(truncatingIfNeeded: value >> 32), at: at)
        patchInt32(Int32(truncatingIfNeeded: value), at: at + 4)
    }
}
