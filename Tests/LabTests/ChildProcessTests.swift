import Foundation
import TestSupport
import Testing

/// The one reader of child-process pipes (TestSupport's `ChildProcess`): both pipes drained at
/// once, lines readable while the child runs, a hung child stopped.
@Suite("Child process pipes are drained together")
struct ChildProcessTests {
    static let sh = URL(fileURLWithPath: "/bin/sh")

    /// 1 MiB on stderr before anything on stdout: a reader that took stdout to its end first
    /// would wait forever on a child blocked writing stderr.
    @Test func aChildThatFillsStderrBeforeStdoutFinishes() throws {
        let r = try ChildProcess.run(
            Self.sh,
            ["-c", "head -c 1048576 /dev/zero | tr '\\0' e >&2; head -c 1048576 /dev/zero | tr '\\0' o; exit 3"],
            timeout: 60)
        #expect(r.status == 3)
        #expect(r.stderr.utf8.count == 1_048_576 && r.stderr.allSatisfy { $0 == "e" })
        #expect(r.stdout.utf8.count == 1_048_576 && r.stdout.allSatisfy { $0 == "o" })
    }

    /// More input than a pipe holds, echoed as it is read: written on its own thread, so the
    /// child's full stdout cannot stall the writer.
    @Test func inputLargerThanAPipeEchoedBack() throws {
        let input = String(repeating: "0123456789abcde\n", count: 65_536)
        let r = try ChildProcess.run(Self.sh, ["-c", "cat"], input: input, timeout: 60)
        #expect(r.status == 0)
        #expect(r.stdout == input)
    }

    @Test func linesArriveWhileTheChildRuns() throws {
        let child = try ChildProcess(Self.sh, ["-c", "echo one; read x; echo \"two $x\"; echo oops >&2"], stdin: true)
        defer { child.killIfRunning() }
        #expect(child.stdout.nextLine(timeout: 30) == "one")
        child.write("2\n")
        #expect(child.stdout.nextLine(timeout: 30) == "two 2")
        #expect(child.stdout.nextLine(timeout: 30) == nil, "the pipe closed: no third line")
        let finished = child.finish(timeout: 30)
        #expect(finished.status == 0 && finished.stderr == "oops\n")
    }

    @Test func aHungChildIsStoppedAtTheTimeout() throws {
        let r = try ChildProcess.run(Self.sh, ["-c", "echo started; exec sleep 60"], timeout: 0.5)
        #expect(r.stdout == "started\n")
        // SIGTERM, or SIGKILL 5 s later where the child inherited a mask that blocks SIGTERM (a
        // test runner that took signals into one thread, as kafkalab does).
        #expect(r.status == SIGTERM || r.status == SIGKILL, "ended by \(r.status)")
    }
}
