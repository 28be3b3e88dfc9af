import Foundation
import Testing

@testable import Lab

@Suite("produce's message source: file lines and numbered templates, made without a String per message")
struct ProduceSourceTests {
    private func messages(_ source: inout ProduceSource) -> [(key: String?, value: String)] {
        (0..<source.count).map { i in
            source.withMessage(i) { key, value in
                (key.map { String(decoding: $0, as: UTF8.self) }, String(decoding: value, as: UTF8.self))
            }
        }
    }

    @Test func fileLinesSplitAtLFWithOptionalTabKeys() throws {
        let path = NSTemporaryDirectory() + "kafkalab-source-\(UUID().uuidString).txt"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("a\tfirst\n\nsecond\r\nb\t\nc\td\te\r\n\r\nlast é".utf8).write(to: URL(fileURLWithPath: path))
        var source = try #require(ProduceSource(file: path))
        let got = messages(&source)
        #expect(got.map(\.key) == ["a", nil, "b", "c", nil])
        #expect(got.map(\.value) == ["first", "second", "", "d\te", "last é"])
    }

    @Test func unreadableOrNotUTF8IsRefused() throws {
        #expect(ProduceSource(file: "/nonexistent/file") == nil)
        let path = NSTemporaryDirectory() + "kafkalab-source-\(UUID().uuidString).bin"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data([0x61, 0xFF, 0x0A]).write(to: URL(fileURLWithPath: path))
        #expect(ProduceSource(file: path) == nil)
    }

    @Test func templatesNumberEveryPlaceholderAsSubstituteDoes() {
        var source = ProduceSource(key: "k{i}", value: "v {i} of {i}!", count: 12)
        let got = messages(&source)
        #expect(got.count == 12)
        for (i, m) in got.enumerated() {
            #expect(m.key == DataCommands.substitute("k{i}", i))
            #expect(m.value == DataCommands.substitute("v {i} of {i}!", i))
        }
        var plain = ProduceSource(key: nil, value: "same", count: 2)
        #expect(messages(&plain).map(\.value) == ["same", "same"])
        #expect(messages(&plain).map(\.key) == [nil, nil])
    }
}
