import Foundation
import Kafka
import Testing

@testable import Lab

/// Client-side handling of what only a real cluster answers, through the mock's
/// fault injection (push_request_errors), and session rules around transactions.
@Suite("Injected broker errors and session transactions")
struct ClientFaultTests {
    static let notEnoughReplicas: Int32 = 19
    static let invalidProducerEpoch: Int32 = 47
    static let producerFenced: Int32 = 90

    @Test func notEnoughReplicasReachesTheDemoProducerButIsRetriedByDefault() throws {
        let t = try TestSession()
        _ = try t.output(of: "topic create t --partitions 1")
        let c = t.session.connection!
        // The demo's settings (retries=0) report the broker's first answer...
        t.embedded.injectErrors(api: .produce, [Self.notEnoughReplicas])
        let step = try MinIsrDemo.demoProduce(
            "injected", acks: "all", topic: "t", isr: [1], expected: "",
            connection: c, t.session.output, Cancellation())
        #expect(step.outcome == "NOT_ENOUGH_REPLICAS")
        // ...while librdkafka's defaults retry it (a retriable error) until it passes.
        t.embedded.injectErrors(api: .produce, [Self.notEnoughReplicas, Self.notEnoughReplicas])
        #expect(try t.output(of: "produce --topic t retried").contains("produced 1 of 1"))
        // Or until message.timeout.ms, then _MSG_TIMED_OUT: the 5-minute hang of a real
        // cluster with two brokers down, in miniature.
        _ = try t.output(of: "set message.timeout.ms 1500")
        t.embedded.injectErrors(api: .produce, Array(repeating: Self.notEnoughReplicas, count: 500))
        defer { t.embedded.clearInjectedErrors(api: .produce) }
        let started = Date()
        _ = t.run("produce --topic t timed-out")
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(t.buffer.stdout.contains("_MSG_TIMED_OUT") || t.buffer.stderr.contains("_MSG_TIMED_OUT"))
    }

    @Test func aFencedCommitMakesTheSessionDropItsProducer() throws {
        let t = try TestSession()
        _ = try t.output(of: "topic create t --partitions 1")
        _ = try t.output(of: "set transactional.id fence-test")
        _ = try t.output(of: "txn begin")
        _ = try t.output(of: "produce --topic t a")
        t.embedded.injectErrors(api: .endTxn, [Self.producerFenced])
        let failure = try t.failure(of: "txn commit")
        #expect(failure.contains("fatal"))
        #expect(failure.contains("the session dropped this producer"))
        #expect(!t.session.prompt.contains("(txn"))
        #expect(t.session.sessionProducer == nil)
        // The next begin gets a fresh producer and works.
        _ = try t.output(of: "txn begin")
        _ = try t.output(of: "txn abort")
    }

    @Test func anInvalidEpochOnProduceEndsTheTransaction() throws {
        let t = try TestSession()
        _ = try t.output(of: "topic create t --partitions 1")
        _ = try t.output(of: "set transactional.id epoch-test")
        _ = try t.output(of: "txn begin")
        t.embedded.injectErrors(api: .produce, [Self.invalidProducerEpoch])
        _ = t.run("produce --topic t a")
        // Whatever librdkafka makes of it (fatal, or abortable), the open transaction
        // cannot commit, and the session can start a new one afterwards.
        _ = t.run("txn commit")
        _ = t.run("txn abort")
        #expect(!t.session.prompt.contains("(txn"))
        _ = try t.output(of: "txn begin")
        _ = try t.output(of: "txn abort")
    }

    @Test func theSessionTransactionGetsALongTimeoutAndShowsTimeLeft() throws {
        let t = try TestSession()
        _ = try t.output(of: "topic create t --partitions 1")
        _ = try t.output(of: "set transactional.id status-test")
        _ = try t.output(of: "txn begin")
        let status = try t.json("txn status")
        #expect(status["transaction_timeout_ms"] == .integer(900_000))
        if case .int(let left)? = status["time_left_ms"] {
            #expect(left > 890_000)
        } else {
            Issue.record("no time left: \(status)")
        }
        // txn demo refuses to run beside the open session transaction.
        let refusal = try t.failure(of: "txn demo")
        #expect(refusal.contains("a session transaction is open"))
        _ = try t.output(of: "txn abort")
    }

    @Test func benchLeavesOutTheSessionTransactionalId() throws {
        let t = try TestSession()
        _ = try t.output(of: "set transactional.id bench-test")
        let text = try t.output(of: "bench --count 200 --size 16")
        #expect(text.contains("200"))
    }

    @Test func theEmbeddedClusterHasNoController() throws {
        let t = try TestSession()
        let text = try t.output(of: "cluster")
        #expect(!text.contains("controller 0"))
        #expect(text.contains("active controller none (embedded)"))
    }
}
