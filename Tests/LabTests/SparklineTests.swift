import Testing

@testable import Lab

@Suite struct SparklineTests {
    @Test func emptySeriesRendersNothing() {
        #expect(Sparkline.render([]) == "")
    }

    @Test func rampSpansMinimumToMaximum() {
        #expect(Sparkline.render([0, 1, 2, 3, 4, 5, 6, 7]) == "▁▂▃▄▅▆▇█")
        #expect(Sparkline.render([700, 0, 350]) == "█▁▅")
    }

    @Test func scaleIsRelativeNotAbsolute() {
        #expect(Sparkline.render([1000, 1007]) == Sparkline.render([0, 7]))
        #expect(Sparkline.render([-5, 5]) == "▁█")
    }

    @Test func allEqualValuesAreTheLowestBar() {
        #expect(Sparkline.render([42, 42, 42]) == "▁▁▁")
        #expect(Sparkline.render([42]) == "▁")
    }

    @Test func widthKeepsTheNewestValues() {
        let values: [Double] = [100, 0, 1, 2, 3]
        #expect(Sparkline.render(values, width: 3) == "▁▅█")
        #expect(Sparkline.render(values, width: 10).count == 5)
        #expect(Sparkline.render(values, width: 0) == "")
    }

    @Test func asciiUsesItsOwnRamp() {
        #expect(Sparkline.render([0, 1, 2, 3, 4], ascii: true) == "_.-=#")
        #expect(Sparkline.render([3, 3], ascii: true) == "__")
    }

    @Test func nonFiniteValuesLeaveGapsWithoutBreakingTheScale() {
        #expect(Sparkline.render([0, .nan, 7, .infinity]) == "▁ █ ")
        #expect(Sparkline.render([.nan, .nan]) == "  ")
    }

    @Test func extremeRangesDoNotOverflow() {
        #expect(Sparkline.render([-Double.greatestFiniteMagnitude, 0, Double.greatestFiniteMagnitude]) == "▁▅█")
    }
}
