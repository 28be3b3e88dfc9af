import Foundation
import Lab
import Synchronization

/// SIGINT sets the interrupt flag (Ctrl-C stops a running command, or clears
/// the line at the prompt); SIGTERM asks the process to finish. Installed
/// without SA_RESTART so a blocking read at the prompt returns.
enum Signals {
    private static let terminatedFlag = Atomic<Bool>(false)

    static var terminated: Bool { terminatedFlag.load(ordering: .relaxed) }

    static func install() {
        // Touch the lazily initialised statics now: their first access is not
        // async-signal-safe, a plain atomic store afterwards is.
        Interrupt.reset()
        _ = terminated
        var action = sigaction()
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = { _ in Interrupt.request() }
        #else
        action.__sigaction_u.__sa_handler = { _ in Interrupt.request() }
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        var term = sigaction()
        #if canImport(Glibc)
        term.__sigaction_handler.sa_handler = { _ in Signals.terminatedFlag.store(true, ordering: .relaxed); Interrupt.request() }
        #else
        term.__sigaction_u.__sa_handler = { _ in Signals.terminatedFlag.store(true, ordering: .relaxed); Interrupt.request() }
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
