import Foundation
import Testing

@testable import Lab

/// A record made of arrays, standing in for a borrowed librdkafka message.
private final class TestRecord: RecordView {
    let partition: Int32
    let offset: Int64
    let keyBytes: [UInt8]?
    let valueBytes: [UInt8]?
    let timestamp: Int64?
    let headers: [(name: [CChar], value: [UInt8]?)]
    private var storage: [UnsafeMutableRawBufferPointer] = []

    init(
        partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8]?, timestamp: Int64?,
        headers: [(String, [UInt8]?)] = []
    ) {
        self.partition = partition
        self.offset = offset
        keyBytes = key
        valueBytes = value
        self.timestamp = timestamp
        self.headers = headers.map { (Array($0.0.utf8CString), $0.1) }
    }

    deinit { storage.forEach { $0.deallocate() } }

    private func buffer(_ bytes: [UInt8]?) -> UnsafeRawBufferPointer? {
        guard let bytes else { return nil }
        let b = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
        b.copyBytes(from: bytes)
        storage.append(b)
        return UnsafeRawBufferPointer(start: b.baseAddress, count: bytes.count)
    }

    var key: UnsafeRawBufferPointer? { buffer(keyBytes) }
    var value: UnsafeRawBufferPointer? { buffer(valueBytes) }
    var hasHeaders: Bool { !headers.isEmpty }
    func forEachHeader(_ body: (UnsafePointer<CChar>, UnsafeRawBufferPointer?) -> Void) {
        for h in headers { h.name.withUnsafeBufferPointer { body($0.baseAddress!, buffer(h.value)) } }
    }
}

/// `consume`'s lines as they were made before `RecordFormat` (String per field, `JSONValue` per
/// record, `ISO8601DateFormatter` per timestamp): the reference the byte writer must match.
private enum Reference {
    static func text(_ r: TestRecord, styled: Bool) -> String {
        func dim(_ s: String) -> String { styled ? "\u{1B}[2m\(s)\u{1B}[0m" : s }
        let key = r.keyBytes.map { String(decoding: $0, as: UTF8.self) }
        let value = r.valueBytes.map { String(decoding: $0, as: UTF8.self) }
        var line = "p\(r.partition) @\(r.offset)"
        if let key { line += "  key=\(printable(key))" }
        line += "  " + (value.map(printable) ?? "(null)")
        if !r.headers.isEmpty {
            line +=
                "  ["
                + r.headers.map {
                    "\(name($0.name))=\($0.value.map { printable(String(decoding: $0, as: UTF8.self)) } ?? "null")"
                }.joined(separator: ",") + "]"
        }
        if let t = r.timestamp { line += "  " + dim(DataCommands.formatTimestamp(t)) }
        return line + "\n"
    }

    static func json(_ r: TestRecord, topic: String) -> String {
        JSONValue.object([
            ("topic", .string(topic)), ("partition", .integer(r.partition)), ("offset", .integer(r.offset)),
            ("key", .optional(r.keyBytes.map { String(decoding: $0, as: UTF8.self) })),
            ("value", .optional(r.valueBytes.map { String(decoding: $0, as: UTF8.self) })),
            (
                "headers",
                .object(
                    r.headers.map { (name($0.name), .optional($0.value.map { String(decoding: $0, as: UTF8.self) })) })
            ),
            ("timestamp_ms", .optional(r.timestamp)),
        ]).serialized() + "\n"
    }

