/// Kafka's record batch (message format v2, magic 2) as the wire proxy reads and
/// writes it: the batches librdkafka produces and fetches, and the control batches
/// (transaction markers) the stand-in writes into the mock cluster's log, which
/// librdkafka 2.0.2's mock never writes itself.
///
/// Layout (apache/kafka DefaultRecordBatch.java): baseOffset int64, batchLength int32
/// (the bytes after it), partitionLeaderEpoch int32, magic int8, crc uint32 (CRC-32C
/// over attributes..end), attributes int16 (bits 0-2 compression, 3 timestamp type,
/// 4 transactional, 5 control), lastOffsetDelta int32, baseTimestamp int64,
/// maxTimestamp int64, producerId int64, producerEpoch int16, baseSequence int32,
/// recordCount int32, then the records (compressed as a whole when bits 0-2 say so).
/// A record (DefaultRecord.java): length varint, attributes int8, timestampDelta
/// varlong, offsetDelta varint, key (varint length, -1 null), value (likewise),
/// header count varint, headers (key varint length + bytes, value likewise).
public struct KafkaRecordBatch: Equatable, Sendable {
    public static let magic: Int8 = 2
    /// Bytes from the start of a batch to its first record.
    public static let headerSize = 61
    /// Offsets of fields inside a batch.
    static let crcOffset = 17
    static let attributesOffset = 21

    public static let compressionMask: Int16 = 0x07
    public static let transactionalFlag: Int16 = 0x10
    public static let controlFlag: Int16 = 0x20

    public struct Header: Equatable, Sendable {
        public var name: String
        public var value: [UInt8]?

        public init(name: String, value: [UInt8]?) {
            self.name = name
            self.value = value
        }
    }

    public struct Record: Equatable, Sendable {
        public var attributes: Int8 = 0
        public var timestampDelta: Int64 = 0
        public var offsetDelta: Int32
        public var key: [UInt8]?
        public var value: [UInt8]?
        public var headers: [Header] = []

        public init(
            offsetDelta: Int32, key: [UInt8]?, value: [UInt8]?, timestampDelta: Int64 = 0, headers: [Header] = []
        ) {
            self.offsetDelta = offsetDelta
            self.key = key
            self.value = value
            self.timestampDelta = timestampDelta
            self.headers = headers
        }
    }

    public var baseOffset: Int64
    public var partitionLeaderEpoch: Int32 = -1
    public var attributes: Int16
    public var lastOffsetDelta: Int32
    public var baseTimestamp: Int64
    public var maxTimestamp: Int64
    public var producerId: Int64
    public var producerEpoch: Int16
    public var baseSequence: Int32
    /// The records; empty when they are compressed (`recordCount` still says how many).
    public var records: [Record]
    public var recordCount: Int32

    public var isTransactional: Bool { attributes & Self.transactionalFlag != 0 }
    public var isControl: Bool { attributes & Self.controlFlag != 0 }
    public var isCompressed: Bool { attributes & Self.compressionMask != 0 }
    public var lastOffset: Int64 { baseOffset + Int64(lastOffsetDelta) }

    public init(
        baseOffset: Int64, attributes: Int16, baseTimestamp: Int64, producerId: Int64 = -1,
        producerEpoch: Int16 = -1, baseSequence: Int32 = -1, records: [Record], partitionLeaderEpoch: Int32 = -1
    ) {
        self.baseOffset = baseOffset
        self.partitionLeaderEpoch = partitionLeaderEpoch
        self.attributes = attributes
        self.lastOffsetDelta = records.map(\.offsetDelta).max() ?? 0
        self.baseTimestamp = baseTimestamp
        self.maxTimestamp = baseTimestamp + (records.map(\.timestampDelta).max() ?? 0)
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.baseSequence = baseSequence
        self.records = records
        self.recordCount = Int32(records.count)
    }

    /// A transaction marker (MemoryRecords.withEndTransactionMarker in apache/kafka): one
    /// control record whose key is version 0 + the type (ControlRecordType: 0 abort,
    /// 1 commit) and whose value is version 0 + the coordinator epoch
    /// (EndTransactionMarker), in a transactional control batch of the producer's id and
    /// epoch with no sequence.
    public static func transactionMarker(
        commit: Bool, producerId: Int64, producerEpoch: Int16, coordinatorEpoch: Int32, timestamp: Int64,
        baseOffset: Int64 = 0
    ) -> KafkaRecordBatch {
        let marker = KafkaControlRecord(type: commit ? .commit : .abort, coordinatorEpoch: coordinatorEpoch)
        return KafkaRecordBatch(
            baseOffset: baseOffset, attributes: transactionalFlag | controlFlag, baseTimestamp: timestamp,
            producerId: producerId, producerEpoch: producerEpoch, baseSequence: -1,
            records: [Record(offsetDelta: 0, key: marker.key, value: marker.value)])
    }

