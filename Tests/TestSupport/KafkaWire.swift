/// The Kafka protocol's primitive types, read and written as the non-flexible
/// request and response versions librdkafka 2.0.2 uses (big-endian integers,
/// int16-length strings, int32-length bytes and arrays), for the test stand-in's
/// wire proxy: it reads each request a client sends to the mock cluster and may
/// answer it itself or rewrite the mock's answer.
///
/// Reference: https://kafka.apache.org/protocol#protocol_types
public enum KafkaWireError: Error, Equatable, CustomStringConvertible {
    case truncated(needed: Int, at: Int, size: Int)
    case malformed(String)

    public var description: String {
        switch self {
        case .truncated(let needed, let at, let size): "truncated: \(needed) byte(s) at \(at) of \(size)"
        case .malformed(let what): "malformed: \(what)"
        }
    }
}

/// Reads primitives from a byte buffer, front to back.
public struct KafkaWireReader {
    public let bytes: [UInt8]
    public private(set) var offset: Int

    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    public var remaining: Int { bytes.count - offset }
    public var isAtEnd: Bool { offset >= bytes.count }

    private mutating func take(_ n: Int) throws -> ArraySlice<UInt8> {
        guard n >= 0, offset + n <= bytes.count else {
            throw KafkaWireError.truncated(needed: n, at: offset, size: bytes.count)
        }
        defer { offset += n }
        return bytes[offset..<offset + n]
    }

    private mutating func integer<T: FixedWidthInteger>(_: T.Type) throws -> T {
        var value: T = 0
        for byte in try take(MemoryLayout<T>.size) { value = value << 8 | T(truncatingIfNeeded: byte) }
        return value
    }

    public mutating func int8() throws -> Int8 { try integer(Int8.self) }
    public mutating func int16() throws -> Int16 { try integer(Int16.self) }
    public mutating func int32() throws -> Int32 { try integer(Int32.self) }
    public mutating func int64() throws -> Int64 { try integer(Int64.self) }
    public mutating func uint32() throws -> UInt32 { try integer(UInt32.self) }
    public mutating func bool() throws -> Bool { try int8() != 0 }

    /// STRING: int16 length, then UTF-8 bytes.
    public mutating func string() throws -> String {
        guard let value = try nullableString() else { throw KafkaWireError.malformed("null STRING") }
        return value
    }

    /// NULLABLE_STRING: length -1 is null.
    public mutating func nullableString() throws -> String? {
        let length = Int(try int16())
        if length < 0 { return nil }
        return String(decoding: try take(length), as: UTF8.self)
    }

    /// BYTES / RECORDS: int32 length (-1 is null), then the bytes.
    public mutating func nullableBytes() throws -> [UInt8]? {
        let length = Int(try int32())
        if length < 0 { return nil }
        return Array(try take(length))
    }

    public mutating func raw(_ count: Int) throws -> [UInt8] { Array(try take(count)) }

    /// ARRAY: int32 count (-1 is null, read as empty), then each element.
    public mutating func array<T>(_ element: (inout KafkaWireReader) throws -> T) throws -> [T] {
        let count = Int(try int32())
        guard count >= 0 else { return [] }
        guard count <= remaining else { throw KafkaWireError.malformed("array of \(count) in \(remaining) byte(s)") }
        var out: [T] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try element(&self)) }
        return out
    }

    /// The rest of the buffer.
    public mutating func rest() -> [UInt8] {
        defer { offset = bytes.count }
        return Array(bytes[offset...])
    }
}

