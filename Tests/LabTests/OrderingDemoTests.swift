import Foundation
import Testing

@testable import Lab

/// `ordering demo` (issue 23): a retried batch overtaken by later ones, per setting, read back.
@Suite struct OrderingDemoTests {
    @Test func outOfOrderCountsRecordsAfterAHigherOne() {
        let t = OrderingDemo.tally([2, 3, 0, 1, 4], sent: 5)
        #expect(t.outOfOrder == 2 && t.duplicates == 0 && t.missing == 0)
        let d = OrderingDemo.tally([0, 1, 1, 3], sent: 4)
        #expect(d.outOfOrder == 0 && d.duplicates == 1 && d.missing == 1)
        #expect(OrderingDemo.tally(Array(0..<10), sent: 10).outOfOrder == 0)
    }

    @Test func theReadingClaimsOnlyWhatTheNumbersShow() {
        func run(_ kind: OrderingDemo.Kind, _ outOfOrder: Int, _ rate: Double) -> OrderingDemo.Run {
            OrderingDemo.Run(
                kind: kind, settings: kind.rawValue, sent: 100, read: 100, outOfOrder: outOfOrder, duplicates: 0,
                missing: 0, failedDeliveries: 0, abortedTransactions: [], msgsPerSec: rate)
        }
        let lines = OrderingDemo.reading(
            of: [run(.inFlight5, 10, 1000), run(.idempotent, 0, 1000), run(.inFlight1, 0, 300)], injected: true,
            embedded: true)
        #expect(lines[0].hasPrefix("injected on the embedded cluster"))
        #expect(lines[1].contains("10 record(s) out of order"))
        #expect(lines[2].contains("in order despite the retry") && lines[2].contains("transactional.id"))
        #expect(lines[3].contains("in order despite the retry") && !lines[3].contains("did not keep order"))
        #expect(lines[4].contains("3.3× slower"))
        // Nothing injected: no claim about retries; no cost measured: none claimed.
        let real = OrderingDemo.reading(
            of: [run(.inFlight5, 0, 1000), run(.inFlight1, 0, 1000)], injected: false, embedded: false)
        #expect(real[0].hasPrefix("nothing was injected"))
        #expect(real[1].hasSuffix(": in order") && real.last!.contains("no cost measured"))
    }

    @Test func explainOrderingCoversTheBudgetAndTheFullQueue() throws {
        let t = try #require(Concepts.named("delivery.timeout.ms")).text.replacingOccurrences(of: "\n", with: " ")
        #expect(t.contains("the whole budget of one message"))
        #expect(t.contains("max.in.flight=1 does not close the gap"))
        #expect(t.contains("buffer.memory") && t.contains("max.block.ms"))
        #expect(Concepts.named("_QUEUE_FULL")?.name == "ordering")
    }
}
