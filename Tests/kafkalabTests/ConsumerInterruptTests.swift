import Foundation
import Testing

/// Ctrl-C during `group strategies`, through a real SIGINT to the binary (the
/// interrupt flag is process-wide; an in-process request would stop other tests).
@Suite("group strategies and Ctrl-C")
struct ConsumerInterruptTests {
    @Test func ctrlCClosesEveryConsumerAndStops() throws {
        let started = Date()
        // Ctrl-C lands while the group is busy (joining, or rebalancing after c3 joins).
        let r = try KafkalabBinary.run(["--embedded", "-c", "seed --count 10; group strategies --consumers 2 --session-timeout 3s"],
                                       timeout: 90, interruptAfter: 6)
        #expect(Date().timeIntervalSince(started) < 40)
        #expect(r.status == 130, "Ctrl-C in a script exits 130")
        #expect(r.stderr.contains("interrupted"))
        #expect(r.stdout.contains("== range"))
        #expect(!r.stdout.contains("== roundrobin"), "the next strategy never starts")
        // Every member still in the group was closed.
        let closing = r.stdout.split(separator: "\n").first { $0.hasPrefix("interrupted: closed") }.map(String.init) ?? ""
        let numbers = closing.split(separator: " ").compactMap { Int($0) }
        #expect(numbers.count == 2 && numbers[0] == numbers[1] && numbers[0] > 0, "\(closing)")
    }
}
