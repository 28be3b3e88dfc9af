/// The messages the stand-in's proxy reads or writes, in the versions librdkafka
/// 2.0.2 uses against its mock cluster (the mock's ApiVersions caps most of them:
/// Metadata ≤2, Produce ≤7, OffsetCommit ≤7, TxnOffsetCommit ≤2, InitProducerId ≤4).
/// Layouts: https://kafka.apache.org/protocol#protocol_messages and
/// librdkafka's src/rdkafka_mock_handlers.c.

extension KafkaWireReader {
    /// UNSIGNED_VARINT.
    public mutating func unsignedVarint() throws -> UInt32 {
        var value: UInt32 = 0
        var shift: UInt32 = 0
        while true {
            let byte = UInt8(bitPattern: try int8())
            value |= UInt32(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
            guard shift < 35 else { throw KafkaWireError.malformed("varint longer than 5 bytes") }
        }
    }

    /// A flexible version's tagged fields (count, then tag, size, bytes each), skipped.
    public mutating func skipTaggedFields() throws {
        let count = try unsignedVarint()
        for _ in 0..<count {
            _ = try unsignedVarint()
            _ = try raw(Int(try unsignedVarint()))
        }
    }

    /// COMPACT_NULLABLE_STRING: unsigned varint length + 1 (0 is null).
    public mutating func compactNullableString() throws -> String? {
        let length = Int(try unsignedVarint())
        if length == 0 { return nil }
        return String(decoding: try raw(length - 1), as: UTF8.self)
    }
}

extension KafkaWireWriter {
    public mutating func unsignedVarint(_ value: UInt32) {
        var v = value
        while v >= 0x80 {
            int8(Int8(bitPattern: UInt8(v & 0x7f) | 0x80))
            v >>= 7
        }
        int8(Int8(bitPattern: UInt8(v)))
    }
}

extension KafkaApiKey {
    /// The first flexible version of each API (Kafka 3.9's message definitions,
    /// clients/src/main/resources/common/message/*Request.json "flexibleVersions").
    static let firstFlexibleVersion: [Int16: Int16] = [
        0: 9, 1: 12, 2: 6, 3: 9, 8: 8, 9: 6, 10: 3, 11: 6, 12: 4, 13: 4, 14: 4, 15: 5, 16: 3, 18: 3, 19: 5,
        20: 4, 21: 2, 22: 2, 23: 4, 24: 3, 25: 3, 26: 3, 27: 1, 28: 3, 29: 2, 30: 2, 31: 2, 32: 4, 33: 2,
        34: 2, 35: 2, 36: 2, 37: 2, 42: 2, 43: 2, 44: 1, 60: 0,
    ]

    /// Whether `version` of the API uses the flexible header (request header v2,
    /// response header v1). ApiVersions' response header is always v0, so that a
    /// client can read it whatever versions the broker knows.
    public static func isFlexible(apiKey: Int16, version: Int16, response: Bool) -> Bool {
        if response && apiKey == KafkaApiKey.apiVersions.rawValue { return false }
        guard let first = firstFlexibleVersion[apiKey] else { return false }
        return version >= first
    }
}

/// Produce request v0-7: [transactional_id (v3+)], acks, timeout_ms, [topic [partition, records]].
public struct KafkaProduceRequest: Equatable, Sendable {
    public struct Partition: Equatable, Sendable {
        public var index: Int32
        public var records: [UInt8]?
        public init(index: Int32, records: [UInt8]?) {
            self.index = index
            self.records = records
        }
    }
    public struct Topic: Equatable, Sendable {
        public var name: String
        public var partitions: [Partition]
        public init(name: String, partitions: [Partition]) {
            self.name = name
            self.partitions = partitions
        }
    }
    public var transactionalId: String?
    public var acks: Int16
    public var timeoutMs: Int32
    public var topics: [Topic]

    public init(transactionalId: String?, acks: Int16, timeoutMs: Int32, topics: [Topic]) {
        self.transactionalId = transactionalId
        self.acks = acks
        self.timeoutMs = timeoutMs
        self.topics = topics
    }

    public static func read(_ body: [UInt8], version: Int16) throws -> KafkaProduceRequest {
        guard version <= 8 else { throw KafkaWireError.malformed("Produce v\(version) is flexible") }
        var r = KafkaWireReader(body)
        let txn = version >= 3 ? try r.nullableString() : nil
        let acks = try r.int16()
        let timeout = try r.int32()
        let topics = try r.array { r in
            Topic(
                name: try r.string(),
                partitions: try r.array { r in Partition(index: try r.int32(), records: try r.nullableBytes()) })
        }
        return KafkaProduceRequest(transactionalId: txn, acks: acks, timeoutMs: timeout, topics: topics)
    }

    public func write(version: Int16) -> [UInt8] {
        var w = KafkaWireWriter()
        if version >= 3 { w.nullableString(transactionalId) }
        w.int16(acks)
        w.int32(timeoutMs)
        w.array(topics) { w, t in
            w.string(t.name)
            w.array(t.partitions) { w, p in
                w.int32(p.index)
                w.nullableBytes(p.records)
            }
        }
        return w.bytes
    }

