import Foundation
import Testing

@testable import Lab

@Suite("Cancellation token")
struct CancellationTokenTests {
    @Test func aSignalCancelsOnlyTheTokenReceivingIt() {
        let running = Cancellation(), other = Cancellation()
        running.receivingSignals { Cancellation.signalReceiver() }
        #expect(running.isCancelled)
        #expect(!other.isCancelled)
        // A token made after the signal never sees it (the next command starts clean).
        #expect(!Cancellation().isCancelled)
    }

    @Test func aSignalAtThePromptCancelsNothing() {
        let later = Cancellation()
        Cancellation.signalReceiver()
        #expect(!later.isCancelled)
    }

    @Test func sleepWakesWhenCancelled() {
        let token = Cancellation()
        let started = Date()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.05) { token.cancel() }
        #expect(token.sleep(30) == false)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(throws: LabError.interrupted) { try token.check() }
    }
}
