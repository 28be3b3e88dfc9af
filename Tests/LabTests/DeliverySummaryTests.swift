import Testing

@testable import Kafka
@testable import Lab

@Suite("Delivery reports condensed, and two tallies merged")
struct DeliverySummaryTests {
    private func report(_ p: Int32, _ offset: Int64, error: Int32 = 0) -> DeliveryReport {
        DeliveryReport(partition: p, offset: offset, errorCode: error, opaque: 0, valueLength: 1)
    }

    @Test func mergingTwoTalliesCountsAsOneTallyOfEveryReport() {
        let timedOut = KafkaErrorCode.msgTimedOut
        let first = [report(0, 4), report(2, 9), report(0, 5), report(1, -1, error: timedOut)]
        let second = [report(0, 3), report(5, 7), report(1, -1, error: timedOut), report(2, 10)]
        var merged = DeliverySummary(reports: first)
        merged.merge(DeliverySummary(reports: second))
        let whole = DeliverySummary(reports: first + second)
        #expect(merged.delivered == 6 && merged.failed == 2)
        #expect(
            merged.offsetRanges.map { [Int64($0.partition), $0.first, $0.last] } == [
                [0, 3, 5], [2, 9, 10], [5, 7, 7],
            ])
        #expect(
            merged.offsetRanges.map { [Int64($0.partition), $0.first, $0.last] }
                == whole.offsetRanges.map { [Int64($0.partition), $0.first, $0.last] })
        #expect(merged.failuresByName.map(\.count) == [2])
        #expect(merged.failuresByName.map(\.name) == whole.failuresByName.map(\.name))
        // Merging into an empty tally, or an empty one in, changes nothing.
        var empty = DeliverySummary()
        empty.merge(whole)
        #expect(empty.delivered == whole.delivered && empty.offsetRanges.count == 3)
        merged.merge(DeliverySummary())
        #expect(merged.delivered == 6 && merged.failed == 2 && merged.offsetRanges.count == 3)
    }
}