    /// A Produce request's acks without reading its records.
    public static func acks(of request: KafkaWireRequest) throws -> Int16 {
        var r = request.reader
        if request.apiVersion >= 3 { _ = try r.nullableString() }
        return try r.int16()
    }
}

/// Produce response v0-7: [topic [partition, error_code, base_offset, log_append_time_ms (v2+),
/// log_start_offset (v5+)]], throttle_time_ms (v1+).
public struct KafkaProduceResponse: Equatable, Sendable {
    public struct Partition: Equatable, Sendable {
        public var index: Int32
        public var errorCode: Int16
        public var baseOffset: Int64 = -1
        public var logAppendTimeMs: Int64 = -1
        public var logStartOffset: Int64 = -1
        public init(index: Int32, errorCode: Int16) {
            self.index = index
            self.errorCode = errorCode
        }
    }
    public struct Topic: Equatable, Sendable {
        public var name: String
        public var partitions: [Partition]
        public init(name: String, partitions: [Partition]) {
            self.name = name
            self.partitions = partitions
        }
    }
    public var topics: [Topic]
    public var throttleTimeMs: Int32 = 0

    public init(topics: [Topic], throttleTimeMs: Int32 = 0) {
        self.topics = topics
        self.throttleTimeMs = throttleTimeMs
    }

    public static func read(_ body: [UInt8], version: Int16) throws -> KafkaProduceResponse {
        var r = KafkaWireReader(body)
        let topics = try r.array { r in
            Topic(
                name: try r.string(),
                partitions: try r.array { r in
                    var p = Partition(index: try r.int32(), errorCode: try r.int16())
                    p.baseOffset = try r.int64()
                    if version >= 2 { p.logAppendTimeMs = try r.int64() }
                    if version >= 5 { p.logStartOffset = try r.int64() }
                    return p
                })
        }
        let throttle = version >= 1 ? try r.int32() : 0
        return KafkaProduceResponse(topics: topics, throttleTimeMs: throttle)
    }

    public func write(version: Int16) -> [UInt8] {
        var w = KafkaWireWriter()
        w.array(topics) { w, t in
            w.string(t.name)
            w.array(t.partitions) { w, p in
                w.int32(p.index)
                w.int16(p.errorCode)
                w.int64(p.baseOffset)
                if version >= 2 { w.int64(p.logAppendTimeMs) }
                if version >= 5 { w.int64(p.logStartOffset) }
            }
        }
        if version >= 1 { w.int32(throttleTimeMs) }
        return w.bytes
    }
}

/// Metadata response v0-4: [throttle_time_ms (v3+)], [broker: node_id, host, port, rack (v1+)],
/// cluster_id (v2+), controller_id (v1+), topics... Only the brokers are read; the rest is kept.
public enum KafkaMetadataResponse {
    public struct Broker: Equatable, Sendable {
        public var nodeId: Int32
        public var host: String
        public var port: Int32
        public var rack: String?
    }

    public static func brokers(_ body: [UInt8], version: Int16) throws -> [Broker] {
        var r = KafkaWireReader(body)
        if version >= 3 { _ = try r.int32() }
        return try readBrokers(&r, version: version)
    }

    private static func readBrokers(_ r: inout KafkaWireReader, version: Int16) throws -> [Broker] {
        try r.array { r in
            Broker(
                nodeId: try r.int32(), host: try r.string(), port: try r.int32(),
                rack: version >= 1 ? try r.nullableString() : nil)
        }
    }

    /// `body` with each broker's address replaced by `replace(host, port)`.
    public static func rewritingBrokers(
        _ body: [UInt8], version: Int16, _ replace: (String, Int32) -> (String, Int32)
    ) throws -> [UInt8] {
        guard version <= 4 else { return body }
        var r = KafkaWireReader(body)
        var w = KafkaWireWriter()
        if version >= 3 { w.int32(try r.int32()) }
        let brokers = try readBrokers(&r, version: version)
        w.array(brokers) { w, b in
            let (host, port) = replace(b.host, b.port)
            w.int32(b.nodeId)
            w.string(host)
            w.int32(port)
            if version >= 1 { w.nullableString(b.rack) }
        }
        w.raw(r.rest())
        return w.bytes
    }
}

/// FindCoordinator response v0-2: [throttle_time_ms, (v1+)] error_code, [error_message (v1+)],
/// node_id, host, port.
public enum KafkaFindCoordinatorResponse {
    public static func rewritingAddress(
        _ body: [UInt8], version: Int16, _ replace: (String, Int32) -> (String, Int32)
    ) throws -> [UInt8] {
        guard version <= 2 else { return body }
        var r = KafkaWireReader(body)
        var w = KafkaWireWriter()
        if version >= 1 { w.int32(try r.int32()) }
        w.int16(try r.int16())
        if version >= 1 { w.nullableString(try r.nullableString()) }
        w.int32(try r.int32())
        let (host, port) = replace(try r.string(), try r.int32())
        w.string(host)
        w.int32(port)
        w.raw(r.rest())
        return w.bytes
    }
}
