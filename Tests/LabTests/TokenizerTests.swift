import Testing

@testable import Lab

@Suite("Tokenizer")
struct TokenizerTests {
    @Test func splitsOnWhitespaceAndKeepsQuotedText() throws {
        #expect(try Tokenizer.split("produce --key k 'hello world'") == ["produce", "--key", "k", "hello world"])
        #expect(try Tokenizer.split("  set   linger.ms\t50  ") == ["set", "linger.ms", "50"])
        #expect(try Tokenizer.split(#"produce "say \"hi\" \\ now""#) == ["produce", #"say "hi" \ now"#])
        #expect(try Tokenizer.split(#"produce a\ b"#) == ["produce", "a b"])
        #expect(try Tokenizer.split("produce ''") == ["produce", ""])
        #expect(try Tokenizer.split("x'a b'y") == ["xa by"])
    }

    @Test func commentsStartOnlyAtAWordBoundary() throws {
        #expect(try Tokenizer.split("topic list # all of them") == ["topic", "list"])
        #expect(try Tokenizer.split("produce a#b") == ["produce", "a#b"])
        #expect(try Tokenizer.split("produce '#not a comment'") == ["produce", "#not a comment"])
        #expect(try Tokenizer.split("# only a comment").isEmpty)
    }

    @Test func unterminatedQuotesAndTrailingBackslashAreErrors() {
        #expect(throws: Tokenizer.Failure.self) { try Tokenizer.split("produce 'open") }
        #expect(throws: Tokenizer.Failure.self) { try Tokenizer.split("produce \"open") }
        #expect(throws: Tokenizer.Failure.self) { try Tokenizer.split("produce x\\") }
    }

    @Test func semicolonsSplitCommandsOutsideQuotes() {
        #expect(Tokenizer.splitCommands("topic list; status ;; use 'a;b'") == ["topic list", "status", "use 'a;b'"])
        #expect(Tokenizer.splitCommands(#"produce "x;y"; quit"#) == [#"produce "x;y""#, "quit"])
        #expect(Tokenizer.splitCommands("  ").isEmpty)
    }

    @Test func oneSeparatorRuleEscapesCommentsAndLineBreaks() throws {
        // A backslash keeps a `;` literal; a `;` inside a comment does not start a command.
        #expect(Tokenizer.splitCommands(#"produce a\;b; status"#) == [#"produce a\;b"#, "status"])
        #expect(Tokenizer.splitCommands("produce x # send it; then status") == ["produce x # send it; then status"])
        #expect(Tokenizer.splitCommands("# only a comment; status").isEmpty)
        #expect(Tokenizer.splitCommands("status\ntopic list;use t") == ["status", "topic list", "use t"])
        #expect(try Tokenizer.split(Tokenizer.splitCommands(#"produce a\;b; status"#)[0]) == ["produce", "a;b"])
    }

    @Test func scriptLinesEndInLFOrCRLF() {
        #expect(Tokenizer.lines("topic list\r\nstatus\r\n") == ["topic list", "status", ""])
        // Only LF and CRLF end a line, as in an editor (issue 28 item 5): `FILE:N:` must name the line it shows.
        #expect(Tokenizer.lines("a\nb\rc") == ["a", "b\rc"])
        #expect(
            Tokenizer.lines("a\u{0C}b\u{0B}c\u{85}d\u{2028}e\u{2029}f\nnext") == [
                "a\u{0C}b\u{0B}c\u{85}d\u{2028}e\u{2029}f", "next",
            ])
        #expect(Tokenizer.lines("é\r\n日本\n") == ["é", "日本", ""])
        #expect(Tokenizer.lines("one") == ["one"])
    }
}

@Suite("Arguments")
struct ArgumentsTests {
    @Test func parsesDeclaredFlagsAndOptions() throws {
        let a = try Arguments(
            ["t", "--count", "5", "--lagging", "--header=a=b", "--header", "c=d"],
            flags: ["--lagging"], options: ["--count", "--header"], usage: "u")
        #expect(a.positionals == ["t"])
        #expect(a.has("--lagging"))
        #expect(try a.int("--count", default: 1, range: 1...10) == 5)
        #expect(a.values("--header") == ["a=b", "c=d"])
    }

    @Test func refusesUndeclaredOptionsAndMissingValues() {
        #expect(throws: LabError.self) { try Arguments(["--nope"], usage: "u") }
        #expect(throws: LabError.self) { try Arguments(["--count"], options: ["--count"], usage: "u") }
        #expect(throws: LabError.self) { try Arguments(["--flag=1"], flags: ["--flag"], usage: "u") }
    }

    /// `bench --csv --` wrote a CSV named `--` (issue 25 item 6): a value is never an option.
    @Test func refusesAnOptionAsAnotherOptionsValue() throws {
        for words in [["--csv", "--"], ["--csv", "--json"], ["--count", "--csv", "x"]] {
            do {
                _ = try Arguments(words, options: ["--csv", "--count"], usage: "u")
                Issue.record("\(words) accepted")
            } catch let e as LabError {
                #expect(e.description.contains("\(words[0]) needs a value, not '\(words[1])'"), "\(e)")
            }
        }
        // Spelled with `=`, the value is meant; one dash is a value (a negative number).
        let a = try Arguments(["--csv=--x", "--count", "-1"], options: ["--csv", "--count"], usage: "u")
        #expect(a.value("--csv") == "--x" && a.value("--count") == "-1")
    }

    @Test func numbersAndDurationsAreCheckedAgainstTheirRange() throws {
        let a = try Arguments(
            ["--count", "10k", "--interval", "50ms", "--bad", "x"], options: ["--count", "--interval", "--bad"],
            usage: "u")
        #expect(try a.int("--count", default: 1, range: 1...100_000) == 10_000)
        #expect(throws: LabError.self) { try a.int("--count", default: 1, range: 1...100) }
        #expect(throws: LabError.self) { try a.int("--bad", default: 1, range: 1...100) }
        #expect(throws: LabError.self) { try a.seconds("--interval", default: 1, minimum: 0.1) }
        #expect(Arguments.parseDuration("2s") == 2)
        #expect(Arguments.parseDuration("1m") == 60)
        #expect(Arguments.parseDuration("250ms") == 0.25)
        #expect(Arguments.parseDuration("-1s") == nil)
        #expect(Arguments.parseDuration("soon") == nil)
    }
}

@Suite("Output wrapping")
struct OutputWrapTests {
    @Test func wrapsAtWordBoundariesWithinTheWidth() {
        let text = "The high watermark is the offset up to which every ISR member has copied the log."
        let wrapped = Output.wrap(text, width: 20)
        #expect(wrapped.split(separator: "\n").allSatisfy { $0.count <= 20 })
        #expect(wrapped.replacingOccurrences(of: "\n", with: " ") == text)
        #expect(Output.wrap("averyveryverylongword x", width: 5) == "averyveryverylongword\nx")
    }
}
