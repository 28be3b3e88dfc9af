/// "Did you mean …?" suggestions for mistyped commands, topics, groups and config keys.
public enum NearestNames {
    /// Up to `limit` candidates close to `word`, best first.
    ///
    /// Matching ignores case. A candidate that starts with `word` is offered first (the
    /// user probably stopped typing early), shortest first. Other candidates must be
    /// within `max(2, word.count / 3)` edits (insert, delete, substitute, or swap two
    /// neighbours — a transposition is the commonest typo) and must keep at least one
    /// character of `word`, so that "ls" does not suggest "go". Ties go to the smaller
    /// distance, then alphabetical order; duplicates are dropped.
    public static func suggest(_ word: String, from candidates: [String], limit: Int = 3) -> [String] {
        let typed = Array(word.lowercased())
        guard !typed.isEmpty, limit > 0 else { return [] }
        let allowed = max(2, typed.count / 3)

        var seen = Set<String>()
        var ranked: [(candidate: String, isPrefix: Bool, distance: Int)] = []
        for candidate in candidates where seen.insert(candidate).inserted {
            let lowered = Array(candidate.lowercased())
            let distance = editDistance(typed, lowered)
            let isPrefix = lowered.starts(with: typed)
            if isPrefix || (distance <= allowed && distance < typed.count) {
                ranked.append((candidate, isPrefix, distance))
            }
        }
        ranked.sort { a, b in
            if a.isPrefix != b.isPrefix { return a.isPrefix }
            if a.distance != b.distance { return a.distance < b.distance }
            return a.candidate < b.candidate
        }
        return ranked.prefix(limit).map(\.candidate)
    }

    /// Optimal-string-alignment distance: Levenshtein plus adjacent transposition,
    /// each counted as one edit.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        // Three rolling rows suffice: a transposition looks back two rows.
        var beforePrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + substitution)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], beforePrevious[j - 2] + 1)
                }
            }
            (beforePrevious, previous, current) = (previous, current, beforePrevious)
        }
        return previous[b.count]
    }
}
