import Foundation
import TestSupport
import Testing

@testable import Lab

@Suite("Dispatcher and completion (no cluster)")
struct DispatcherTests {
    let shell = NoClusterShell()
    var buffer: OutputBuffer { shell.buffer }
    var session: Session { shell.session }
    var dispatcher: Dispatcher { shell.dispatcher }

    @Test func unknownCommandSuggestsTheNearest() {
        guard case .failed(let message) = dispatcher.execute("topik list", in: session) else {
            Issue.record("no failure"); return
        }
        #expect(message.contains("unknown command 'topik'"))
        #expect(message.contains("topic"))
        #expect(buffer.stderr.contains("error: unknown command 'topik'"))
    }

    @Test func missingArgumentsPrintTheUsageLine() {
        guard case .failed(let message) = dispatcher.execute("set linger.ms", in: session) else {
            Issue.record("no failure"); return
        }
        #expect(message.contains("missing <value>"))
        #expect(message.contains("usage: set "))
    }

    @Test func familyWithoutSubcommandListsThem() {
        guard case .failed(let message) = dispatcher.execute("topic", in: session) else {
            Issue.record("no failure"); return
        }
        #expect(message.contains("create"))
        guard case .failed(let m2) = dispatcher.execute("topic frobnicate", in: session) else {
            Issue.record("no failure"); return
        }
        #expect(m2.contains("unknown topic subcommand 'frobnicate'"))
    }

    @Test func badSettingLeavesTheSessionUnchanged() {
        _ = dispatcher.execute("set acks all", in: session)
        let before = session.settings
        #expect(dispatcher.execute("set acks maybe", in: session) != .succeeded)
        #expect(dispatcher.execute("set nosuch.key 1", in: session) != .succeeded)
        #expect(session.settings == before)
    }

