import Foundation
import Synchronization

/// Runs that do not touch each other (each strategy of `group strategies`, each
/// mode of `group static`, every one in a consumer group of its own) run at once,
/// each on its own thread: their time is the cluster's rebalance timers, not the
/// machine's, so together they take as long as the longest instead of the sum.
/// Each writes to its own `OutputSection`; the sections are printed in the runs'
/// order, so the text is what running them in turn would print: the first run's
/// as it comes, the next one's (what it wrote so far, then as it comes) once the
/// first has ended, and so on. The caller's thread draws one progress line.
enum SideBySideRuns {
    /// Runs `body` for every item at once and returns the results in the items'
    /// order. Once every run has ended, the first error (in the items' order) is
    /// rethrown, after every section was printed. A run ends on its own when the
    /// command is cancelled (the body watches the command's cancellation).
    static func run<Item: Sendable, Result: Sendable>(
        _ items: [Item], output: Output, label: String, name: @escaping @Sendable (Item) -> String,
        body: @escaping @Sendable (Item, Output) throws -> Result
    ) throws -> [Result] {
        let sections = items.map { _ in OutputSection(for: output) }
        let outcomes = Mutex<[Swift.Result<Result, any Error>?]>(Array(repeating: nil, count: items.count))
        let ended = DispatchSemaphore(value: 0)
        for (i, item) in items.enumerated() {
            let section = sections[i]
            let thread = Thread {
                let outcome = Swift.Result { try body(item, section.makeOutput()) }
                outcomes.withLock { $0[i] = outcome }
                ended.signal()
            }
            thread.name = "kafkalab-run-\(i + 1)"
            thread.start()
        }
        let started = ContinuousClock.now
        var printed = 0
        var endedCount = 0
        while printed < items.count {
            if endedCount < items.count, ended.wait(timeout: .now() + .milliseconds(200)) == .success {
                endedCount += 1
            }
            let done = outcomes.withLock { $0.map { $0 != nil } }
            while printed < items.count {
                sections[printed].replay(into: output)
                guard done[printed] else { break }
                printed += 1
            }
            let running = items.indices.filter { !done[$0] }.map { name(items[$0]) }
            if !running.isEmpty {
                output.progress(
                    "\(label): \(running.joined(separator: ", ")) running (\(Int((ContinuousClock.now - started).seconds)) s)"
                )
            }
        }
        return try outcomes.withLock { $0 }.map { try $0!.get() }
    }
}