    static func name(_ c: [CChar]) -> String { c.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } }

    static func printable(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += String(format: "\\x%02x", scalar.value)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

@Suite("consume's record lines: the byte writer against the String/JSONValue/ICU reference")
struct RecordFormatTests {
    private func text(_ r: TestRecord, styled: Bool = false) -> String {
        var format = RecordFormat()
        return text(r, styled: styled, using: &format)
    }

    /// With one writer for many records, as `consume` uses it (its cached second in play).
    private func text(_ r: TestRecord, styled: Bool, using format: inout RecordFormat) -> String {
        var out: [UInt8] = []
        format.appendText(r, styled: styled, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private func json(_ r: TestRecord, topic: String = "t") -> String {
        var out: [UInt8] = []
        RecordFormat().appendJSON(r, topic: topic, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func pinnedLines() {
        let r = TestRecord(
            partition: 2, offset: 67_107, key: Array("k1".utf8), value: Array("a\tb\u{7F}é".utf8),
            timestamp: 1_733_327_664_123, headers: [("trace", Array("t\n1".utf8)), ("none", nil)])
        #expect(text(r) == "p2 @67107  key=k1  a\\x09b\\x7fé  [trace=t\\x0a1,none=null]  2024-12-04T15:54:24.123Z\n")
        #expect(
            text(r, styled: true)
                == "p2 @67107  key=k1  a\\x09b\\x7fé  [trace=t\\x0a1,none=null]  \u{1B}[2m2024-12-04T15:54:24.123Z\u{1B}[0m\n"
        )
        #expect(
            json(r, topic: "big \"one\"")
                == "{\"topic\":\"big \\\"one\\\"\",\"partition\":2,\"offset\":67107,\"key\":\"k1\",\"value\":\"a\\tb\u{7F}é\",\"headers\":{\"trace\":\"t\\n1\",\"none\":null},\"timestamp_ms\":1733327664123}\n"
        )
        let bare = TestRecord(partition: 0, offset: 0, key: nil, value: nil, timestamp: nil)
        #expect(text(bare) == "p0 @0  (null)\n")
        #expect(
            json(bare)
                == "{\"topic\":\"t\",\"partition\":0,\"offset\":0,\"key\":null,\"value\":null,\"headers\":{},\"timestamp_ms\":null}\n"
        )
    }

    @Test func generatedRecordsMatchTheReferenceByteForByte() {
        var rng = SystemRandomNumberGenerator()
        let seed = UInt64.random(in: 0...UInt64.max, using: &rng)
        var gen = SplitMix(seed: seed)
        // Printable ASCII, every control byte, quotes and backslashes, multi-byte UTF-8 and bytes
        // that are not UTF-8 at all (0x80, 0xC3 alone, 0xFF).
        let alphabet: [[UInt8]] =
            (0..<0x20).map { [UInt8($0)] } + [[0x7F], [0x22], [0x5C], [0x80], [0xC3], [0xFF]]
            + Array("é€😀".unicodeScalars).map { Array(String($0).utf8) } + (0x20..<0x7F).map { [UInt8($0)] }
        func bytes(_ max: Int) -> [UInt8]? {
            if gen.next() % 8 == 0 { return nil }
            return (0..<Int(gen.next() % UInt64(max + 1))).flatMap { _ in
                alphabet[Int(gen.next() % UInt64(alphabet.count))]
            }
        }
        var shared = RecordFormat()
        var clock = Int64(1_733_327_664_000)
        for i in 0..<3_000 {
            let ts: Int64? =
                i % 10 == 0
                ? nil
                : i % 97 == 0
                    ? Int64(bitPattern: gen.next()) % 300_000_000_000_000 : Int64(gen.next() % 4_102_444_800_000)
            let headers: [(String, [UInt8]?)] = (0..<Int(gen.next() % 3)).map { _ in
                (String(decoding: bytes(6) ?? [], as: UTF8.self).replacingOccurrences(of: "\0", with: ""), bytes(6))
            }
            let r = TestRecord(
                partition: Int32(gen.next() % 5000), offset: Int64(bitPattern: gen.next()) >> Int(gen.next() % 64),
                key: bytes(12), value: bytes(40), timestamp: ts, headers: headers)
            let styled = i % 2 == 0
            #expect(text(r, styled: styled) == Reference.text(r, styled: styled), "seed \(seed), record \(i)")
            #expect(
                text(r, styled: styled, using: &shared) == Reference.text(r, styled: styled),
                "seed \(seed), record \(i)")
            // Then a run of records close together in time, as a batch holds them.
            clock += Int64(gen.next() % 700)
            let near = TestRecord(partition: 1, offset: Int64(i), key: nil, value: bytes(8), timestamp: clock)
            #expect(text(near, styled: false, using: &shared) == Reference.text(near, styled: false), "seed \(seed)")
            #expect(json(r) == Reference.json(r, topic: "t"), "seed \(seed), record \(i)")
        }
    }
}

/// A small seeded generator, so a failure names the seed that replays it.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