    /// The batch as it goes on the wire, its CRC computed.
    public func encoded() -> [UInt8] {
        precondition(!isCompressed, "the proxy writes uncompressed batches only")
        var w = KafkaWireWriter()
        w.int64(baseOffset)
        w.int32(0)  // batchLength, patched below
        w.int32(partitionLeaderEpoch)
        w.int8(Self.magic)
        w.uint32(0)  // crc, patched below
        w.int16(attributes)
        w.int32(lastOffsetDelta)
        w.int64(baseTimestamp)
        w.int64(maxTimestamp)
        w.int64(producerId)
        w.int16(producerEpoch)
        w.int32(baseSequence)
        w.int32(Int32(records.count))
        for record in records { Self.write(record, into: &w) }
        w.patchInt32(Int32(w.bytes.count - 12), at: 8)
        let crc = CRC32C.checksum(w.bytes[Self.attributesOffset...])
        w.patchInt32(Int32(bitPattern: crc), at: Self.crcOffset)
        return w.bytes
    }

    private static func write(_ r: Record, into w: inout KafkaWireWriter) {
        var body = KafkaWireWriter()
        body.int8(r.attributes)
        body.varlong(r.timestampDelta)
        body.varint(r.offsetDelta)
        body.varintBytes(r.key)
        body.varintBytes(r.value)
        body.varint(Int32(r.headers.count))
        for h in r.headers {
            body.varintBytes(Array(h.name.utf8))
            body.varintBytes(h.value)
        }
        w.varint(Int32(body.bytes.count))
        w.raw(body.bytes)
    }

    /// Reads one batch from the front of `bytes`; checks its magic, length and CRC.
    /// Compressed records are left unread (`records` empty).
    public static func decode(_ bytes: [UInt8]) throws -> KafkaRecordBatch {
        guard let first = try KafkaRecordSet.batches(in: bytes).first else {
            throw KafkaWireError.malformed("no complete record batch in \(bytes.count) byte(s)")
        }
        return try decode(bytes, range: first.range)
    }

    static func decode(_ all: [UInt8], range: Range<Int>) throws -> KafkaRecordBatch {
        let bytes = Array(all[range])
        var r = KafkaWireReader(bytes)
        let baseOffset = try r.int64()
        _ = try r.int32()
        let leaderEpoch = try r.int32()
        let magic = try r.int8()
        guard magic == Self.magic else { throw KafkaWireError.malformed("record batch magic \(magic), not 2") }
        let crc = try r.uint32()
        let computed = CRC32C.checksum(bytes[Self.attributesOffset...])
        guard crc == computed else {
            throw KafkaWireError.malformed("record batch CRC \(crc), computed \(computed)")
        }
        let attributes = try r.int16()
        let lastOffsetDelta = try r.int32()
        let baseTimestamp = try r.int64()
        let maxTimestamp = try r.int64()
        let producerId = try r.int64()
        let producerEpoch = try r.int16()
        let baseSequence = try r.int32()
        let count = try r.int32()
        var records: [Record] = []
        if attributes & compressionMask == 0 {
            for _ in 0..<max(0, count) {
                let length = Int(try r.varint())
                let end = r.offset + length
                var record = Record(offsetDelta: 0, key: nil, value: nil)
                record.attributes = try r.int8()
                record.timestampDelta = try r.varlong()
                record.offsetDelta = try r.varint()
                record.key = try r.varintBytes()
                record.value = try r.varintBytes()
                let headerCount = try r.varint()
                for _ in 0..<max(0, headerCount) {
                    let name = String(decoding: try r.varintBytes() ?? [], as: UTF8.self)
                    record.headers.append(Header(name: name, value: try r.varintBytes()))
                }
                guard r.offset == end else {
                    throw KafkaWireError.malformed("record of \(length) byte(s) read as \(r.offset - end + length)")
                }
                records.append(record)
            }
        }
        var batch = KafkaRecordBatch(
            baseOffset: baseOffset, attributes: attributes, baseTimestamp: baseTimestamp, producerId: producerId,
            producerEpoch: producerEpoch, baseSequence: baseSequence, records: records,
            partitionLeaderEpoch: leaderEpoch)
        batch.lastOffsetDelta = lastOffsetDelta
        batch.maxTimestamp = maxTimestamp
        batch.recordCount = count
        return batch
    }
}

/// A control record's key and value (apache/kafka ControlRecordType, EndTransactionMarker).
public struct KafkaControlRecord: Equatable, Sendable {
    public enum ControlType: Int16, Sendable {
        case abort = 0
        case commit = 1
    }
    public var type: ControlType
    public var coordinatorEpoch: Int32

