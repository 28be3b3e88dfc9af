/// Splits a command line into words the way a shell user expects: spaces
/// separate words, 'single quotes' keep everything literally, "double quotes"
/// allow \" and \\ escapes, a backslash outside quotes escapes the next
/// character, and an unquoted # at the start of a word begins a comment.
public enum Tokenizer {
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    public static func split(_ line: String) throws -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character? = nil
        var escaping = false
        for ch in line {
            if escaping {
                current.append(ch)
                escaping = false
                continue
            }
            if let q = quote {
                if ch == q {
                    quote = nil
                } else if ch == "\\" && q == "\"" {
                    escaping = true
                } else {
                    current.append(ch)
                }
                continue
            }
            switch ch {
            case " ", "\t", "\n", "\r":
                if inWord { words.append(current); current = ""; inWord = false }
            case "'", "\"":
                quote = ch
                inWord = true
            case "\\":
                escaping = true
                inWord = true
            case "#" where !inWord:
                return try finish(words, current, inWord, quote, escaping)
            default:
                current.append(ch)
                inWord = true
            }
        }
        return try finish(words, current, inWord, quote, escaping)
    }

    private static func finish(
        _ words: [String], _ current: String, _ inWord: Bool,
        _ quote: Character?, _ escaping: Bool
    ) throws -> [String] {
        if let quote {
            throw Failure(description: "unterminated \(quote) quote; close it or escape it with \\\(quote)")
        }
        if escaping { throw Failure(description: "the line ends with a lone backslash") }
        return inWord ? words + [current] : words
    }

    /// Splits text into commands: the one rule for the prompt, `-c`, `-f`,
    /// `source` and stdin. An unquoted `;` or line break ends a command; a `;`
    /// inside quotes or after a backslash stays literal, and so does one in a
    /// `#` comment (which runs to the end of its line).
    public static func splitCommands(_ text: String) -> [String] {
        var commands: [String] = []
        var current = ""
        var quote: Character? = nil
        var escaping = false
        var inComment = false
        var atWordStart = true
        func finishCommand() {
            commands.append(current)
            current = ""
            inComment = false
            atWordStart = true
        }
        for ch in text {
            if inComment {
                if isLineBreak(ch) { finishCommand() } else { current.append(ch) }
                continue
            }
            if escaping { current.append(ch); escaping = false; atWordStart = false; continue }
            if ch == "\\" && quote != "'" { escaping = true; current.append(ch); continue }
            if let q = quote {
                if ch == q { quote = nil }
                current.append(ch)
                continue
            }
            if ch == "'" || ch == "\"" { quote = ch; current.append(ch); atWordStart = false; continue }
            if ch == ";" || isLineBreak(ch) { finishCommand(); continue }
            if ch == "#" && atWordStart { inComment = true; current.append(ch); continue }
            atWordStart = ch.isWhitespace
            current.append(ch)
        }
        commands.append(current)
        return commands.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    /// LF or CRLF ("\r\n" is one Character): the line breaks of `lines(_:)`.
    static func isLineBreak(_ ch: Character) -> Bool { ch == "\n" || ch == "\r\n" }

    /// The lines of a script, ended by LF or CRLF, numbered as editors number
    /// them: a lone CR, form feed, vertical tab, NEL or U+2028 stays inside
    /// its line (Character.isNewline counts all of them, and `FILE:N:` then
    /// pointed past the line the editor shows).
    public static func lines(_ text: String) -> [String] {
        // On bytes: "\r\n" is one Character, which a split on "\n" would miss.
        text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line, as: UTF8.self)
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
