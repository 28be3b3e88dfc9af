import Foundation
import Kafka
import Testing

@testable import Lab

/// The producers lab on the embedded cluster: the transaction state machine
/// driven the way a user types it, and the idempotence demo's verification.
@Suite("Producers lab (embedded)")
struct ProducersLabTests {
    /// A session with a topic and a transactional.id, ready for `txn begin`.
    static func transactionalSession(_ topic: String = "orders") throws -> TestSession {
        let t = try TestSession()
        try t.output(of: "topic create \(topic) --partitions 2")
        try t.output(of: "use \(topic)")
        try t.output(of: "set transactional.id \(topic)-tx")
        return t
    }

    static func values(_ t: TestSession, _ topic: String, isolation: String = "read_uncommitted") throws -> [String] {
        try t.output(of: "consume \(topic) --isolation \(isolation)").split(separator: "\n").map(String.init)
    }

    @Test func beginProduceCommit() throws {
        let t = try Self.transactionalSession()
        let begin = try t.json("txn begin")
        #expect(begin["state"] == "open")
        #expect(begin["initialized"] == true)
        #expect(begin["producer"]?["producer_id"] != JSONValue.null)
        try t.output(of: "produce --count 3 \"order {i}\"")
        #expect(t.session.prompt.contains("(txn 3 msgs)"))
        #expect(t.session.openTransactionDescription?.contains("3 msgs") == true)
        let commit = try t.json("txn commit")
        #expect(commit["outcome"] == "committed")
        #expect(commit["delivered"] == 3)
        #expect(!t.session.prompt.contains("txn"))
        #expect(t.session.openTransactionDescription == nil)
        let read = try Self.values(t, "orders")
        for i in 0..<3 { #expect(read.contains { $0.contains("order \(i)") }) }
        let status = try t.json("txn status")
        #expect(status["state"] == "ready")
        #expect(status["last"] == "committed 3 msgs")
    }

    @Test func beginProduceAbortThenBeginAgainOnTheSameProducer() throws {
        let t = try Self.transactionalSession()
        try t.output(of: "txn begin")
        try t.output(of: "produce --count 2 \"cancelled {i}\"")
        let abort = try t.json("txn abort")
        #expect(abort["outcome"] == "aborted")
        #expect(abort["delivered"] == 2)
        // The embedded cluster writes no abort marker: say so, not pretend.
        #expect(abort["embedded_markers_written"] == false)
        let again = try t.json("txn begin")
        #expect(again["initialized"] == false, "init_transactions runs once per producer")
        try t.output(of: "txn commit")
    }

    @Test func stateMachineRefusals() throws {
        let t = try TestSession()
        try t.output(of: "topic create r")
        #expect(try t.failure(of: "txn begin").contains("no transactional.id set"))
        #expect(try t.failure(of: "txn commit").contains("no open transaction to commit"))
        #expect(try t.failure(of: "txn abort").contains("no open transaction to abort"))
        try t.output(of: "set transactional.id r-tx")
        #expect(try t.failure(of: "produce --topic r x").contains("`txn begin` first"))
        try t.output(of: "txn begin")
        #expect(try t.failure(of: "txn begin").contains("already open"))
        try t.output(of: "produce --topic r x")
        let before = t.session.settings
        let refusal = try t.failure(of: "set linger.ms 20")
        #expect(refusal.contains("a transaction is open (1 msg"))
        #expect(refusal.contains("linger.ms cannot change"))
        #expect(t.session.settings == before)
        #expect(try t.failure(of: "unset transactional.id").contains("cannot change"))
        // Consumer properties do not touch the producer: allowed.
        try t.output(of: "set consumer.fetch.wait.max.ms 50")
        #expect(try t.failure(of: "txn bogus").contains("unknown txn subcommand"))
        try t.output(of: "txn abort")
        try t.output(of: "set linger.ms 20")
    }

    @Test func disconnectWithAnOpenTransactionAbortsItAndSaysSo() throws {
        let t = try Self.transactionalSession("leaving")
        try t.output(of: "txn begin")
        try t.output(of: "produce \"left open\"")
        #expect(t.session.openTransactionDescription != nil)
        t.session.disconnect()
        #expect(t.buffer.stdout.contains("aborted the open transaction (1 msg, transactional.id leaving-tx)"))
        #expect(t.session.openTransactionDescription == nil)
    }

    @Test func fatalProducerErrorDropsTheProducerAndTheNextCommandGetsAFreshOne() throws {
        let t = try Self.transactionalSession("fatal")
        let first = try t.json("txn begin")
        // A transactional producer whose Produce is answered with
        // INVALID_PRODUCER_EPOCH takes itself for fenced (fatal _FENCED).
        t.embedded.injectErrors(api: .produce, [KafkaErrorCode.invalidProducerEpoch])
        let message = try t.failure(of: "produce x")
        #expect(message.contains("fatal"))
        #expect(!t.session.prompt.contains("txn"))
        #expect(try t.failure(of: "txn commit").contains("no open transaction"))
        let fresh = try t.json("txn begin")
        #expect(fresh["initialized"] == true)
        #expect(fresh["producer"]?["producer_id"] != first["producer"]?["producer_id"])
        try t.output(of: "produce y")
        try t.output(of: "txn commit")
    }

    @Test func fatalErrorOnCommitIsOneLineAndDropsTheProducer() throws {
        let t = try Self.transactionalSession("fatalcommit")
        try t.output(of: "txn begin")
        try t.output(of: "produce x")
        t.embedded.injectErrors(api: .endTxn, [KafkaErrorCode.producerFenced])
        let message = try t.failure(of: "txn commit")
        #expect(!message.contains("\n"))
        #expect(message.contains("commit_transaction failed: fatal"))
        #expect(message.contains("next command gets a fresh one"))
        #expect(t.session.openTransactionDescription == nil)
        #expect(try t.json("txn begin")["initialized"] == true)
    }

    /// One run of the demo: the lost acknowledgement must produce real duplicates
    /// without idempotence and none where the mock checks sequences.
    @Test func idempotenceDemoCountsRealDuplicatesPerRun() throws {
        let t = try TestSession()
        let r = try t.json("idempotence demo --count 20")
        #expect(r["embedded"] == true)
        #expect(r["injected_response_delay_ms"] == 5000)
        guard case .array(let runs) = r["runs"], runs.count == 3 else {
            Issue.record("expected three runs: \(r)"); return
        }
        let off = runs[0], plain = runs[1], txn = runs[2]
        #expect(off["enable_idempotence"] == false)
        for run in runs {
            #expect(run["sent"] == 20)
            #expect(run["delivered"] == 20)
            #expect(
                run["request_timeouts"].map { if case .int(let n) = $0 { n >= 1 } else { false } } == true,
                "the delayed answer must time a request out: \(run)")
            #expect(run["resent"].map { if case .int(let n) = $0 { n >= 20 } else { false } } == true)
        }
        // Off: the appended batch and its re-send are both in the log.
        #expect(off["duplicates"] == 20)
        #expect(off["read"] == 40)
        // Plain idempotent on the mock: no sequence check there (said as an artefact).
        #expect(plain["duplicates"] == 20)
        #expect(plain["producer"] != JSONValue.null)
        // Transactional: the mock's sequence check drops the re-sent batch.
        #expect(txn["transactional"] == true)
        #expect(txn["duplicates"] == 0)
        #expect(txn["read"] == 20)
    }

