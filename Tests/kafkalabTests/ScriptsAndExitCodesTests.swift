import Foundation
import Lab
import Testing

/// The binary driven the way scripts and CI drive it: flags and exit codes,
/// CRLF files, stdout that holds only JSON in a JSON run, stdin read and run
/// line by line (a co-process), Ctrl-C exiting 130.
@Suite("Scripts, JSON runs and exit codes of the binary")
struct ScriptsAndExitCodesTests {
    @Test func helpListsTheShellFlags() throws {
        let r = try KafkalabBinary.run(["--help"], timeout: 20)
        #expect(r.status == 0)
        for flag in ["-c, --command", "-f, --file", "--json", "--embedded", "--keep-going", "--bootstrap"] {
            #expect(r.stdout.contains(flag), "--help does not show \(flag)")
        }
    }

    @Test func commandWithFileIsRefusedInOneLineBeforeAnyCluster() throws {
        let r = try KafkalabBinary.run(["--embedded", "-c", "status", "-f", "/tmp/x.kl"], timeout: 20)
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stderr.contains("-c and -f exclude each other"))
    }

    @Test func aMissingFileFailsBeforeAClusterStarts() throws {
        let r = try KafkalabBinary.run(["--embedded", "-f", "/nonexistent/script.kl"], timeout: 20)
        #expect(r.status == 2)
        #expect(r.stderr == "error: cannot read /nonexistent/script.kl: no such file or not UTF-8 text\n")
    }

    @Test func aCRLFFileRunsEveryLineAndSemicolonsSplitCommands() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("crlf-\(UUID().uuidString).kl").path
        try
            "topic create crlf --partitions 2\r\nuse crlf; produce one\r\n# a comment; not a command\r\nconsume --count 1\r\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try KafkalabBinary.run(["--embedded", "-f", path], timeout: 60)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("created crlf: 2 partitions"))
        #expect(r.stdout.contains("> use crlf\n") && r.stdout.contains("> produce one\n"))
        #expect(r.stdout.contains("produced 1 of 1 message(s) to crlf"))
        #expect(r.stdout.contains("one"))
    }

    @Test func stdoutOfAJSONRunHoldsOnlyJSONDocuments() throws {
        for arguments in [
            ["--embedded", "--json", "-c", "topic create j; topic list; use j; produce x; consume --count 1"],
            ["--embedded", "-c", "topic create j --json; topic list --json"],
        ] {
            let r = try KafkalabBinary.run(arguments, timeout: 60)
            #expect(r.status == 0, "stderr: \(r.stderr)")
            let lines = r.stdout.split(separator: "\n")
            #expect(lines.count >= 2)
            for line in lines {
                #expect((try? JSONValue.parse(String(line))) != nil, "not JSON on stdout: \(line)")
            }
            #expect(r.stderr.contains("started an embedded"), "the banner goes to stderr")
        }
        let table = try KafkalabBinary.run(["--embedded", "--json", "-c", "format table; status"], timeout: 30)
        #expect(table.status == 1)
        #expect(table.stdout.isEmpty)
        #expect(table.stderr.contains("-c:1: this run was started with --json"))
    }

    @Test func pipedStdinRunsEachLineAsItArrives() throws {
        let child = try KafkalabBinary.start(["--embedded", "--json"], stdin: true, discardingStderr: true)
        let process = child.process
        defer { _ = child.finish(timeout: 0) }
        let reader = child.stdout
        // stdin stays open: the answer must come before end of input.
        child.write("topic create co --partitions 2\n")
        let first = reader.nextLine(timeout: 20)
        #expect(first?.contains("\"topic\":\"co\"") == true, "no answer before end of input: \(first ?? "nothing")")
        child.write("topic list\n")
        let second = reader.nextLine(timeout: 20)
        #expect(second?.contains("\"replication_factor\"") == true, "\(second ?? "nothing")")
        child.write("quit\n")
        child.closeInput()
        #expect(child.waitForExit(timeout: 20))
        #expect(process.terminationStatus == 0)
    }

    @Test func ctrlCInAScriptExits130() throws {
        let r = try KafkalabBinary.run(
            ["--embedded", "-c", "topic create w; isr watch w --interval 100ms --for 60s; status"],
            timeout: 40, interruptAfter: 2)
        #expect(r.status == 130, "stderr: \(r.stderr)")
        #expect(r.stderr.contains("-c:1: interrupted (Ctrl-C)"))
        #expect(!r.stdout.contains("cluster     embedded"), "the command after the interrupted one never ran")
    }

    /// Issue 28 item 5: a bad start-up flag is one line and exit status 2 (the help
    /// says so), not ArgumentParser's 64 and usage block; `--brokers -1` is a value
    /// out of range, not a missing one.
    @Test func badStartupFlagsExit2WithOneLine() throws {
        let cases: [([String], String)] = [
            (["--bogus"], "Unknown option '--bogus'"),
            (["--brokers", "-1"], "--brokers -1 is out of range: it takes 1 to 32"),
            (["--brokers", "33"], "--brokers 33 is out of range"),
            (["--timeout", "-3"], "--timeout -3 is out of range"),
            (["--timeout", "x"], "'x' is invalid for '--timeout"),
            (["serve", "--brokers", "0"], "--brokers 0 is out of range"),
        ]
        for (arguments, expected) in cases {
            let r = try KafkalabBinary.run(arguments, timeout: 20)
            #expect(r.status == 2, "\(arguments): exit \(r.status)")
            #expect(r.stdout.isEmpty, "\(arguments): \(r.stdout)")
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].contains(expected), "\(arguments): \(r.stderr)")
            #expect(!r.stderr.contains("kafkalab shell"), "points at a subcommand --help does not list")
        }
    }

    /// Issue 28 item 5: a bench whose every message failed exits 1; its warning
    /// goes to stderr, so stdout holds only results.
    @Test func aBenchWhoseMessagesAllFailedExits1WithItsWarningOnStderr() throws {
        let r = try KafkalabBinary.run(
            [
                "--embedded", "-c",
                "set topic.blacklist .*; set message.timeout.ms 300; bench none --count 100 --warmup 0",
            ], timeout: 60)
        #expect(r.status == 1, "exit \(r.status): \(r.stderr)")
        #expect(r.stderr.contains("warning: none: 100 message(s) failed (_MSG_TIMED_OUT)"))
        #expect(r.stderr.contains("-c:1: every message failed (_MSG_TIMED_OUT)"))
        #expect(!r.stdout.contains("warning"), "\(r.stdout)")
    }

    /// Issue 28 item 5: `FILE:N:` counts lines as an editor does (LF, CRLF); a form
    /// feed, a lone CR or U+2028 inside a line moved every later number on.
    @Test func fileLineNumbersCountOnlyLFAndCRLF() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lines-\(UUID().uuidString).kl").path
        try "# one\u{0C}still one\r\n# two\rstill two\n# three \u{2028} still three\nno-such-command\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try KafkalabBinary.run(["--embedded", "-f", path], timeout: 60)
        #expect(r.status == 1)
        #expect(r.stderr.contains("\(path):4: unknown command 'no-such-command'"), "\(r.stderr)")
    }
}
