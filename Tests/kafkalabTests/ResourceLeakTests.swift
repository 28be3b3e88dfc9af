import Foundation
import TestSupport
import Testing

/// 50 `connect embedded` switches leave no thread or file descriptor behind.
/// Counted from /proc/<pid> of the binary (the test runner's own counts move
/// with the tests running beside this one) while a watch keeps it alive,
/// against a run that connected once.
@Suite("connect leaks nothing")
struct ResourceLeakTests {
    struct Counts { var threads = Int.max, fds = Int.max }

    /// The fewest threads and descriptors seen over about 2.5 s of the watch
    /// (released clusters finish their teardown on their own threads meanwhile).
    func counts(afterConnecting switches: Int) throws -> Counts {
        let commands =
            Array(repeating: "connect embedded", count: switches) + [
                "topic create w", "isr watch w --for 8s --interval 500ms",
            ]
        let child = try KafkalabBinary.start(
            ["--embedded", "-c", commands.joined(separator: "; ")], discardingStderr: true)
        let process = child.process
        defer { child.killIfRunning() }
        _ = child.stdout.waitFor(timeout: 60) { $0.contains("watching w:") }
        let proc = "/proc/\(process.processIdentifier)"
        var least = Counts()
        let sampling = Date()
        while Date().timeIntervalSince(sampling) < 2.5 && process.isRunning {
            let threads = (try? FileManager.default.contentsOfDirectory(atPath: proc + "/task").count) ?? Int.max
            let fds = (try? FileManager.default.contentsOfDirectory(atPath: proc + "/fd").count) ?? Int.max
            least.threads = min(least.threads, threads)
            least.fds = min(least.fds, fds)
            usleep(100_000)
        }
        return least
    }

    @Test func fiftySwitchesLeakNoThreadsOrDescriptors() throws {
        let once = try counts(afterConnecting: 0)
        let fifty = try counts(afterConnecting: 50)
        print(
            "connect embedded: \(once.threads) threads, \(once.fds) descriptors after one connect; \(fifty.threads) and \(fifty.fds) after 50 switches"
        )
        #expect(once.threads < 1_000 && once.fds < 1_000, "no counts read")
        // A small margin for librdkafka threads that come and go with timers.
        #expect(
            fifty.threads <= once.threads + 2,
            "threads: \(once.threads) after one connect, \(fifty.threads) after 50 switches")
        #expect(fifty.fds <= once.fds + 2, "descriptors: \(once.fds) after one connect, \(fifty.fds) after 50 switches")
    }
}
