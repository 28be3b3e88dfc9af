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

    /// Joins natural lines into logical ones, as `Properties.LineReader.readLine`
    /// does (ported step by step, so its corner cases are Java's too): leading
    /// whitespace skipped, blank lines skipped, a line whose text so far is empty
    /// and starts with `#` or `!` skipped to its end, an odd trailing backslash
    /// joining the next line (whose leading whitespace is skipped). The escapes
    /// stay in place for `unescape`. Java's corners kept: a continuation into the
    /// end of the text, or into a line ending, still yields a (possibly empty) line.
    static func logicalLines(_ chars: [UInt16]) -> [([UInt16], Int)] {
        let hash = UInt16(UInt8(ascii: "#")), bang = UInt16(UInt8(ascii: "!"))
        // The natural line number of each offset, for error messages and origins.
        var lineAt = [Int](repeating: 1, count: chars.count + 1)
        var number = 1
        for (i, c) in chars.enumerated() {
            lineAt[i] = number
            if c == newline || (c == carriageReturn && (i + 1 == chars.count || chars[i + 1] != newline)) {
                number += 1
            }
        }
        lineAt[chars.count] = number

        var result: [([UInt16], Int)] = []
        var off = 0
        while true {
            var line: [UInt16] = []
            var start = 0
            var skipWhiteSpace = true, appendedLineBegin = false, precedingBackslash = false
            while true {
                if off >= chars.count {
                    // End of text: nothing read is no line; otherwise the line, without a continuation's backslash.
                    if line.isEmpty { return result }
                    if precedingBackslash { line.removeLast() }
                    result.append((line, start))
                    return result
                }
                let c = chars[off]
                off += 1
                if skipWhiteSpace {
                    if isWhitespace(c) { continue }
                    if !appendedLineBegin && (c == carriageReturn || c == newline) { continue }
                    skipWhiteSpace = false
                    appendedLineBegin = false
                }
                if line.isEmpty && (c == hash || c == bang) {
                    // A comment: the rest of the line, its terminator included.
                    while off < chars.count && chars[off] != newline && chars[off] != carriageReturn { off += 1 }
                    if off >= chars.count { return result }
                    off += 1
                    skipWhiteSpace = true
                    continue
                }
                if c != newline && c != carriageReturn {
                    if line.isEmpty { start = lineAt[off - 1] }
                    line.append(c)
                    precedingBackslash = c == backslash ? !precedingBackslash : false
                    continue
                }
                // End of a natural line.
                if line.isEmpty {
                    skipWhiteSpace = true
                    continue
                }
                if off >= chars.count {
                    if precedingBackslash { line.removeLast() }
                    result.append((line, start))
                    return result
                }
                if precedingBackslash {
                    line.removeLast()
                    skipWhiteSpace = true
                    appendedLineBegin = true
                    precedingBackslash = false
                    if c == carriageReturn && chars[off] == newline { off += 1 }
                } else {
                    result.append((line, start))
                    break
                }
            }
        }
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
