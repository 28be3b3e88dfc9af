import Testing

@testable import Lab

/// `JavaProperties` against what `java.util.Properties.load` reads from the same
/// text (each expectation is Java's documented behaviour; the comments say which rule).
@Suite("Java properties reader")
struct JavaPropertiesTests {
    func read(_ text: String) throws -> [String: String] { try JavaProperties.dictionary(text) }

    @Test func separatorsAreEqualsColonOrWhitespace() throws {
        let p = try read("a=1\nb:2\nc 3\nd\t4\ne = 5\nf : 6\ng   =   7\n")
        #expect(p == ["a": "1", "b": "2", "c": "3", "d": "4", "e": "5", "f": "6", "g": "7"])
    }

    @Test func onlyTheFirstSeparatorCountsAndTrailingWhitespaceStays() throws {
        // "key = =v": after the key, whitespace and ONE '=' or ':' are skipped.
        let p = try read("k1 = =v\nk2=a=b:c\nk3=value with spaces  \nk4 :: x")
        #expect(p["k1"] == "=v")
        #expect(p["k2"] == "a=b:c")
        #expect(p["k3"] == "value with spaces  ")
        #expect(p["k4"] == ": x")
    }

    @Test func commentsAndBlankLines() throws {
        let p = try read("# comment=1\n! also a comment\n   # indented comment\n\n   \nkey=v # not a comment\n")
        #expect(p == ["key": "v # not a comment"])
    }

    @Test func keyWithoutValueIsEmpty() throws {
        #expect(try read("lonely\nother=") == ["lonely": "", "other": ""])
    }

    @Test func continuationLinesJoinAndDropLeadingWhitespace() throws {
        let p = try read("fruits  apple, banana, \\\n        pear, \\\n   cherry\nnext=1")
        #expect(p["fruits"] == "apple, banana, pear, cherry")
        #expect(p["next"] == "1")
    }

    @Test func evenBackslashesDoNotContinue() throws {
        let p = try read("path=C:\\\\dir\\\\\nnext=2")
        #expect(p["path"] == "C:\\dir\\")
        #expect(p["next"] == "2")
    }

    @Test func aContinuedLineStartingWithHashIsNotAComment() throws {
        #expect(try read("k=a\\\n#b") == ["k": "a#b"])
    }

    @Test func aCommentLineEndingInBackslashDoesNotContinue() throws {
        #expect(try read("# comment \\\nk=v") == ["k": "v"])
    }

    @Test func continuationAtEndOfTextKeepsWhatWasRead() throws {
        #expect(try read("k=abc\\") == ["k": "abc"])
        #expect(try read("k=abc\\\n") == ["k": "abc"])
    }

    @Test func carriageReturnLineEndings() throws {
        #expect(try read("a=1\r\nb=2\rc=3\\\r\n  4") == ["a": "1", "b": "2", "c": "34"])
    }

    @Test func escapes() throws {
        let p = try read(#"tabs=a\tb\nc\rd\fe"# + "\n" + #"plain=\q\z\b"# + "\n" + #"my\ key\=\:x = v\=1"#)
        #expect(p["tabs"] == "a\tb\nc\rd\u{0C}e")
        #expect(p["plain"] == "qzb")  // any other escaped character is itself (\b is 'b', not backspace)
        #expect(p["my key=:x"] == "v=1")
    }

    @Test func unicodeEscapesIncludingSurrogatePairs() throws {
        let p = try read(#"greek=\u03b1\u03B2"# + "\n" + #"emoji=\uD83D\uDE00"# + "\nutf8=ünïcode")
        #expect(p["greek"] == "αβ")
        #expect(p["emoji"] == "😀")
        #expect(p["utf8"] == "ünïcode")
    }

    @Test func malformedUnicodeEscapeIsAnErrorNamingTheLine() throws {
        #expect(throws: JavaProperties.Malformed.self) { try read("a=1\nb=\\u12") }
        do {
            _ = try read("a=1\n\nb=\\u12G4")
        } catch let e as JavaProperties.Malformed {
            #expect(e.line == 3)
        }
    }

    @Test func laterKeysWinAndLinesAreNumberedFromTheLogicalLineStart() throws {
        let entries = try JavaProperties.parse("# head\na=1\nb=x\\\n  y\na=2\n")
        #expect(entries.map(\.key) == ["a", "b", "a"])
        #expect(entries.map(\.line) == [2, 3, 5])
        #expect(try read("a=1\na=2") == ["a": "2"])
    }
}
