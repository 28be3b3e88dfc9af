import Foundation
import Testing

@Suite("Script mode through the built binary")
struct ScriptModeTests {
    @Test func echoesCommandsAfterThePromptAndExitsZero() throws {
        let r = try KafkalabBinary.run(
            ["--embedded"],
            stdin: """
                # a comment line is skipped
                topic create orders --partitions 2

                produce --count 3 "hello {i}"
                consume
                """)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("kafkalab [embedded:3]> topic create orders --partitions 2"))
        #expect(r.stdout.contains("kafkalab [embedded:3] orders> produce --count 3 \"hello {i}\""))
        #expect(!r.stdout.contains("a comment line"))
        for i in 0..<3 { #expect(r.stdout.contains("hello \(i)")) }
    }

    @Test func stopsAtTheFirstFailingCommandWithLineNumber() throws {
        let r = try KafkalabBinary.run(["--embedded"], stdin: "topic list\nset linger.mss 5\ntopic create never\n")
        #expect(r.status == 1)
        #expect(r.stderr.contains("line 2: unknown property 'linger.mss'"))
        #expect(!r.stdout.contains("topic create never"))
    }

    @Test func keepGoingRunsEveryLine() throws {
        let r = try KafkalabBinary.run(["--embedded", "--keep-going"], stdin: "bogus\ntopic create after\n")
        #expect(r.status == 1)
        #expect(r.stderr.contains("line 1: unknown command 'bogus'"))
        #expect(r.stdout.contains("created after"))
    }

    @Test func oneShotCommandsSeparatedBySemicolons() throws {
        let r = try KafkalabBinary.run(["--embedded", "-c", "topic create a; topic create b; topic list"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("created a") && r.stdout.contains("created b"))
    }

    @Test func jsonFlagMakesEveryCommandPrintJSON() throws {
        let r = try KafkalabBinary.run([
            "--embedded", "--json", "-c", "topic create j --partitions 2; topic describe j",
        ])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        for line in lines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "not JSON: \(line)")
        }
    }

    @Test func unreachableBootstrapFailsWithinTheTimeout() throws {
        let started = Date()
        let r = try KafkalabBinary.run(["--bootstrap", "127.0.0.1:1", "--timeout", "2", "-c", "status"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("cannot reach 127.0.0.1:1"))
        #expect(Date().timeIntervalSince(started) < 15)
    }
}

@Suite("kafkalab serve")
struct ServeTests {
    @Test func servesABootstrapThatASecondKafkalabCanUse() throws {
        let serve = try KafkalabBinary.start(["serve", "--brokers", "2", "--topic", "shared:5"])
        let process = serve.process
        defer {
            kill(process.processIdentifier, SIGINT)
            #expect(serve.waitForExit(timeout: 10), "serve ignored SIGINT")
            serve.killIfRunning()
        }
        let bootstrap = (serve.stdout.nextLine(timeout: 30) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        defer { #expect(process.isRunning, "serve stopped before it was interrupted") }
        #expect(bootstrap.split(separator: ",").count == 2)
        let r = try KafkalabBinary.run([
            "--bootstrap", bootstrap, "-c", "topic describe shared; produce --topic shared hello; consume shared",
        ])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("PartitionCount: 5"))
        #expect(r.stdout.contains("kafkalab [served:2]"), "the second kafkalab says it is on a served cluster")
        #expect(r.stdout.contains("hello"))
    }
}
