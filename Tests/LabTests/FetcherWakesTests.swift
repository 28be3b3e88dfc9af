import Testing

@testable import Lab

@Suite("consume: when the parked fetchers are woken")
struct FetcherWakesTests {
    /// The empty waits of a read: one every 200 ms for `seconds`.
    private func emptyWaits(
        _ wakes: inout FetcherWakes, readingToEnd: Bool, from start: Double, seconds: Double
    )
        -> [Double]
    {
        stride(from: start, to: start + seconds, by: 0.2).filter {
            wakes.afterEmptyWait(readingToEnd: readingToEnd, now: $0)
        }
    }

    /// One step of the policy, outside `#expect` (which cannot mutate what it captures).
    private func wake(_ wakes: inout FetcherWakes, _ step: (inout FetcherWakes) -> Bool) -> Bool { step(&wakes) }

    @Test func aReadToTheEndWakesAtMostOnceASecondWhileIdle() {
        var wakes = FetcherWakes()
        let woken = emptyWaits(&wakes, readingToEnd: true, from: 100, seconds: 3)
        // The first empty wait wakes at once, then one a second, not fifteen in three seconds.
        #expect(woken.count == 3)
        #expect(woken.first == 100)
        for (a, b) in zip(woken, woken.dropFirst()) { #expect(b - a >= FetcherWakes.idleInterval - 1e-9) }
    }

    @Test func followingWakesOnlyFetchersSeenParked() {
        var wakes = FetcherWakes()
        #expect(emptyWaits(&wakes, readingToEnd: false, from: 0, seconds: 3).isEmpty)
        // The queue reached the threshold: the next empty wait wakes them, once.
        #expect(!wake(&wakes) { $0.afterBatch(taken: 1_000, queued: 99_500, threshold: 100_000) })
        #expect(wakes.parked)
        #expect(emptyWaits(&wakes, readingToEnd: false, from: 3, seconds: 3) == [3])
        #expect(!wakes.parked)
    }

    @Test func whileRecordsFlowTheyAreWokenWhenTheQueueHasHalfDrained() {
        var wakes = FetcherWakes()
        #expect(!wake(&wakes) { $0.afterBatch(taken: 1_000, queued: 10_000, threshold: 100_000) })
        #expect(!wakes.parked)
        #expect(!wake(&wakes) { $0.afterBatch(taken: 1_000, queued: 99_000, threshold: 100_000) })
        #expect(!wake(&wakes) { $0.afterBatch(taken: 1_000, queued: 70_000, threshold: 100_000) })
        // Not limited by the clock: each crossing of the threshold earns one wake at half.
        #expect(wake(&wakes) { $0.afterBatch(taken: 1_000, queued: 49_000, threshold: 100_000) })
        #expect(!wake(&wakes) { $0.afterBatch(taken: 1_000, queued: 30_000, threshold: 100_000) })
        #expect(!wake(&wakes) { $0.afterBatch(taken: 1_000, queued: 100_000, threshold: 100_000) })
        #expect(wake(&wakes) { $0.afterBatch(taken: 1_000, queued: 0, threshold: 100_000) })
    }

    @Test func aWakeAfterAnEmptyWaitDoesNotHoldBackTheNextThresholdWake() {
        var wakes = FetcherWakes()
        #expect(wake(&wakes) { $0.afterEmptyWait(readingToEnd: true, now: 0) })
        #expect(!wake(&wakes) { $0.afterBatch(taken: 1_000, queued: 100_000, threshold: 100_000) })
        #expect(wake(&wakes) { $0.afterBatch(taken: 1_000, queued: 10, threshold: 100_000) })
    }
}
