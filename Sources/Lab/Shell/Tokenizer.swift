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

    private static func finish(_ words: [String], _ current: String, _ inWord: Bool,
                               _ quote: Character?, _ escaping: Bool) throws -> [String] {
        if let quote { throw Failure(description: "unterminated \(quote) quote; close it or escape it with \\\(quote)") }
        if escaping { throw Failure(description: "the line ends with a lone backslash") }
        return inWord ? words + [current] : words
    }

    /// Splits `-c "cmd; cmd"` text into commands at semicolons outside quotes.
    public static func splitCommands(_ text: String) -> [String] {
        var commands: [String] = []
        var current = ""
        var quote: Character? = nil
        var escaping = false
        for ch in text {
            if escaping { current.append(ch); escaping = false; continue }
            if ch == "\\" && quote != "'" { escaping = true; current.append(ch); continue }
            if let q = quote {
                if ch == q { quote = nil }
                current.append(ch)
                continue
            }
            if ch == "'" || ch == "\"" { quote = ch; current.append(ch); continue }
            if ch == ";" {
                commands.append(current)
                current = ""
                continue
            }
            current.append(ch)
        }
        commands.append(current)
        return commands.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
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
