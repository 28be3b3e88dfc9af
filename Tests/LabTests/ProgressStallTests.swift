import Foundation
import Testing

@testable import Lab

/// Issue 28 item 4: a wait that makes no progress is noticed after its limit.
@Suite("ProgressStall")
struct ProgressStallTests {
    @Test func stallsOnlyWhenTheCountStopsGrowingForTheLimit() {
        let t0 = Date(timeIntervalSince1970: 1_000)
        var stall = ProgressStall(limit: 5, now: t0)
        var seen: [Bool] = []
        for (count, at) in [(0, 0.0), (0, 4.9), (0, 5.1), (1, 6), (1, 10.9), (1, 11.1)] {
            seen.append(stall.isStalled(count: count, now: t0.addingTimeInterval(at)))
        }
        // Stalled only past 5 s without growth; progress resets the clock.
        #expect(seen == [false, false, true, false, false, true])
        // A first look long after the start counts from that look.
        var late = ProgressStall(limit: 5, now: t0)
        let first = late.isStalled(count: 7, now: t0.addingTimeInterval(60))
        #expect(!first)
    }

    /// A producer that holds messages on purpose (linger.ms) is not stalled for that long.
    @Test func theLimitGrowsByLingerMs() {
        #expect(ProgressStall.limit(5, producerProperties: [:]) == 5)
        #expect(ProgressStall.limit(5, producerProperties: ["linger.ms": "10000"]) == 15)
        #expect(ProgressStall.limit(1, producerProperties: ["queue.buffering.max.ms": "500"]) == 1.5)
        #expect(ProgressStall.limit(5, producerProperties: ["linger.ms": "nonsense"]) == 5)
    }

    /// The estimate a long produce or seed shows: what is left at the pace so far.
    @Test func timeLeftIsTheRestAtThePaceSoFar() {
        #expect(ProgressStall.timeLeft(done: 0, of: 100, elapsed: 3) == nil)
        #expect(ProgressStall.timeLeft(done: 25, of: 100, elapsed: 10) == 30)
        #expect(ProgressStall.timeLeft(done: 3, of: 10, elapsed: 1) == 3)  // 2.33 s rounds up
        #expect(ProgressStall.timeLeft(done: 100, of: 100, elapsed: 9) == 0)
    }

    /// A metadata look-up asked in slices ends at the first answer, or at Ctrl-C between slices
    /// (`consume` under `set security.protocol ssl` held a 10 s call Ctrl-C could not end).
    @Test func aSlicedWaitEndsAtTheAnswerOrAtCtrlC() {
        var asked: [Int32] = []
        let answered = SlicedWait.until(within: 60, isCancelled: { false }) { slice in
            asked.append(slice)
            return asked.count == 3
        }
        #expect(answered && asked == [250, 250, 250])
        var calls = 0
        let cancelled = SlicedWait.until(within: 60, isCancelled: { calls >= 2 }) { _ in
            calls += 1
            return false
        }
        #expect(!cancelled && calls == 2)
        #expect(
            !SlicedWait.until(within: 60, isCancelled: { true }) { _ in
                Issue.record("asked after Ctrl-C"); return true
            })
    }
}
