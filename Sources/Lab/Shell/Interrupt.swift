import Synchronization

/// Ctrl-C, as seen by running commands. The executable's SIGINT handler
/// calls `request()` (an atomic store: async-signal-safe); long-running
/// commands poll `isRequested` at least every few hundred milliseconds and
/// return to the prompt with the session intact.
public enum Interrupt {
    private static let flag = Atomic<Bool>(false)

    public static func request() { flag.store(true, ordering: .relaxed) }
    public static var isRequested: Bool { flag.load(ordering: .relaxed) }
    /// Clears the flag; called before each command.
    public static func reset() { flag.store(false, ordering: .relaxed) }
}
