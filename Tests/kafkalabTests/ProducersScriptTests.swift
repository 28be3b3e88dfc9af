import Foundation
import Testing

/// The producers lab through the built binary: its example replays on the
/// embedded cluster, and a script that ends inside a transaction aborts it.
@Suite("Producers lab scripts")
struct ProducersScriptTests {
    static var examples: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples")
    }

    @Test func example03ReplaysAndShowsWhatItPromises() throws {
        let script = try String(contentsOf: Self.examples.appendingPathComponent("03-producers.kl"), encoding: .utf8)
        let r = try KafkalabBinary.run(["--embedded"], stdin: script, timeout: 180)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("forced by idempotence"))
        #expect(r.stdout.contains("idempotence off: 100 duplicate(s)"))
        #expect(r.stdout.contains("artefact of the embedded cluster"))
        #expect(r.stdout.contains("idempotence on + transactional.id: the same loss that wrote 100 duplicate(s) without idempotence wrote none here"))
        #expect(r.stdout.contains("not written again (0 duplicates)"))
        #expect(r.stdout.contains("orders (txn 3 msgs)> txn status"))
        #expect(r.stdout.contains("committed 3 msgs"))
        #expect(r.stdout.contains("aborted 2 msgs"))
        #expect(r.stdout.contains("READ_COMMITTED"))
        #expect(r.stdout.contains("embedded cluster: read_committed saw the aborted batch too"))
        #expect(r.stdout.contains("fencing is not modelled"))
        #expect(r.stdout.contains("aborted the open transaction (1 msg, transactional.id orders-tx) because the session is ending"))
    }

    @Test func scriptEndingInsideATransactionAbortsItAndSaysSo() throws {
        let r = try KafkalabBinary.run(["--embedded"], stdin: """
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