/// Writes primitives to a growing byte buffer.
public struct KafkaWireWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    private mutating func integer<T: FixedWidthInteger>(_ value: T) {
        var big = value.bigEndian
        withUnsafeBytes(of: &big) { bytes.append(contentsOf: $0) }
    }

    public mutating func int8(_ value: Int8) { integer(value) }
    public mutating func int16(_ value: Int16) { integer(value) }
    public mutating func int32(_ value: Int32) { integer(value) }
    public mutating func int64(_ value: Int64) { integer(value) }
    public mutating func uint32(_ value: UInt32) { integer(value) }
    public mutating func bool(_ value: Bool) { int8(value ? 1 : 0) }

    public mutating func string(_ value: String) { nullableString(value) }

    public mutating func nullableString(_ value: String?) {
        guard let value else { return int16(-1) }
        let utf8 = Array(value.utf8)
        int16(Int16(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    public mutating func nullableBytes(_ value: [UInt8]?) {
        guard let value else { return int32(-1) }
        int32(Int32(value.count))
        bytes.append(contentsOf: value)
    }

    public mutating func raw(_ value: [UInt8]) { bytes.append(contentsOf: value) }

    public mutating func array<T>(_ elements: [T], _ element: (inout KafkaWireWriter, T) -> Void) {
        int32(Int32(elements.count))
        for value in elements { element(&self, value) }
    }

    /// Overwrites 4 bytes at `at` (a length or CRC filled in after the fact).
    public mutating func patchInt32(_ value: Int32, at: Int) {
        let big = UInt32(bitPattern: value).bigEndian
        withUnsafeBytes(of: big) { for (i, byte) in $0.enumerated() { bytes[at + i] = byte } }
    }
}

/// A request's header (request header v1, which librdkafka 2.0.2 sends for every
/// non-flexible request: api_key, api_version, correlation_id, client_id).
/// Flexible versions (request header v2: ApiVersions v3, InitProducerId v2+) add
/// tagged fields after it, which `KafkaWireRequest` keeps in its raw header.
public struct KafkaRequestHeader: Equatable, Sendable {
    public var apiKey: Int16
    public var apiVersion: Int16
    public var correlationId: Int32
    public var clientId: String?

    public init(apiKey: Int16, apiVersion: Int16, correlationId: Int32, clientId: String?) {
        self.apiKey = apiKey
        self.apiVersion = apiVersion
        self.correlationId = correlationId
        self.clientId = clientId
    }

    public static func read(_ reader: inout KafkaWireReader) throws -> KafkaRequestHeader {
        KafkaRequestHeader(
            apiKey: try reader.int16(), apiVersion: try reader.int16(), correlationId: try reader.int32(),
            clientId: try reader.nullableString())
    }

    public func write(_ writer: inout KafkaWireWriter) {
        writer.int16(apiKey)
        writer.int16(apiVersion)
        writer.int32(correlationId)
        writer.nullableString(clientId)
    }
}

/// API keys the stand-in's proxy looks at (https://kafka.apache.org/protocol#protocol_api_keys).
public enum KafkaApiKey: Int16, Sendable {
    case produce = 0
    case fetch = 1
    case listOffsets = 2
    case metadata = 3
    case offsetCommit = 8
    case offsetFetch = 9
    case findCoordinator = 10
    case joinGroup = 11
    case heartbeat = 12
    case syncGroup = 14
    case apiVersions = 18
    case initProducerId = 22
    case addPartitionsToTxn = 24
    case addOffsetsToTxn = 25
    case endTxn = 26
    case txnOffsetCommit = 28
}

/// A size-prefixed frame (int32 length, then that many bytes), as both sides send.
public enum KafkaFrame {
    /// Splits complete frames off the front of `buffer`, leaving a partial one.
    public static func take(from buffer: inout [UInt8]) -> [[UInt8]] {
        var frames: [[UInt8]] = []
        var start = 0
        while buffer.count - start >= 4 {
            let size =
                Int(buffer[start]) << 24 | Int(buffer[start + 1]) << 16 | Int(buffer[start + 2]) << 8
                | Int(buffer[start + 3])
            guard buffer.count - start - 4 >= size else { break }
            frames.append(Array(buffer[start + 4..<start + 4 + size]))
            start += 4 + size
        }
        if start > 0 { buffer.removeFirst(start) }
        return frames
    }

    /// `body` with its int32 size in front.
    public static func wrap(_ body: [UInt8]) -> [UInt8] {
        var writer = KafkaWireWriter()
        writer.int32(Int32(body.count))
        writer.raw(body)
        return writer.bytes
    }
}
