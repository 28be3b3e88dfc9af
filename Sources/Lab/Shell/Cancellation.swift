import Foundation
import Synchronization

/// The way a running command learns it should stop (Ctrl-C, SIGTERM, or a
/// test cancelling it from another thread). Each command run receives its
/// own token in its `CommandContext`; long-running loops check `isCancelled`
/// (or sleep through `sleep(_:)`, which wakes at once on cancellation) at
/// least every few hundred milliseconds and return with the session intact.
///
/// A SIGINT cancels only the token that is receiving signals at that moment
/// (`receivingSignals`): the handler copies one integer into another, which
/// is async-signal-safe, and a token is cancelled by a signal when that
/// integer is its id. A signal at the prompt (no token receiving) cancels
/// nothing, and a token made later never sees an earlier signal.
public final class Cancellation: Sendable {
    private static let nextId = Atomic<Int>(1)

    public let id: Int
    private let cancelled = Atomic<Bool>(false)
    /// Where this token learns of signals: the process's (`SignalRouter.process`), or a test's
    /// own, so a test that plays a signal cannot cancel another test's command in the same process.
    let router: SignalRouter

    public convenience init() { self.init(router: .process) }

    init(router: SignalRouter) {
        id = Self.nextId.add(1, ordering: .relaxed).oldValue
        self.router = router
    }

    /// Cancels this token (from any thread).
    public func cancel() { cancelled.store(true, ordering: .relaxed) }

    public var isCancelled: Bool {
        if cancelled.load(ordering: .relaxed) { return true }
        if router.signalled.load(ordering: .relaxed) == id {
            cancelled.store(true, ordering: .relaxed)
            return true
        }
        return false
    }

    /// Throws `LabError.interrupted` once cancelled.
    public func check() throws {
        if isCancelled { throw LabError.interrupted }
    }

    /// Sleeps `seconds`, waking within 20 ms of a cancellation.
    /// Returns false when it was cancelled.
    @discardableResult
    public func sleep(_ seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !isCancelled {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return true }
            usleep(UInt32(min(left, 0.02) * 1_000_000))
        }
        return false
    }

    /// Runs `body` with this token as the one SIGINT cancels; the previous
    /// receiver (a script's token around one of its commands) is restored after.
    public func receivingSignals<T>(_ body: () throws -> T) rethrows -> T {
        let previous = router.target.exchange(id, ordering: .relaxed)
        defer { router.target.store(previous, ordering: .relaxed) }
        return try body()
    }

    /// Called for every signal (from a handler or the signal thread):
    /// async-signal-safe (atomic integer loads and stores).
    public static func signalReceiver(_ signal: Int32 = SIGINT) { SignalRouter.process.receive(signal) }

    /// The terminal echoed `^C` where the cursor stood (a running command's
    /// output line): the next output starts on a line of its own.
    private static let echoOnLine = Atomic<Bool>(false)

    /// Called when Ctrl-C reached a running command at a terminal.
    public static func noteInterruptEcho() { echoOnLine.store(true, ordering: .relaxed) }

    /// Whether a `^C` echo waits for its line break (and clears it).
    public static func takeInterruptEcho() -> Bool { echoOnLine.exchange(false, ordering: .relaxed) }

    /// A command is receiving signals now (a signal would cancel it).
    public static var hasSignalReceiver: Bool { SignalRouter.process.target.load(ordering: .relaxed) != 0 }

    /// How a cancelled run was stopped, as the error line says it: the last
    /// signal's name, or Ctrl-C's when a test cancelled without one.
    public static var stopReason: String { describe(signal: SignalRouter.process.lastSignal.load(ordering: .relaxed)) }

    /// "interrupted (Ctrl-C)", "terminated (SIGTERM)", "hung up (SIGHUP)".
    public static func describe(signal: Int32) -> String {
        switch signal {
        case SIGTERM: "terminated (SIGTERM)"
        case SIGHUP: "hung up (SIGHUP)"
        default: "interrupted (Ctrl-C)"
        }
    }

    /// Initialises the statics before a signal handler may touch them (a
    /// static's first access is not async-signal-safe; later atomic operations are).
    public static func prepareForSignals() {
        _ = nextId.load(ordering: .relaxed)
        SignalRouter.process.receive(0)
    }
}

/// Which token a signal cancels: the one receiving signals now (`target`, 0: none) is copied
/// into `signalled`. The process has one (`process`); a test makes its own.
final class SignalRouter: Sendable {
    static let process = SignalRouter()

    /// The id of the token a signal cancels now (0: none).
    let target = Atomic<Int>(0)
    /// The id of the token the last signal cancelled.
    let signalled = Atomic<Int>(0)
    /// The number of the last signal received (0: none yet).
    let lastSignal = Atomic<Int32>(0)

    /// Async-signal-safe: atomic integer loads and stores only. Signal 0 only touches the router
    /// (`prepareForSignals`): it cancels nothing.
    func receive(_ signal: Int32) {
        guard signal != 0 else {
            _ = target.load(ordering: .relaxed)
            return
        }
        lastSignal.store(signal, ordering: .relaxed)
        signalled.store(target.load(ordering: .relaxed), ordering: .relaxed)
    }
}