    @Test func producerShowsWhatIdempotenceForcesAndTheProducerId() throws {
        let t = try TestSession()
        try t.output(of: "set enable.idempotence true")
        let r = try t.json("producer")
        #expect(r["idempotent"] == true)
        #expect(r["producer"]?["producer_id"] != JSONValue.null)
        let text = try t.output(of: "producer")
        #expect(text.contains("forced by idempotence"))
        let status = try t.output(of: "status")
        #expect(status.contains("producer id"))
        // librdkafka refuses the combination when it creates a client; `set`
        // creates one to ask, so the conflict is refused, not stored.
        let refusal = try t.failure(of: "set acks 1")
        #expect(refusal.contains("acks") && refusal.contains("enable.idempotence"))
        #expect(t.session.settings.producerProperties["acks"] == nil)
    }

    @Test func txnDemoOnTheEmbeddedClusterSaysWhyReadCommittedSeesTheAbortedBatch() throws {
        let t = try TestSession()
        let r = try t.json("txn demo")
        #expect(r["embedded"] == true)
        #expect(r["read_uncommitted"]?["aborted_seen"] == 3)
        let text = try t.output(of: "txn demo")
        if r["read_committed"]?["aborted_seen"] != 0 {
            #expect(text.contains("embedded cluster: read_committed saw the aborted batch too"))
            #expect(text.contains("connect compose"))
        }
    }

    @Test func txnFenceOnTheEmbeddedClusterSaysFencingIsNotModelled() throws {
        let t = try TestSession()
        let r = try t.json("txn fence")
        #expect(r["first"]?["producer_id"] != JSONValue.null)
        #expect(r["second"]?["producer_id"] != JSONValue.null)
        if r["first_next_operation"]?["fenced"] == false {
            let text = try t.output(of: "txn fence")
            #expect(text.contains("fencing is not modelled"))
        }
    }

    @Test func consumeIsolationIsValidated() throws {
        let t = try TestSession()
        try t.output(of: "topic create iso")
        #expect(try t.failure(of: "consume iso --isolation committed").contains("read_committed or read_uncommitted"))
        let text = try t.output(of: "consume iso --isolation read_committed")
        #expect(text.contains("ignores isolation.level"))
    }
}
