import Foundation
import Lab
import Synchronization

/// SIGINT cancels the running command's `Cancellation` (Ctrl-C stops it), or
/// clears the line at the prompt; SIGTERM asks the process to finish. Installed
/// without SA_RESTART so a blocking read at the prompt returns.
enum Signals {
    private static let terminatedFlag = Atomic<Bool>(false)

    static var terminated: Bool { terminatedFlag.load(ordering: .relaxed) }

    static func install() {
        // Touch the lazily initialised statics now: their first access is not
        // async-signal-safe, a plain atomic store afterwards is.
        Cancellation.prepareForSignals()
        _ = terminated
        var action = sigaction()
        #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = { _ in Cancellation.signalReceiver() }
        #else
            action.__sigaction_u.__sa_handler = { _ in Cancellation.signalReceiver() }
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        var term = sigaction()
        #if canImport(Glibc)
            term.__sigaction_handler.sa_handler = { _ in
                Signals.terminatedFlag.store(true, ordering: .relaxed); Cancellation.signalReceiver()
            }
        #else
            term.__sigaction_u.__sa_handler = { _ in
                Signals.terminatedFlag.store(true, ordering: .relaxed); Cancellation.signalReceiver()
            }
        #endif
        sigemptyset(&term.sa_mask)
        term.sa_flags = 0
        sigaction(SIGTERM, &term, nil)
        signal(SIGPIPE, SIG_IGN)
        // A blocked signal mask is inherited: started by a parent that blocks them
        // (Foundation's Process inside a test runner does), Ctrl-C and SIGTERM
        // would otherwise never arrive.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }
}
