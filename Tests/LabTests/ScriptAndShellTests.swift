import Foundation
import Testing

@testable import Lab

/// Scripts, `;`, JSON runs and help, with no cluster: one separator rule for
/// the prompt and scripts, CRLF scripts, stdout that holds only JSON in JSON
/// mode, `help quit` and `help config` alone.
@Suite("Scripts, separators and JSON runs (no cluster)")
struct ScriptAndShellTests {
    let shell = NoClusterShell()
    var buffer: OutputBuffer { shell.buffer }
    var session: Session { shell.session }
    var dispatcher: Dispatcher { shell.dispatcher }

    @Test func semicolonSeparatesCommandsAtThePromptAndStopsAtTheFirstFailure() {
        #expect(dispatcher.execute("format json; format table", in: session) == .succeeded)
        #expect(session.output.format == .table)
        #expect(buffer.stdout.contains(#"{"format":"json"}"#), "the first command ran")
        guard case .failed(let message) = dispatcher.execute("nosuch; format json", in: session) else {
            Issue.record("no failure"); return
        }
        #expect(message.contains("unknown command 'nosuch'"))
        #expect(session.output.format == .table, "the command after the failure never ran")
        // A quoted `;` is part of the word.
        guard case .failed(let quoted) = dispatcher.execute("format 'json;table'", in: session) else {
            Issue.record("no failure"); return
        }
        #expect(quoted.contains("unknown format 'json;table'"))
    }

    @Test func crlfScriptsAndSemicolonsInFilesRunEveryCommand() {
        let runner = ScriptRunner(dispatcher: dispatcher, source: "s.kl")
        let result = runner.run(text: "help quit\r\nformat json; format table\r\n# done; format json\r\n", in: session)
        #expect(result.succeeded, "\(result.failures)")
        #expect(result.executed == 3)
        #expect(session.output.format == .table)
        #expect(
            buffer.stdout.contains("kafkalab [offline]> help quit\n"), "echoed one command per line: \(buffer.stdout)")
        // While the session prints JSON, the echo goes to stderr.
        #expect(buffer.stderr.contains("kafkalab [offline]> format table\n"))
        let failed = runner.run(text: "help quit\r\nnosuch\r\n", in: session)
        #expect(failed.failures == ["s.kl:2: unknown command 'nosuch'; `help` lists the commands"])
    }

    @Test func sourceRunsACRLFScriptLineByLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("src-\(UUID().uuidString).kl").path
        try "format json\r\nformat table; help quit\r\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(dispatcher.execute("source \(path)", in: session) == .succeeded, "\(buffer.stderr)")
        #expect(session.output.format == .table)
        #expect(buffer.stdout.contains("quit: leave kafkalab"))
    }

    @Test func aJSONCommandInAScriptEchoesToStderrSoStdoutStaysJSON() throws {
        let runner = ScriptRunner(dispatcher: dispatcher, source: "-c")
        let result = runner.run(text: "help quit --json; help config --json", in: session)
        #expect(result.succeeded, "\(result.failures)")
        let lines = buffer.stdout.split(separator: "\n")
        #expect(lines.count == 2, "\(buffer.stdout)")
        for line in lines { _ = try JSONValue.parse(String(line)) }
        #expect(buffer.stderr.contains("kafkalab [offline]> help quit --json"))
    }

    @Test func jsonModeSendsNotesAndWarningsToStderr() throws {
        let out = Output.capturing(format: .json, into: buffer)
        out.beginCommand()
        out.line("a note for a person")
        out.warning("careful")
        out.setResult(.object([("topic", "t")]))
        out.endCommand()
        #expect(buffer.stdout == "{\"topic\":\"t\"}\n")
        #expect(buffer.stderr == "a note for a person\nwarning: careful\n")
        // Only prose: a document that says it succeeded, with no `messages` array.
        out.beginCommand()
        out.line("only prose")
        out.endCommand()
        #expect(buffer.stdout.hasSuffix("{\"ok\":true}\n"))
    }

    @Test func formatTableIsRefusedInARunStartedWithJSON() {
        session.output.format = .json
        session.output.formatLocked = true
        guard case .failed(let message) = dispatcher.execute("format table", in: session) else {
            Issue.record("no failure"); return
        }
        #expect(message.contains("started with --json"))
        #expect(session.output.format == .json)
        #expect(buffer.stdout.isEmpty)
    }

    @Test func helpQuitAndHelpConfigAloneAnswer() throws {
        #expect(dispatcher.execute("help quit", in: session) == .succeeded)
        #expect(buffer.stdout.contains("quit: leave kafkalab"))
        #expect(dispatcher.execute("help exit", in: session) == .succeeded)
        #expect(dispatcher.execute("help config", in: session) == .succeeded)
        #expect(buffer.stdout.contains("linger.ms"))
        #expect(buffer.stdout.contains("`help config <property>` describes any of librdkafka's"))
        let before = buffer.stdout.count
        #expect(dispatcher.execute("help config --json", in: session) == .succeeded)
        let doc = try JSONValue.parse(String(buffer.stdout.dropFirst(before)).trimmingCharacters(in: .newlines))
        let rows = doc["rows"]?.arrayValue ?? []
        #expect(rows.contains { $0["property"] == "linger.ms" && $0["default"] == "5" })
    }
}
