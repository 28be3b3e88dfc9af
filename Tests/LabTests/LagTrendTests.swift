import Testing

@testable import Lab

@Suite struct LagTrendTests {
    @Test func ratesAndDrainTimeFromFirstAndLastSamples() {
        // Consumes 10/s, produces 5/s, 800 behind at the end: 800 / (10 - 5) = 160 s.
        let trend = LagTrend(series(committed: [0, 100, 200, 300, 400], end: [1000, 1050, 1100, 1150, 1200]))
        #expect(trend.consumptionRate == 10)
        #expect(trend.productionRate == 5)
        #expect(trend.currentLag == 800)
        #expect(trend.drain == .inSeconds(160))
        #expect(trend.secondsToDrain == 160)
        #expect(trend.noDrainReason == nil)
    }

    @Test func productionOutpacingConsumptionIsGrowing() {
        let trend = LagTrend(series(committed: [0, 25, 50, 75, 100], end: [1000, 1100, 1200, 1300, 1400]))
        #expect(trend.consumptionRate == 2.5)
        #expect(trend.productionRate == 10)
        #expect(trend.drain == .growing)
        #expect(trend.secondsToDrain == nil)
        #expect(trend.noDrainReason == "growing")
    }

    @Test func equalRatesNeverDrain() {
        let trend = LagTrend(series(committed: [0, 10, 20], end: [50, 60, 70]))
        #expect(trend.drain == .growing)
    }

    @Test func caughtUpDrainsInZeroSeconds() {
        let trend = LagTrend(series(committed: [0, 50, 100], end: [40, 80, 100]))
        #expect(trend.drain == .caughtUp)
        #expect(trend.secondsToDrain == 0)
    }

    @Test func consumptionStartsAtTheFirstCommit() {
        // No commit until t=20; from there 100 -> 300 over 20 s.
        let trend = LagTrend(series(committed: [nil, nil, 100, 200, 300], end: 1000))
        #expect(trend.consumptionRate == 10)
        #expect(trend.productionRate == 0)
        #expect(trend.secondsToDrain == 70)
    }

    @Test func oneSampleHasNoRates() {
        let trend = LagTrend([LagSample(time: 5, committed: 10, end: 20)])
        #expect(trend.consumptionRate == nil)
        #expect(trend.productionRate == nil)
        #expect(trend.currentLag == 10)
        #expect(trend.drain == .unknown)
        #expect(trend.noDrainReason == "not enough samples")
        #expect(LagTrend([]).drain == .unknown)
    }
}
