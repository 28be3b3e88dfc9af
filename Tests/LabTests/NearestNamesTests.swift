import Testing

@testable import Lab

@Suite struct NearestNamesTests {
    private let commands = [
        "topics", "topic", "produce", "consume", "describe", "groups", "lag", "isr", "bench", "stop",
    ]

    @Test func typoFindsTheIntendedName() {
        #expect(NearestNames.suggest("prodcue", from: commands) == ["produce"])
        #expect(NearestNames.suggest("grops", from: commands) == ["groups"])
    }

    @Test func caseIsIgnoredButCandidatesKeepTheirSpelling() {
        #expect(NearestNames.suggest("DESCRIBE", from: commands) == ["describe"])
        #expect(NearestNames.suggest("lagg", from: ["Lag", "log"]) == ["Lag", "log"])
    }

    @Test func prefixMatchesComeFirstShortestFirst() {
        #expect(NearestNames.suggest("top", from: ["stop", "topics", "topic"]) == ["topic", "topics", "stop"])
    }

    @Test func prefixMatchesNeedNotBeWithinTheEditLimit() {
        #expect(NearestNames.suggest("con", from: ["consumer-groups"]) == ["consumer-groups"])
    }

    @Test func distantNamesAreNotSuggested() {
        #expect(NearestNames.suggest("xyzzy", from: commands).isEmpty)
        #expect(NearestNames.suggest("produce", from: ["consume"]).isEmpty)
    }

    @Test func allowedDistanceGrowsWithWordLength() {
        // Nine letters allow three edits.
        #expect(NearestNames.suggest("abcdefghi", from: ["abcdefxyz"]) == ["abcdefxyz"])
        #expect(NearestNames.suggest("abcdefghi", from: ["abcdewxyz"]).isEmpty)
        // Short words still allow two.
        #expect(NearestNames.suggest("lgs", from: ["lag"]) == ["lag"])
        #expect(NearestNames.suggest("lgs", from: ["log", "lags"]) == ["lags", "log"])
    }

    @Test func aSuggestionMustShareSomethingWithAShortWord() {
        #expect(NearestNames.suggest("ls", from: ["go", "la"]) == ["la"])
    }

    @Test func closerNamesRankFirstThenAlphabetical() {
        #expect(NearestNames.suggest("lsr", from: ["isr", "lag", "lar"]) == ["isr", "lar", "lag"])
    }

    @Test func limitAndDuplicatesAreRespected() {
        let many = ["topic-a", "topic-b", "topic-c", "topic-d", "topic-a"]
        #expect(NearestNames.suggest("topic", from: many) == ["topic-a", "topic-b", "topic-c"])
        #expect(NearestNames.suggest("topic", from: many, limit: 1) == ["topic-a"])
        #expect(NearestNames.suggest("topic", from: many, limit: 0).isEmpty)
    }

    @Test func emptyWordSuggestsNothing() {
        #expect(NearestNames.suggest("", from: commands).isEmpty)
    }

    @Test func transpositionCountsAsOneEdit() {
        #expect(NearestNames.editDistance(Array("ab"), Array("ba")) == 1)
        #expect(NearestNames.editDistance(Array("kitten"), Array("sitting")) == 3)
        #expect(NearestNames.editDistance(Array(""), Array("abc")) == 3)
        #expect(NearestNames.editDistance(Array("same"), Array("same")) == 0)
    }
}
