/// Reads a Java `.properties` text as `java.util.Properties.load` does, so a
/// `client.properties` written for the Kafka CLI (`--command-config`) means the
/// same here: `#`/`!` comment lines, `=`, `:` or whitespace between key and
/// value, a line ending in an odd number of backslashes continued on the next
/// (whose leading whitespace is dropped), and the escapes `\t \n \r \f \uXXXX`
/// (any other escaped character stands for itself, so `\=`, `\:`, `\ ` and `\\`
/// put those characters into keys and values). Pure: no I/O.
///
/// One difference on purpose: Java's `load(InputStream)` decodes ISO-8859-1;
/// the caller hands a `String` (kafkalab decodes files as UTF-8, which is what
/// people write today, and falls back to ISO-8859-1 for bytes that are not UTF-8).
public enum JavaProperties {
    /// One key and value, with the line its logical line starts on (1-based).
    public struct Entry: Equatable, Sendable {
        public let key: String
        public let value: String
        public let line: Int
    }

    /// A malformed `\uXXXX` escape: Java's `load` throws on it too.
    public struct Malformed: Error, Equatable, CustomStringConvertible {
        public let line: Int
        public let description: String
    }

    /// Every entry in file order (a repeated key appears twice; the later wins,
    /// as `Properties.load` keeps the last `put`).
    public static func parse(_ text: String) throws -> [Entry] {
        var entries: [Entry] = []
        for (logical, line) in logicalLines(Array(text.utf16)) {
            if let entry = try entry(logical, line: line) { entries.append(entry) }
        }
        return entries
    }

    /// The last value of each key.
    public static func dictionary(_ text: String) throws -> [String: String] {
        try parse(text).reduce(into: [:]) { $0[$1.key] = $1.value }
    }

    private static let backslash = UInt16(UInt8(ascii: "\\"))
    private static let newline = UInt16(UInt8(ascii: "\n"))
    private static let carriageReturn = UInt16(UInt8(ascii: "\r"))

    private static func isWhitespace(_ c: UInt16) -> Bool {
        c == UInt16(UInt8(ascii: " ")) || c == UInt16(UInt8(ascii: "\t")) || c == 0x0C
    }

    /// Joins natural lines into logical ones (continuations), dropping blank and
    /// comment lines. The escapes stay in place: a continuation's trailing
    /// backslash is removed, every other backslash is left for `unescape`.
    /// A comment line never continues, and a continued line is never a comment.
    static func logicalLines(_ chars: [UInt16]) -> [([UInt16], Int)] {
        var result: [([UInt16], Int)] = []
        var current: [UInt16] = []
        var startLine = 1
        var lineNumber = 1
        var continuing = false
        var i = 0
        while i <= chars.count {
            // One natural line: chars[i..<end], then its terminator.
            var end = i
            while end < chars.count && chars[end] != newline && chars[end] != carriageReturn { end += 1 }
            var natural = Array(chars[i..<end])
            let atEnd = end >= chars.count
            var next = end + 1
            if !atEnd && chars[end] == carriageReturn && end + 1 < chars.count && chars[end + 1] == newline {
                next = end + 2
            }
            var start = 0
            while start < natural.count && isWhitespace(natural[start]) { start += 1 }
            natural.removeFirst(start)
            if !continuing {
                startLine = lineNumber
                let isComment =
                    natural.first == UInt16(UInt8(ascii: "#")) || natural.first == UInt16(UInt8(ascii: "!"))
                if natural.isEmpty || isComment {
                    if atEnd { break }
                    i = next
                    lineNumber += 1
                    continue
                }
            }
            var trailing = 0
            while trailing < natural.count && natural[natural.count - 1 - trailing] == backslash { trailing += 1 }
            if trailing % 2 == 1 {
                natural.removeLast()
                current += natural
                continuing = true
            } else {
                current += natural
                result.append((current, startLine))
                current = []
                continuing = false
            }
            if atEnd { break }
            i = next
            lineNumber += 1
        }
        if continuing && !current.isEmpty { result.append((current, startLine)) }
        return result
    }

    /// Splits one logical line into key and value and resolves their escapes.
    private static func entry(_ chars: [UInt16], line: Int) throws -> Entry? {
        var keyEnd = 0
        var escaped = false
        while keyEnd < chars.count {
            let c = chars[keyEnd]
            if escaped {
                escaped = false
            } else if c == backslash {
                escaped = true
            } else if c == UInt16(UInt8(ascii: "=")) || c == UInt16(UInt8(ascii: ":")) || isWhitespace(c) {
                break
            }
            keyEnd += 1
        }
        var valueStart = keyEnd
        var hasSeparator = false
        while valueStart < chars.count {
            let c = chars[valueStart]
            if !isWhitespace(c) {
                if !hasSeparator && (c == UInt16(UInt8(ascii: "=")) || c == UInt16(UInt8(ascii: ":"))) {
                    hasSeparator = true
                } else {
                    break
                }
            }
            valueStart += 1
        }
        let key = try unescape(chars[0..<keyEnd], line: line)
        let value = try unescape(chars[valueStart...], line: line)
        return Entry(key: key, value: value, line: line)
    }

    private static func unescape(_ chars: ArraySlice<UInt16>, line: Int) throws -> String {
        var out: [UInt16] = []
        out.reserveCapacity(chars.count)
        var i = chars.startIndex
        while i < chars.endIndex {
            let c = chars[i]
            i += 1
            guard c == backslash else {
                out.append(c)
                continue
            }
            guard i < chars.endIndex else { break }  // a lone backslash at the very end vanishes, as in Java
            let e = chars[i]
            i += 1
            switch e {
            case UInt16(UInt8(ascii: "t")): out.append(0x09)
            case UInt16(UInt8(ascii: "n")): out.append(0x0A)
            case UInt16(UInt8(ascii: "r")): out.append(0x0D)
            case UInt16(UInt8(ascii: "f")): out.append(0x0C)
            case UInt16(UInt8(ascii: "u")):
                var code: UInt16 = 0
                for _ in 0..<4 {
                    guard i < chars.endIndex, let digit = hexValue(chars[i]) else {
                        throw Malformed(
                            line: line, description: "line \(line): malformed \\uXXXX escape (needs four hex digits)")
                    }
                    code = code << 4 | digit
                    i += 1
                }
                out.append(code)
            default: out.append(e)
            }
        }
        return String(decoding: out, as: UTF16.self)
    }

    private static func hexValue(_ c: UInt16) -> UInt16? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }
}
