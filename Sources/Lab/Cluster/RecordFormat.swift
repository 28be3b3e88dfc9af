import Foundation
import Kafka

/// A consumed record as `RecordFormat` reads it: borrowed bytes, nothing copied.
///
/// This is `consume`'s typed value per record (issue 25 item 1), and `RecordFormat` its one
/// renderer for text and JSON, so the two cannot drift: both read the same fields of the same
/// value. It is deliberately not a `CommandResult` emitted through `Output.emitStreamed`: that
/// would need an owned value per record (a `String` or `[UInt8]` for key, value and every header)
/// and a `JSONEncoder` pass per record, the per-record allocation and Foundation formatting that
/// made `consume` 40x slower than kcat (issue 24). The JSON keys and escaping stay those of the
/// encoder's convention, checked byte for byte against the `JSONValue` reference in
/// `RecordFormatTests`.
protocol RecordView {
    var partition: Int32 { get }
    var offset: Int64 { get }
    var key: UnsafeRawBufferPointer? { get }
    var value: UnsafeRawBufferPointer? { get }
    var timestamp: Int64? { get }
    var hasHeaders: Bool { get }
    func forEachHeader(_ body: (UnsafePointer<CChar>, UnsafeRawBufferPointer?) -> Void)
}

extension BorrowedRecord: RecordView {}

/// `consume`'s record lines, text and JSON, written as bytes straight into an output buffer:
/// at 200,000 records a run, building a `String` per field, a `JSONValue` per record and an
/// `ISO8601DateFormatter` per timestamp (about 100 µs each: ICU builds a formatter) was nearly all
/// of the command's time. The bytes are the same as before: invalid UTF-8 becomes U+FFFD as
/// `String(decoding:as:)` makes it, control characters are escaped as `printable` and
/// `JSONValue.escape` escape them, and the timestamp reads as `ISO8601DateFormatter` writes it
/// (`RecordFormatTests` compares both ways on generated records).
struct RecordFormat {
    /// The last whole second written and its text up to the fractional point
    /// (`2026-12-04T15:57:54.`): records of one batch mostly share their second.
    private var cachedSecond = Int64.min
    private var cachedPrefix: [UInt8] = []

