import Testing

@testable import Lab

@Suite struct LagSampleTests {
    @Test func lagIsEndMinusCommitted() {
        #expect(LagSample(time: 0, committed: 70, end: 100).lag == 30)
    }

    @Test func withoutACommitTheWholeRetainedLogIsLag() {
        #expect(LagSample(time: 0, committed: nil, end: 100, lowWatermark: 40).lag == 60)
    }

    @Test func commitAheadOfAStaleEndOffsetIsNoLag() {
        #expect(LagSample(time: 0, committed: 105, end: 100).lag == 0)
    }
}

@Suite struct LagEvaluatorTests {
    let evaluator = LagEvaluator(windowSize: 5, minimumSamples: 3)

    @Test func noCommitsIsOK() {
        let samples = series(committed: [nil, nil, nil, nil, nil], end: 500)
        #expect(evaluator.evaluate(samples, now: 40) == .ok)
    }

    @Test func windowNotFilledEnoughIsOKUntilItIs() {
        let twoStuck = series(committed: [nil, nil, nil, 100, 100], end: 500)
        #expect(evaluator.evaluate(twoStuck, now: 40) == .ok)
        #expect(evaluator.evaluation(of: twoStuck, now: 40).reason.contains("2 of 3"))

        let threeStuck = series(committed: [nil, nil, 100, 100, 100], end: 500)
        #expect(evaluator.evaluate(threeStuck, now: 40) == .stall)
    }

    @Test func currentLagZeroIsOKWhateverCameBefore() {
        let samples = series(committed: [100, 100, 100, 100, 500], end: 500)
        #expect(evaluator.evaluate(samples, now: 400) == .ok)
    }

    @Test func offsetStuckForExactlyTheWindowIsStall() {
        let samples = series(committed: [100, 100, 100, 100, 100], end: 500)
        let evaluation = evaluator.evaluation(of: samples, now: 40)
        #expect(evaluation.status == .stall)
        #expect(evaluation.currentLag == 400)
    }

    @Test func offsetStuckSinceBeforeTheWindowIsStop() {
        let samples = series(committed: [100, 100, 100, 100, 100, 100, 100], end: 500)
        #expect(evaluator.window(of: samples).count == 5)
        #expect(evaluator.evaluate(samples, now: 60) == .stop)
    }

    @Test func noNewSampleForLongerThanTheWindowSpanIsStop() {
        let advancing = series(committed: [100, 200, 300, 400, 450], end: 1000)
        #expect(evaluator.evaluate(advancing, now: 40) == .ok)
        #expect(evaluator.evaluate(advancing, now: 80) == .ok)
        #expect(evaluator.evaluate(advancing, now: 80.5) == .stop)
    }

    @Test func stopNeedsLag() {
        let caughtUp = series(committed: [100, 100, 100, 100, 100], end: 100)
        #expect(evaluator.evaluate(caughtUp, now: 1000) == .ok)
    }

    @Test func committedOffsetGoingBackwardsIsRewind() {
        let samples = series(committed: [100, 120, 90, 100, 110], end: 500)
        #expect(evaluator.evaluate(samples, now: 40) == .rewind)
    }

    /// Issue 23 item 10: as in Burrow, REWIND lasts only until the consumer is back at
    /// the offset it went back from (a rebalance re-committing older work is forgiven).
    @Test func rewindEndsOnceTheConsumerIsBackWhereItWas() {
        let recovered = series(committed: [100, 120, 90, 110, 130], end: 500)
        #expect(evaluator.evaluate(recovered, now: 40) == .ok)
        let evaluation = evaluator.evaluation(of: series(committed: [100, 120, 90, 100, 110], end: 500), now: 40)
        #expect(evaluation.reason.contains("went back from 120"))
    }

    /// Burrow holds off STOP while its broker offsets show the consumer caught up a
    /// moment ago: an idle consumer on a topic that just got one more message is not stopped.
    @Test func stopWaitsWhileTheWindowSawTheConsumerCaughtUp() {
        let idleThenOneMore = series(
            committed: [100, 100, 100, 100, 100, 100, 100], end: [100, 100, 100, 100, 100, 100, 101])
        #expect(evaluator.evaluate(idleThenOneMore, now: 60) == .ok)
        let neverCaughtUp = series(committed: [100, 100, 100, 100, 100, 100, 100], end: 101)
        #expect(evaluator.evaluate(neverCaughtUp, now: 60) == .stop)
    }

    @Test func rewindOutsideTheWindowIsForgotten() {
        let samples = series(committed: [100, 50, 60, 70, 80, 90], end: 200)
        #expect(evaluator.evaluate(samples, now: 50) == .ok)
        #expect(LagEvaluator(windowSize: 6, minimumSamples: 3).evaluate(samples, now: 50) == .rewind)
    }

    @Test func stopOutranksRewind() {
        // Rewound to 90 at t=10 and stuck there since: 50 s unchanged > 40 s window span.
        let samples = series(committed: [100, 90, 90, 90, 90], end: 500)
        #expect(evaluator.evaluate(samples, now: 60) == .stop)
    }

    @Test func rewindOutranksLagHavingBeenZero() {
        let samples = series(committed: [100, 120, 110, 115, 118], end: [150, 120, 200, 200, 200])
        #expect(evaluator.evaluate(samples, now: 40) == .rewind)
    }

    @Test func lagZeroSomewhereInTheWindowIsOK() {
        let touchedZero = series(committed: [100, 110, 120, 130, 140], end: [100, 150, 200, 250, 300])
        #expect(evaluator.evaluate(touchedZero, now: 40) == .ok)
        let neverZero = series(committed: [100, 110, 120, 130, 140], end: [101, 150, 200, 250, 300])
        #expect(evaluator.evaluate(neverZero, now: 40) == .warn)
    }

    @Test func lagThatNeverDecreasesIsWarn() {
        // lags 10, 20, 20, 30, 40: the consumer advances but falls behind.
        let samples = series(committed: [100, 110, 130, 150, 170], end: [110, 130, 150, 180, 210])
        #expect(evaluator.evaluate(samples, now: 40) == .warn)
    }

    @Test func lagThatDecreasesSomewhereIsOK() {
        // lags 50, 40, 45, 60, 55
        let samples = series(committed: [100, 120, 140, 160, 180], end: [150, 160, 185, 220, 235])
        #expect(evaluator.evaluate(samples, now: 40) == .ok)
    }

    @Test func samplesWithoutACommitAreNotPartOfTheWindow() {
        let samples = series(committed: [100, nil, 100, nil, 100], end: 500)
        #expect(evaluator.window(of: samples).map(\.time) == [0, 20, 40])
        #expect(evaluator.evaluate(samples, now: 40) == .stall)
    }

    @Test func groupIsItsWorstPartitionWithErrorsAsErr() {
        #expect(evaluator.groupStatus([]) == .ok)
        #expect(evaluator.groupStatus([.ok, .ok]) == .ok)
        #expect(evaluator.groupStatus([.ok, .warn, .ok]) == .warn)
        for error in [PartitionLagStatus.stop, .stall, .rewind] {
            #expect(evaluator.groupStatus([.ok, .warn, error]) == .err)
        }
    }

    @Test func statusesPrintLikeBurrow() {
        #expect(PartitionLagStatus.allCases.map(\.rawValue) == ["OK", "WARN", "STALL", "STOP", "REWIND"])
        #expect(GroupLagStatus.err.rawValue == "ERR")
    }
}
