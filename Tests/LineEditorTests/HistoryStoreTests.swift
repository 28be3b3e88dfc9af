import Foundation
import Testing

@testable import LineEditor

/// Each test gets a fresh directory, removed afterwards.
@Suite final class HistoryStoreTests {
    let directory: String
    var path: String { directory + "/history" }

    init() throws {
        directory = NSTemporaryDirectory() + "historystore-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func mode(of file: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        return (attributes[.posixPermissions] as! NSNumber).intValue & 0o777
    }

    private func fileLines() throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
            .dropLast()  // text after the final newline
            .map(String.init)
    }

    private func store(maxLines: Int = 1000) -> HistoryStore {
        HistoryStore(path: path, maxLines: maxLines, shouldSave: { !$0.hasPrefix("set sasl.password") })
    }

    @Test func createsMissingFileWithMode0600() throws {
        let history = store()
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(try mode(of: path) == 0o600)
        #expect(history.lines.isEmpty)
        #expect(history.lastError == nil)
    }

    @Test func tightensLooseModeOnLoad() throws {
        try "a\nb\n".write(toFile: path, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        let history = store()
        #expect(try mode(of: path) == 0o600)
        #expect(history.lines == ["a", "b"])
    }

    @Test func savedFileKeepsMode0600() throws {
        let history = store()
        history.add("topics")
        #expect(try mode(of: path) == 0o600)
        #expect(try fileLines() == ["topics"])
    }

    @Test func dropsConsecutiveDuplicatesOnly() throws {
        let history = store()
        #expect(history.add("a"))
        #expect(!history.add("a"))
        #expect(history.add("b"))
        #expect(history.add("a"))
        #expect(history.lines == ["a", "b", "a"])
        #expect(try fileLines() == ["a", "b", "a"])
    }

    @Test func dropsBlankLinesAndLineBreaks() throws {
        let history = store()
        #expect(!history.add(""))
        #expect(!history.add("   "))
        #expect(!history.add("\t \t"))
        #expect(!history.add("produce\norders"))
        #expect(history.lines.isEmpty)
        #expect(try fileLines().isEmpty)
    }

    @Test func filterKeepsSecretsOutOfMemoryAndFile() throws {
        let history = store()
        history.add("connect localhost:9092")
        #expect(!history.add("set sasl.password hunter2"))
        history.add("topics")
        #expect(history.lines == ["connect localhost:9092", "topics"])
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains("hunter2"))
    }

    @Test func capsNumberOfLines() throws {
        let history = store(maxLines: 3)
        for i in 1...5 { history.add("line \(i)") }
        #expect(history.lines == ["line 3", "line 4", "line 5"])
        #expect(try fileLines() == ["line 3", "line 4", "line 5"])
    }

    @Test func reloadRoundTrip() throws {
        let lines = [
            "connect localhost:9092", "produce orders key=1 {\"a\": 1}", "consume ünïcode-topic", "  leading space",
        ]
        let first = store()
        for line in lines { first.add(line) }
        let second = store()
        #expect(second.lines == lines)
        #expect(second.lastError == nil)
    }

    @Test func loadAppliesRulesAndRewritesFile() throws {
        let text = "a\na\n\n   \nset sasl.password x\nb\nc\nd\n"
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        let history = store(maxLines: 3)
        #expect(history.lines == ["b", "c", "d"])
        #expect(try fileLines() == ["b", "c", "d"])
    }

    @Test func loadAcceptsCRLF() throws {
        try "a\r\nb\r\n".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(store().lines == ["a", "b"])
    }

    @Test func savingThroughSymlinkUpdatesTarget() throws {
        let target = directory + "/real-history"
        try "old\n".write(toFile: target, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
        let history = store()
        history.add("new")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: path) == target)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "old\nnew\n")
    }

    @Test func unwritableLocationIsReportedButMemoryHistoryWorks() throws {
        let history = HistoryStore(path: directory + "/missing-dir/history", shouldSave: { _ in true })
        #expect(history.lastError?.operation == "create")
        #expect(history.add("topics"))
        #expect(history.lines == ["topics"])
        #expect(history.lastError != nil)
    }

    @Test func nilPathKeepsHistoryInMemoryOnly() throws {
        let history = HistoryStore(path: nil, maxLines: 2, shouldSave: { $0 != "secret" })
        history.add("a")
        history.add("secret")
        history.add("b")
        history.add("c")
        #expect(history.lines == ["b", "c"])
        #expect(history.lastError == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }
}
