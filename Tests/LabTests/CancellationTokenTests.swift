import Foundation
import Synchronization
import Testing

@testable import Lab

@Suite("Cancellation token")
struct CancellationTokenTests {
    // Each test plays its signals on its own router: the process's would cancel whatever
    // command another test in this process is running (it once cancelled a `txn demo`).
    @Test func aSignalCancelsOnlyTheTokenReceivingIt() {
        let router = SignalRouter()
        let running = Cancellation(router: router), other = Cancellation(router: router)
        running.receivingSignals { router.receive(SIGINT) }
        #expect(running.isCancelled)
        #expect(!other.isCancelled)
        // A token made after the signal never sees it (the next command starts clean).
        #expect(!Cancellation(router: router).isCancelled)
    }

    @Test func aSignalAtThePromptCancelsNothing() {
        let router = SignalRouter()
        let later = Cancellation(router: router)
        router.receive(SIGINT)
        #expect(!later.isCancelled)
        #expect(router.lastSignal.load(ordering: .relaxed) == SIGINT)
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
