import Foundation
import Testing

@testable import Lab

@Suite("produce's message source: file lines and numbered templates, made without a String per message")
struct ProduceSourceTests {
    private func messages(_ source: inout ProduceSource) throws -> [(key: String?, value: String)] {
        try (0..<source.count).map { i in
            try #require(
                try source.withMessage(i) { key, value in
                    (key.map { String(decoding: $0, as: UTF8.self) }, String(decoding: value, as: UTF8.self))
                })
        }
    }

    @Test func fileLinesSplitAtLFWithOptionalTabKeys() throws {
        let path = NSTemporaryDirectory() + "kafkalab-source-\(UUID().uuidString).txt"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("a\tfirst\n\nsecond\r\nb\t\nc\td\te\r\n\r\nlast é".utf8).write(to: URL(fileURLWithPath: path))
        var source = try #require(ProduceSource(file: path))
        let got = try messages(&source)
        #expect(got.map(\.key) == ["a", nil, "b", "c", nil])
        #expect(got.map(\.value) == ["first", "second", "", "d\te", "last é"])
    }

    @Test func linesAcrossChunkBoundariesComeWholeWhateverTheChunkSize() throws {
        let path = NSTemporaryDirectory() + "kafkalab-source-\(UUID().uuidString).txt"
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Lines shorter and longer than the chunk, a CR and an LF each at a boundary, a two-byte
        // character split across one, and a last line without LF.
        let long = String(repeating: "x", count: 100)
        let text = "k1\tv1\r\n\n\(long)\nkey\t\(long)é\r\nshort\n\r\n\nlé\tend"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        for chunk in [16, 17, 23, 64, 1 << 20] {
            var source = try #require(ProduceSource(file: path, chunkBytes: chunk))
            #expect(source.count == 5, "chunk \(chunk)")
            let got = try messages(&source)
            #expect(got.map(\.key) == ["k1", nil, "key", nil, "lé"], "chunk \(chunk)")
            #expect(got.map(\.value) == ["v1", long, long + "é", "short", "end"], "chunk \(chunk)")
            #expect(try source.withMessage(5) { _, _ in true } == nil, "chunk \(chunk): no sixth line")
        }
    }

    @Test func unreadableOrNotUTF8IsRefused() throws {
        #expect(ProduceSource(file: "/nonexistent/file") == nil)
        let path = NSTemporaryDirectory() + "kafkalab-source-\(UUID().uuidString).bin"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data([0x61, 0xFF, 0x0A]).write(to: URL(fileURLWithPath: path))
        #expect(ProduceSource(file: path) == nil)
        // An invalid byte far past the first chunk is found before any line is lent.
        try Data(Array(repeating: 0x61, count: 100) + [0x0A, 0xC3, 0x0A]).write(to: URL(fileURLWithPath: path))
        #expect(ProduceSource(file: path, chunkBytes: 16) == nil)
    }

    @Test func templatesNumberEveryPlaceholderAsSubstituteDoes() throws {
        var source = ProduceSource(key: "k{i}", value: "v {i} of {i}!", count: 12)
        let got = try messages(&source)
        #expect(got.count == 12)
        for (i, m) in got.enumerated() {
            #expect(m.key == DataCommands.substitute("k{i}", i))
            #expect(m.value == DataCommands.substitute("v {i} of {i}!", i))
        }
        // Numbers of every length, written into the same buffer one after the other.
        for i in [1_234_567, 5, 99, 100, 2_000_000_000_000, 7, Int.max, Int.min, -42] {
            let (key, value) = try #require(
                try source.withMessage(i) { k, v in
                    (k.map { String(decoding: $0, as: UTF8.self) }, String(decoding: v, as: UTF8.self))
                })
            #expect(key == DataCommands.substitute("k{i}", i))
            #expect(value == DataCommands.substitute("v {i} of {i}!", i))
        }
        var bare = ProduceSource(key: "{i}", value: "", count: 1)
        #expect(try messages(&bare).map(\.key) == ["0"])
        #expect(try messages(&bare).map(\.value) == [""])
        var plain = ProduceSource(key: nil, value: "same", count: 2)
        #expect(try messages(&plain).map(\.value) == ["same", "same"])
        #expect(try messages(&plain).map(\.key) == [nil, nil])
    }
}
