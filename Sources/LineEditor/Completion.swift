/// TAB-completion logic, kept free of libedit so it can be unit tested.
///
/// Widths are counted in `Character`s, which matches the terminal for the
/// ASCII and most other single-width text a Kafka shell deals with.
public enum Completion {
    /// The word the cursor is in: everything after the last whitespace before
    /// the cursor (empty right after a space). Candidates returned by the
    /// completer replace this word, so completers should split the same way.
    public static func currentWord(in textBeforeCursor: String) -> String {
        guard let lastSpace = textBeforeCursor.lastIndex(where: \.isWhitespace) else {
            return textBeforeCursor
        }
        return String(textBeforeCursor[textBeforeCursor.index(after: lastSpace)...])
    }

    /// The longest string every element starts with; empty for an empty array.
    public static func longestCommonPrefix(_ strings: [String]) -> String {
        guard let first = strings.first else { return "" }
        var prefix = Substring(first)
        for string in strings.dropFirst() {
            prefix = prefix.prefix(commonPrefixCount(prefix, string))
            if prefix.isEmpty { break }
        }
        return String(prefix)
    }

    /// Lays `candidates` out in columns, filled top to bottom and then left
    /// to right like `ls`, with no line wider than `width` unless a single
    /// candidate is. Returns one string per terminal line, without trailing
    /// spaces.
    public static func columns(candidates: [String], width: Int) -> [String] {
        guard let widest = candidates.map(\.count).max() else { return [] }
        let gap = 2
        let columnWidth = widest + gap
        // The last column needs no gap after it.
        let columnCount = max(1, (width + gap) / columnWidth)
        let rowCount = (candidates.count + columnCount - 1) / columnCount

        var rows: [String] = []
        for row in 0..<rowCount {
            var line = ""
            var index = row
            while index < candidates.count {
                let candidate = candidates[index]
                line += candidate
                index += rowCount
                if index < candidates.count {
                    line += String(repeating: " ", count: columnWidth - candidate.count)
                }
            }
            rows.append(line)
        }
        return rows
    }

    /// The lines printed below the prompt when completion lists candidates:
    /// at most `limit` candidates in columns, then a count of the rest, so a
    /// cluster with thousands of topics does not flood the terminal.
    static func listing(_ candidates: [String], width: Int, limit: Int = 100) -> [String] {
        guard candidates.count > limit else {
            return columns(candidates: candidates, width: width)
        }
        let shown = columns(candidates: Array(candidates.prefix(limit)), width: width)
        return shown + ["... and \(candidates.count - limit) more"]
    }

    /// What TAB does to the line.
    enum Action: Equatable {
        /// Nothing to offer.
        case beep
        /// Delete `deleteBackward` characters (Unicode scalars, libedit's
        /// unit) before the cursor, then insert `insert`.
        case edit(deleteBackward: Int, insert: String)
        /// Show these candidates below the prompt.
        case list([String])
    }

    /// Decides what TAB does when `word` is being typed and the completer
    /// offered `candidates` (full words).
    ///
    /// One candidate replaces the word and adds a space (none after a trailing ':' or '='). Several replace the
    /// word with their longest common prefix when that is longer than the
    /// word; when it is not, there is nothing to add and they are listed, so
    /// a second TAB after an extension lists them too.
    static func action(word: String, candidates: [String]) -> Action {
        var seen = Set<String>()
        let unique = candidates.filter { seen.insert($0).inserted }
        switch unique.count {
        case 0:
            return .beep
        case 1:
            // A word ending in ':' or '=' (`every:`, `linger.ms=`) waits for its value.
            let open = unique[0].hasSuffix(":") || unique[0].hasSuffix("=")
            return edit(replacing: word, with: unique[0] + (open ? "" : " "))
        default:
            let prefix = longestCommonPrefix(unique)
            if prefix.count > word.count {
                return edit(replacing: word, with: prefix)
            }
            return .list(unique)
        }
    }

    /// The smallest edit that turns `word` into `replacement`, keeping what
    /// they share so a case-sensitive prefix match only inserts the tail.
    private static func edit(replacing word: String, with replacement: String) -> Action {
        let shared = commonPrefixCount(Substring(word), replacement)
        return .edit(
            deleteBackward: word.dropFirst(shared).unicodeScalars.count,
            insert: String(replacement.dropFirst(shared))
        )
    }

    private static func commonPrefixCount(_ a: Substring, _ b: String) -> Int {
        var count = 0
        for (x, y) in zip(a, b) {
            guard x == y else { break }
            count += 1
        }
        return count
    }
}
