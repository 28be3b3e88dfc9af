import Foundation

@testable import Lab

/// Runs one line of a `TestSession` on another thread with its own
/// `Cancellation`, so a test can wait for the command to start, cancel it the
/// way Ctrl-C does, and time how long it takes to return.
///
/// `@unchecked Sendable`: while the line runs, the test thread touches only the
/// token, the (locked) output buffer and the cluster's thread-safe handles,
/// never the session; `outcome` is written by the running thread before it
/// signals `done` and read only after `wait` received that; `cancelledAt` is the
/// test thread's alone.
final class BackgroundRun: @unchecked Sendable {
    /// What the tests accept as "within a second" of Ctrl-C: the promise is one
    /// second; the margin absorbs a machine whose two cores are shared by a
    /// whole parallel test run, where a thread can wait a few hundred
    /// milliseconds for a core. A command that ignores the cancellation misses
    /// it by seconds, so the margin hides no failure.
    static let cancelBound = 1.5

    let cancellation = Cancellation()
    private let done = DispatchSemaphore(value: 0)
    private var outcome: Dispatcher.Outcome?
    private(set) var cancelledAt: Date?

    private let session: Session
    private let dispatcher: Dispatcher

    init(_ t: TestSession, _ line: String) {
        session = t.session
        dispatcher = t.dispatcher
        let thread = Thread { [self] in
            outcome = dispatcher.execute(line, in: session, cancellation: cancellation)
            done.signal()
        }
        thread.stackSize = 4 << 20
        thread.start()
    }

    /// Polls `condition` every 20 ms for up to `timeout` seconds.
    static func await(_ timeout: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            if Date() >= deadline { return false }
            usleep(20_000)
        }
        return true
    }

    func cancel() {
        cancelledAt = Date()
        cancellation.cancel()
    }

    /// The outcome and the seconds from `cancel()` to the command's return, or
    /// nil if it has not returned within `timeout`.
    func wait(timeout: Double) -> (outcome: Dispatcher.Outcome, secondsAfterCancel: Double)? {
        guard done.wait(timeout: .now() + timeout) == .success, let outcome else { return nil }
        return (outcome, cancelledAt.map { Date().timeIntervalSince($0) } ?? 0)
    }
}
