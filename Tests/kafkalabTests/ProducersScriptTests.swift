import Foundation
import Testing

/// The producers lab through the built binary: its example replays twice on a
/// served cluster, and a script that ends inside a transaction aborts it.
@Suite("Producers lab scripts")
struct ProducersScriptTests {
    @Test func example03ReplaysAndShowsWhatItPromises() throws {
        let (r, again) = try ServedExample.replayTwice("03-producers.kl")
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(again.status == 0, "second replay, stderr: \(again.stderr)")
        // The late answer is injected through the served cluster's control channel on both replays.
        #expect(
            again.stdout.contains("idempotence off: 100 duplicate(s)"), "second replay: \(again.stdout.suffix(2000))")
        #expect(r.stdout.contains("forced by idempotence"))
        // Ordering: the refusal is injected through the served control channel on both replays.
        for (run, name) in [(r, "first"), (again, "second")] {
            #expect(run.stdout.contains("OUT OF ORDER"), "\(name) replay")
            #expect(
                run.stdout.contains("injected on the embedded cluster: the leader refused the first Produce request"),
                "\(name) replay")
            #expect(run.stdout.contains("enable.idempotence=true: in order despite the retry"), "\(name) replay")
        }
        #expect(r.stdout.contains("idempotence off: 100 duplicate(s)"))
        #expect(r.stdout.contains("artefact of the embedded cluster"))
        #expect(
            r.stdout.contains(
                "idempotence on + transactional.id: the same loss that wrote 100 duplicate(s) without idempotence wrote none here"
            ))
        #expect(r.stdout.contains("not written again (0 duplicates)"))
        #expect(r.stdout.contains("orders (txn 3 msgs)> txn status"))
        #expect(r.stdout.contains("committed 3 msgs"))
        #expect(r.stdout.contains("aborted 2 msgs"))
        #expect(r.stdout.contains("READ_COMMITTED"))
        #expect(r.stdout.contains("embedded cluster: read_committed saw the aborted batch too"))
        #expect(r.stdout.contains("fencing is not modelled"))
        #expect(
            r.stdout.contains(
                "aborted the open transaction (1 msg, transactional.id orders-tx) because the session is ending"))
    }

    @Test func scriptEndingInsideATransactionAbortsItAndSaysSo() throws {
        let r = try KafkalabBinary.run(
            ["--embedded"],
            stdin: """
                topic create t
                set transactional.id t-tx
                txn begin
                produce --topic t "never committed"
                quit
                """)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("aborted the open transaction (1 msg, transactional.id t-tx)"))
    }
}