    public init(type: ControlType, coordinatorEpoch: Int32) {
        self.type = type
        self.coordinatorEpoch = coordinatorEpoch
    }

    /// version int16 0, type int16.
    public var key: [UInt8] {
        var w = KafkaWireWriter()
        w.int16(0)
        w.int16(type.rawValue)
        return w.bytes
    }

    /// version int16 0, coordinator epoch int32.
    public var value: [UInt8] {
        var w = KafkaWireWriter()
        w.int16(0)
        w.int32(coordinatorEpoch)
        return w.bytes
    }

    public init(key: [UInt8], value: [UInt8]) throws {
        var k = KafkaWireReader(key)
        var v = KafkaWireReader(value)
        guard try k.int16() == 0, try v.int16() == 0 else {
            throw KafkaWireError.malformed("control record of an unknown version")
        }
        let raw = try k.int16()
        guard let type = ControlType(rawValue: raw) else {
            throw KafkaWireError.malformed("control record type \(raw)")
        }
        self.init(type: type, coordinatorEpoch: try v.int32())
    }
}

/// The batches of a record set (a Produce request's or a Fetch response's RECORDS),
/// found by their headers only: what the proxy needs to observe and trim them
/// without decoding (or decompressing) their records.
public enum KafkaRecordSet {
    public struct BatchInfo: Equatable, Sendable {
        /// Where the batch sits in the record set.
        public var range: Range<Int>
        public var baseOffset: Int64
        public var lastOffsetDelta: Int32
        public var attributes: Int16
        public var producerId: Int64
        public var producerEpoch: Int16

        public var lastOffset: Int64 { baseOffset + Int64(lastOffsetDelta) }
        public var isTransactional: Bool { attributes & KafkaRecordBatch.transactionalFlag != 0 }
        public var isControl: Bool { attributes & KafkaRecordBatch.controlFlag != 0 }
    }

    /// The complete batches at the front of `records`; a partial batch at the end (a
    /// Fetch response may cut the last one) is left out, as a consumer skips it.
    public static func batches(in records: [UInt8]) throws -> [BatchInfo] {
        var out: [BatchInfo] = []
        var start = 0
        while records.count - start >= KafkaRecordBatch.headerSize {
            var r = KafkaWireReader(records, offset: start)
            let baseOffset = try r.int64()
            let length = Int(try r.int32())
            guard length >= KafkaRecordBatch.headerSize - 12 else {
                throw KafkaWireError.malformed("record batch length \(length)")
            }
            let end = start + 12 + length
            guard end <= records.count else { break }
            _ = try r.int32()
            let magic = try r.int8()
            guard magic == KafkaRecordBatch.magic else {
                throw KafkaWireError.malformed("record batch magic \(magic), not 2")
            }
            _ = try r.uint32()
            let attributes = try r.int16()
            let lastOffsetDelta = try r.int32()
            _ = try r.int64()
            _ = try r.int64()
            let producerId = try r.int64()
            let producerEpoch = try r.int16()
            out.append(
                BatchInfo(
                    range: start..<end, baseOffset: baseOffset, lastOffsetDelta: lastOffsetDelta,
                    attributes: attributes, producerId: producerId, producerEpoch: producerEpoch))
            start = end
        }
        return out
    }
}

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as Kafka checks record batches.
public enum CRC32C {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        return c
    }

    public static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}

// MARK: Varints (protobuf-style base-128, zigzag-encoded), as records use them.

extension KafkaWireReader {
    public mutating func unsignedVarlong() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = UInt8(bitPattern: try int8())
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
            guard shift < 64 else { throw KafkaWireError.malformed("varint longer than 10 bytes") }
        }
    }

    public mutating func varlong() throws -> Int64 {
        let raw = try unsignedVarlong()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    public mutating func varint() throws -> Int32 {
        let value = try varlong()
        guard let narrow = Int32(exactly: value) else { throw KafkaWireError.malformed("varint \(value) overflows") }
        return narrow
    }

    /// Bytes with a varint length in front (-1 is null), as a record's key and value.
    public mutating func varintBytes() throws -> [UInt8]? {
        let length = Int(try varint())
        if length < 0 { return nil }
        return try raw(length)
    }
}

extension KafkaWireWriter {
    public mutating func unsignedVarlong(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            int8(Int8(bitPattern: UInt8(v & 0x7F) | 0x80))
            v >>= 7
        }
        int8(Int8(bitPattern: UInt8(v)))
    }

    public mutating func varlong(_ value: Int64) {
        unsignedVarlong(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    public mutating func varint(_ value: Int32) { varlong(Int64(value)) }

    public mutating func varintBytes(_ value: [UInt8]?) {
        guard let value else { return varint(-1) }
        varint(Int32(value.count))
        raw(value)
    }
}