    @Test func aScriptThatSourcesItselfStopsWithOneLine() throws {
        let path = NSTemporaryDirectory() + "kafkalab-self-\(UUID().uuidString).kl"
        try "format table\nsource \(path)\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard case .failed(let message) = dispatcher.execute("source \(path)", in: session) else {
            Issue.record("no failure"); return
        }
        #expect(message.contains("failed"))
        // Refused at the first repeat: one line for the recursion (then the outer source's own), not one per level.
        let lines = buffer.stderr.split(separator: "\n")
        #expect(lines.count == 2, "\(lines)")
        #expect(lines.last?.contains("1 command(s) failed") == true, "\(lines)")
        #expect(lines.first?.contains("is already being sourced") == true, "\(lines)")
        #expect(lines.first?.contains("a script cannot source itself") == true)
        #expect(session.sourceDepth == 0)
    }

    @Test func quitAndBlankLines() {
        #expect(dispatcher.execute("   ", in: session) == .empty)
        #expect(dispatcher.execute("# just a comment", in: session) == .empty)
        #expect(dispatcher.execute("quit", in: session) == .quit)
    }

    @Test func jsonFlagAppliesToOneCommandOnly() throws {
        #expect(dispatcher.execute("set linger.ms 7 --json", in: session) == .succeeded)
        let doc = try JSONValue.parse(String(buffer.stdout.split(separator: "\n").last!))
        #expect(doc["property"]?.stringValue == "linger.ms")
        #expect(doc["value"]?.stringValue == "7")
        #expect(session.output.format == .table)
    }

    @Test func commandsNeedingAClusterSayHowToConnect() {
        guard case .failed(let m) = dispatcher.execute("topic list", in: session) else {
            Issue.record("no failure"); return
        }
        #expect(m.contains("not connected"))
    }

    @Test func completionOfCommandsSubcommandsPropertiesAndTopics() {
        let c = Completer(dispatcher: dispatcher, topics: { ["orders", "orders-dlq", "payments"] })
        #expect(c.candidates(for: "to") == ["topic"])
        #expect(c.candidates(for: "topic ") == ["create", "delete", "describe", "list"])
        #expect(c.candidates(for: "topic de") == ["delete", "describe"])
        #expect(c.candidates(for: "topic describe or") == ["orders", "orders-dlq"])
        #expect(c.candidates(for: "use p") == ["payments"])
        #expect(c.candidates(for: "set linger") == ["linger.ms"])
        #expect(c.candidates(for: "set producer.linger").contains("producer.linger.ms"))
        #expect(c.candidates(for: "help config enable.idem") == ["enable.idempotence"])
        #expect(c.candidates(for: "consume --fo") == ["--follow"])
        #expect(c.candidates(for: "set linger.ms ").isEmpty)
        #expect(c.candidates(for: "lag ").contains("watch"))
        // explain's concept list is built on first completion, not when the shell starts.
        #expect(c.candidates(for: "explain is") == ["isr"])
    }

    /// Issue 28 item 7: `set ` offered the callbacks (`dr_cb`, `log_cb`) and its
    /// 100-name listing stopped before the common properties; `unset ` offers
    /// what is set; values complete for enum properties, `consume --from` and
    /// group names.
    @Test func completionOffersSettablePropertiesTheirValuesAndGroups() {
        let c = Completer(
            dispatcher: dispatcher, topics: { ["orders"] }, groups: { ["billing", "audit"] },
            settings: { ["linger.ms", "consumer.group.id"] })
        let all = c.candidates(for: "set ")
        for callback in ["dr_cb", "log_cb", "error_cb", "opaque", "socket_cb", "dr_msg_cb"] {
            #expect(!all.contains(callback), "\(callback) offered")
        }
        // The important ones come first, so the first 100 hold them.
        for common in ["bootstrap.servers", "group.id", "auto.offset.reset", "enable.idempotence", "acks"] {
            #expect(all.prefix(100).contains(common), "\(common) not among the first 100")
        }
        #expect(c.candidates(for: "set dr_").isEmpty)
        #expect(c.candidates(for: "unset ") == ["consumer.group.id", "linger.ms"])
        #expect(c.candidates(for: "set compression.type ") == ["none", "gzip", "snappy", "lz4", "zstd"])
        #expect(c.candidates(for: "set producer.compression.type l") == ["lz4"])
        #expect(c.candidates(for: "set auto.offset.reset ea") == ["earliest"])
        #expect(c.candidates(for: "set partition.assignment.strategy co") == ["cooperative-sticky"])
        #expect(c.candidates(for: "set enable.idempotence ") == ["true", "false"])
        #expect(c.candidates(for: "consume orders --from ") == ["beginning", "end"])
        #expect(c.candidates(for: "consume orders --group b") == ["billing"])
        #expect(c.candidates(for: "consume orders --group billing --commit ") == ["auto", "every:", "off"])
        #expect(c.candidates(for: "lag b") == ["billing"])
        #expect(c.candidates(for: "lag watch a") == ["audit"])
        #expect(c.candidates(for: "group describe ") == ["audit", "billing"])
    }

    /// Thousands of random and malformed lines: quotes, unicode, control
    /// characters, huge lines. None may crash; each ends in an outcome.
    @Test func randomLinesNeverCrashTheTokenizerOrDispatcher() {
        var rng = SeededGenerator(seed: 0x5eed)
        let alphabet: [String] = [
            "set", "topic", "produce", "--count", "--", "-", "'", "\"", "\\", "#", ";", " ", "\t",
            "é", "🙂", "\u{0}", "\u{1B}[2J", "\u{7F}", "=", "{i}", "linger.ms", "-1", "999999999999999999999",
            "create", "help", "config", "use", "unset", "format", "show", "\n", "status", "consume", "json",
        ]
        var outcomes = 0
        for i in 0..<3_000 {
            let length = Int.random(in: 0...(i % 100 == 0 ? 4_000 : 12), using: &rng)
            let line = (0..<length).map { _ in alphabet.randomElement(using: &rng)! }.joined()
            _ = try? Tokenizer.split(line)
            _ = Tokenizer.splitCommands(line)
            if line.contains("source") || line.contains("quit") { continue }
            _ = dispatcher.execute(line, in: session)
            outcomes += 1
        }
        #expect(outcomes > 2_000)
        #expect(session.connection == nil)
    }
}
