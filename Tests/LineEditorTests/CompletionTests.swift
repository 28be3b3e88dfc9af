import Testing

@testable import LineEditor

@Suite struct CompletionTests {
    @Test(arguments: [
        ("produce ord", "ord"),
        ("produce ", ""),
        ("", ""),
        ("topics", "topics"),
        ("set\tsasl", "sasl"),
    ])
    func currentWord(text: String, word: String) {
        #expect(Completion.currentWord(in: text) == word)
    }

    @Test func longestCommonPrefix() {
        #expect(Completion.longestCommonPrefix([]) == "")
        #expect(Completion.longestCommonPrefix(["orders"]) == "orders")
        #expect(Completion.longestCommonPrefix(["topic", "topics", "topic-create"]) == "topic")
        #expect(Completion.longestCommonPrefix(["orders", "payments"]) == "")
        #expect(Completion.longestCommonPrefix(["topics", "topic"]) == "topic")
        #expect(Completion.longestCommonPrefix(["ünïcode", "ünö"]) == "ün")
    }

    @Test func columnsFillTopToBottomThenLeftToRight() {
        let rows = Completion.columns(candidates: ["a", "bb", "ccc", "d", "e"], width: 12)
        #expect(rows == ["a    d", "bb   e", "ccc"])
    }

    @Test func columnsFallBackToOnePerLine() {
        #expect(Completion.columns(candidates: ["orders", "payments"], width: 10) == ["orders", "payments"])
        #expect(Completion.columns(candidates: ["a-very-long-topic-name"], width: 5) == ["a-very-long-topic-name"])
        #expect(Completion.columns(candidates: [], width: 80).isEmpty)
    }

    @Test(arguments: [1, 7, 20, 40, 80, 200])
    func columnsNeverExceedWidth(width: Int) {
        let candidates = (0..<53).map { "topic-\(String(repeating: "x", count: $0 % 9))-\($0)" }
        let rows = Completion.columns(candidates: candidates, width: width)
        let widest = candidates.map(\.count).max()!
        for row in rows {
            #expect(row.count <= max(width, widest))
            #expect(row.last != " ")
        }
        // Every candidate shown exactly once.
        let shown = rows.flatMap { $0.split(separator: " ").map(String.init) }
        #expect(shown.sorted() == candidates.sorted())
    }

    @Test func listingLimitsCandidates() {
        let candidates = (1...250).map { "t\($0)" }
        let lines = Completion.listing(candidates, width: 80, limit: 100)
        #expect(lines.last == "... and 150 more")
        let shown = lines.dropLast().flatMap { $0.split(separator: " ") }
        #expect(shown.count == 100)
        #expect(Completion.listing(["a", "b"], width: 80, limit: 100) == ["a  b"])
    }

    @Test func noCandidatesBeeps() {
        #expect(Completion.action(word: "xyz", candidates: []) == .beep)
    }

    @Test func singleCandidateCompletesAndAddsSpace() {
        #expect(Completion.action(word: "pro", candidates: ["produce"]) == .edit(deleteBackward: 0, insert: "duce "))
        #expect(Completion.action(word: "", candidates: ["produce"]) == .edit(deleteBackward: 0, insert: "produce "))
        #expect(Completion.action(word: "quit", candidates: ["quit"]) == .edit(deleteBackward: 0, insert: " "))
        // A value still to come: no space after the ':' of `every:`.
        #expect(Completion.action(word: "ev", candidates: ["every:"]) == .edit(deleteBackward: 0, insert: "ery:"))
        // Duplicates count once.
        #expect(Completion.action(word: "q", candidates: ["quit", "quit"]) == .edit(deleteBackward: 0, insert: "uit "))
    }

    @Test func singleCandidateReplacesDifferentlySpelledWord() {
        #expect(Completion.action(word: "TOP", candidates: ["topics"]) == .edit(deleteBackward: 3, insert: "topics "))
        // Deletion is counted in Unicode scalars, libedit's unit: "b̈" is two.
        #expect(Completion.action(word: "ab\u{308}", candidates: ["xyz"]) == .edit(deleteBackward: 3, insert: "xyz "))
    }

    @Test func severalCandidatesInsertCommonPrefix() {
        #expect(
            Completion.action(word: "top", candidates: ["topics", "topic-create", "topic-delete"])
                == .edit(deleteBackward: 0, insert: "ic"))
        #expect(
            Completion.action(word: "ord", candidates: ["orders", "orders-dlq"])
                == .edit(deleteBackward: 0, insert: "ers"))
    }

    @Test func severalCandidatesWithNothingToAddAreListed() {
        // What the second TAB sees after the common prefix was inserted.
        #expect(
            Completion.action(word: "topic", candidates: ["topics", "topic-create"])
                == .list(["topics", "topic-create"]))
        #expect(
            Completion.action(word: "", candidates: ["produce", "consume", "produce"])
                == .list(["produce", "consume"]))
    }
}