    /// One text line: `p0 @12  key=k  value  [h=v]  2026-12-04T15:57:54.859Z`, control characters
    /// as `\xNN`, the time dimmed at a terminal.
    mutating func appendText<R: RecordView>(_ r: R, styled: Bool, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "p"))
        Self.appendDecimal(Int64(r.partition), into: &out)
        out.append(0x20)
        out.append(UInt8(ascii: "@"))
        Self.appendDecimal(r.offset, into: &out)
        if let key = r.key {
            out.append(contentsOf: "  key=".utf8)
            Self.appendPrintable(key, into: &out)
        }
        out.append(0x20)
        out.append(0x20)
        if let value = r.value {
            Self.appendPrintable(value, into: &out)
        } else {
            out.append(contentsOf: "(null)".utf8)
        }
        if r.hasHeaders {
            out.append(contentsOf: "  [".utf8)
            var first = true
            r.forEachHeader { name, value in
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                Self.withName(name) { Self.appendRepaired($0, into: &out) }
                out.append(UInt8(ascii: "="))
                if let value { Self.appendPrintable(value, into: &out) } else { out.append(contentsOf: "null".utf8) }
            }
            out.append(UInt8(ascii: "]"))
        }
        if let ts = r.timestamp {
            out.append(0x20)
            out.append(0x20)
            if styled { out.append(contentsOf: "\u{1B}[2m".utf8) }
            appendCachedTimestamp(ts, into: &out)
            if styled { out.append(contentsOf: "\u{1B}[0m".utf8) }
        }
        out.append(0x0A)
    }

    /// One JSON document on its own line, keys as `consume --json` has always printed them:
    /// topic, partition, offset, key, value, headers, timestamp_ms.
    func appendJSON<R: RecordView>(_ r: R, topic: String, into out: inout [UInt8]) {
        out.append(contentsOf: "{\"topic\":".utf8)
        var topicCopy = topic
        topicCopy.withUTF8 { Self.appendJSONString(UnsafeRawBufferPointer($0), into: &out) }
        out.append(contentsOf: ",\"partition\":".utf8)
        Self.appendDecimal(Int64(r.partition), into: &out)
        out.append(contentsOf: ",\"offset\":".utf8)
        Self.appendDecimal(r.offset, into: &out)
        out.append(contentsOf: ",\"key\":".utf8)
        if let key = r.key { Self.appendJSONString(key, into: &out) } else { out.append(contentsOf: "null".utf8) }
        out.append(contentsOf: ",\"value\":".utf8)
        if let value = r.value { Self.appendJSONString(value, into: &out) } else { out.append(contentsOf: "null".utf8) }
        out.append(contentsOf: ",\"headers\":{".utf8)
        if r.hasHeaders {
            var first = true
            r.forEachHeader { name, value in
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                Self.withName(name) { Self.appendJSONString($0, into: &out) }
                out.append(UInt8(ascii: ":"))
                if let value { Self.appendJSONString(value, into: &out) } else { out.append(contentsOf: "null".utf8) }
            }
        }
        out.append(contentsOf: "},\"timestamp_ms\":".utf8)
        if let ts = r.timestamp { Self.appendDecimal(ts, into: &out) } else { out.append(contentsOf: "null".utf8) }
        out.append(contentsOf: "}\n".utf8)
    }

    /// As `appendTimestamp`, reusing the text of the second written last.
    private mutating func appendCachedTimestamp(_ ms: Int64, into out: inout [UInt8]) {
        let second = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        guard (-2_208_988_800_000...253_402_300_799_999).contains(ms) else {
            Self.appendTimestamp(ms, into: &out)
            return
        }
        if second != cachedSecond {
            cachedPrefix.removeAll(keepingCapacity: true)
            Self.appendTimestamp(second * 1000, into: &cachedPrefix)
            cachedPrefix.removeLast(4)  // "000Z"
            cachedSecond = second
        }
        out.append(contentsOf: cachedPrefix)
        let millis = ms - second * 1000
        out.append(0x30 + UInt8(millis / 100))
        out.append(0x30 + UInt8(millis / 10 % 10))
        out.append(0x30 + UInt8(millis % 10))
        out.append(UInt8(ascii: "Z"))
    }

    // MARK: Pieces

    static func appendDecimal(_ v: Int64, into out: inout [UInt8]) {
        if v < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = v.magnitude
        if magnitude < 10 {
            out.append(0x30 + UInt8(magnitude))
            return
        }
        var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)  // 32 bytes, enough for 20 digits
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buf in
            while magnitude > 0 {
                buf[31 - count] = 0x30 + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[(32 - count)...]))
        }
    }

    /// `ms` as `ISO8601DateFormatter` with internet date-time and fractional seconds writes it
    /// (UTC, milliseconds). Computed from the proleptic Gregorian calendar for 1900-9999, where
    /// it matches Foundation for every millisecond tried; Foundation formats the rest.
    static func appendTimestamp(_ ms: Int64, into out: inout [UInt8]) {
        guard (-2_208_988_800_000...253_402_300_799_999).contains(ms) else {
            out.append(contentsOf: DataCommands.formatTimestamp(ms).utf8)
            return
        }
        let seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let millis = ms - seconds * 1000
        var days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Civil date from days since 1970-01-01 (H. Hinnant's days_from_civil, inverted).
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        Self.appendPadded(year, 4, into: &out)
        out.append(UInt8(ascii: "-"))
        Self.appendPadded(month, 2, into: &out)
        out.append(UInt8(ascii: "-"))
        Self.appendPadded(day, 2, into: &out)
        out.append(UInt8(ascii: "T"))
        Self.appendPadded(secondOfDay / 3600, 2, into: &out)
        out.append(UInt8(ascii: ":"))
        Self.appendPadded(secondOfDay / 60 % 60, 2, into: &out)
        out.append(UInt8(ascii: ":"))
        Self.appendPadded(secondOfDay % 60, 2, into: &out)
        out.append(UInt8(ascii: "."))
        Self.appendPadded(millis, 3, into: &out)
        out.append(UInt8(ascii: "Z"))
    }

    private static func appendPadded(_ v: Int64, _ width: Int, into out: inout [UInt8]) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = v
        while divisor > 0 {
            out.append(0x30 + UInt8(rest / divisor % 10))
            rest %= divisor
            divisor /= 10
        }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Text with control characters (below 0x20, and 0x7F) as `\xNN`, after invalid UTF-8 is
    /// repaired: what `DataCommands.printable` makes of `String(decoding:as:)`.
    static func appendPrintable(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        Self.withRepaired(bytes) { valid in
            var start = 0
            for i in 0..<valid.count {
                let b = valid[i]
                guard b < 0x20 || b == 0x7F else { continue }
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: valid[start..<i]))
                out.append(UInt8(ascii: "\\"))
                out.append(UInt8(ascii: "x"))
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
                start = i + 1
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: valid[start...]))
        }
    }

    /// A JSON string literal, escaped as `JSONValue.escape` does.
    static func appendJSONString(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        Self.withRepaired(bytes) { valid in
            var start = 0
            for i in 0..<valid.count {
                let b = valid[i]
                guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: valid[start..<i]))
                switch b {
                case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "\\"))
                case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
                default:
                    out.append(contentsOf: "\\u00".utf8)
                    out.append(hex[Int(b >> 4)])
                    out.append(hex[Int(b & 0xF)])
                }
                start = i + 1
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: valid[start...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func appendRepaired(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        Self.withRepaired(bytes) { out.append(contentsOf: $0) }
    }

    /// The bytes as they are when they are ASCII (the common case, no copy), else as
    /// `String(decoding:as:)` repairs them.
    private static func withRepaired(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
        var ascii = true
        for b in bytes where b >= 0x80 {
            ascii = false
            break
        }
        if ascii {
            body(bytes)
            return
        }
        var text = String(decoding: bytes, as: UTF8.self)
        text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }

    private static func withName(_ name: UnsafePointer<CChar>, _ body: (UnsafeRawBufferPointer) -> Void) {
        body(UnsafeRawBufferPointer(start: name, count: strlen(name)))
    }
}
