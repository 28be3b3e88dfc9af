import Foundation
import Lab
import LineEditor
import Synchronization

/// SIGINT, SIGTERM and SIGHUP reach kafkalab in one place: they are blocked
/// in every thread (the main thread blocks them first thing, so every thread
/// started later, kafkalab's, librdkafka's, the embedded mock's, inherits the
/// mask) and one thread of ours takes them with `sigwait`. A signal that lands
/// in a library thread interrupts its poll: librdkafka's mock cluster thread
/// then ends, and with it the embedded cluster (issue 28 item 1).
///
/// What a signal does:
/// - At a prompt (`LineEditor.readLine` unblocks them on the reading thread
///   while it waits) it goes to the reader, so libedit restores the terminal:
///   Ctrl-C clears the line; SIGTERM/SIGHUP end the process.
/// - While a command runs, SIGINT cancels it (`Cancellation`); SIGTERM and
///   SIGHUP cancel it and end the process once it has returned, or after
///   `terminationGrace` seconds if it has not.
/// - While a co-process script waits for its next line on stdin, any of them
///   ends the process (130 for Ctrl-C, 128+N for signal N).
enum Signals {
    /// The signals taken by the signal thread.
    static let handled: [Int32] = [SIGINT, SIGTERM, SIGHUP]
    /// Seconds a command has to return after SIGTERM before the process ends anyway.
    static let terminationGrace = 3.0

    private static let terminatedBy = Atomic<Int32>(0)
    private static let waitingForInput = Atomic<Bool>(false)
    private static let reported = Atomic<Bool>(false)

    /// SIGTERM or SIGHUP, once received: the process must end.
    static var termination: Int32? {
        let signal = terminatedBy.load(ordering: .relaxed)
        return signal == 0 ? nil : signal
    }

    /// Old name, for `serve`'s loop.
    static var terminated: Bool { termination != nil }

    /// The exit status after `signal`: 128 + its number (130 for Ctrl-C).
    static func exitStatus(_ signal: Int32) -> Int32 { 128 + signal }

    /// Blocks the signals in the calling (main) thread, installs the handler
    /// the prompt's window uses, and starts the signal thread. Call before
    /// anything starts a thread.
    static func install() {
        // Touch the lazily initialised statics now: their first access is not
        // async-signal-safe, a plain atomic store afterwards is.
        Cancellation.prepareForSignals()
        _ = terminatedBy.load(ordering: .relaxed)
        _ = waitingForInput.load(ordering: .relaxed)
        #if canImport(Glibc)
            _ = signalThread.load(ordering: .relaxed)
        #endif
        var set = signalSet()
        pthread_sigmask(SIG_BLOCK, &set, nil)
        signal(SIGPIPE, SIG_IGN)
        // Runs only on a thread that has unblocked the signals (the prompt's
        // reader, after libedit's own handler has put it back): it interrupts
        // that thread's read and hands the signal on to the signal thread, the
        // one place that acts on it. pthread_kill and kill are async-signal-safe.
        var action = sigaction()
        #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = { Signals.handOn($0) }
        #else
            action.__sigaction_u.__sa_handler = { Signals.handOn($0) }
        #endif
        sigemptyset(&action.sa_mask)
        // No SA_RESTART: the prompt's read must return.
        action.sa_flags = 0
        for s in handled { sigaction(s, &action, nil) }

        let thread = Thread {
            #if canImport(Glibc)
                signalThread.store(pthread_self(), ordering: .releasing)
            #endif
            takeSignals()
        }
        thread.name = "kafkalab-signals"
        thread.start()
    }

    /// The handled signals as a set.
    static func signalSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for s in handled { sigaddset(&set, s) }
        return set
    }

    #if canImport(Glibc)
        /// The signal thread, for `handOn`: thread-directed, so the sending
        /// thread cannot take the signal back itself.
        private static let signalThread = Atomic<UInt>(0)
    #endif

    private static func handOn(_ signal: Int32) {
        #if canImport(Glibc)
            let thread = signalThread.load(ordering: .acquiring)
            if thread != 0 {
                pthread_kill(thread, signal)
                return
            }
        #endif
        kill(getpid(), signal)
    }

    /// What every signal does first: SIGTERM/SIGHUP mark the process as ending;
    /// every one cancels the command receiving signals, if any.
    private static func record(_ signal: Int32) {
        if signal != SIGINT { terminatedBy.store(signal, ordering: .relaxed) }
        Cancellation.signalReceiver(signal)
    }

    /// The signal thread: the one place a signal is handled while no prompt reads.
    private static func takeSignals() {
        var set = signalSet()
        let me = getpid()
        while true {
            var info = siginfo_t()
            let signal = sigwaitinfo(&set, &info)
            guard signal > 0 else { continue }
            record(signal)
            if signal != SIGINT { endAfterGrace(signal) }
            // Sent by this process: libedit's re-raise of a signal its handler
            // took at the prompt (kill(0, sig)), or `handOn`'s. If the read it
            // meant to end had not begun then, it is still waiting: interrupt it again.
            if (info.si_code == SI_USER || info.si_code == SI_TKILL) && sender(of: info) == me {
                if let read = LineEditor.currentRead {
                    Thread.detachNewThread {
                        usleep(100_000)
                        LineEditor.forwardToReader(signal, ifStill: read)
                    }
                }
                continue
            }
            if LineEditor.forwardToReader(signal) { continue }
            // The terminal echoed ^C after the running command's output.
            if signal == SIGINT && Cancellation.hasSignalReceiver && isatty(STDIN_FILENO) == 1 {
                Cancellation.noteInterruptEcho()
            }
            if waitingForInput.load(ordering: .relaxed) { end(signal) }
            // Nothing running: SIGTERM/SIGHUP end now. Else the command stops on
            // its cancellation and the main thread ends the process.
            if signal != SIGINT && !Cancellation.hasSignalReceiver { end(signal) }
        }
    }

    private static func sender(of info: siginfo_t) -> pid_t {
        #if canImport(Glibc)
            info._sifields._kill.si_pid
        #else
            info.si_pid
        #endif
    }

    /// SIGTERM always ends the process: if the main thread has not ended it
    /// within `terminationGrace` seconds (a command deaf to its cancellation), this does.
    private static func endAfterGrace(_ signal: Int32) {
        Thread.detachNewThread {
            usleep(UInt32(terminationGrace * 1_000_000))
            end(signal)
        }
    }

    /// Says why and exits with 128 + the signal's number.
    static func end(_ signal: Int32) -> Never {
        report(signal)
        exit(exitStatus(signal))
    }

    /// The one line saying why the process ends, written once whoever ends it.
    static func report(_ signal: Int32) {
        guard !reported.exchange(true, ordering: .relaxed) else { return }
        let text = "\(Cancellation.describe(signal: signal))\n"
        _ = text.withCString { write(STDERR_FILENO, $0, strlen($0)) }
    }

    /// Runs `read` (a co-process script's wait for its next line on stdin)
    /// so that a signal meanwhile ends the process.
    static func waitingForInput<T>(_ read: () -> T) -> T {
        waitingForInput.store(true, ordering: .relaxed)
        defer { waitingForInput.store(false, ordering: .relaxed) }
        if let signal = termination { end(signal) }
        return read()
    }
}
