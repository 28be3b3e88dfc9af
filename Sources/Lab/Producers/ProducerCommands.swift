import Foundation
import Kafka

/// Idempotent and transactional producers: `txn begin|commit|abort|status|demo|fence`,
/// `idempotence demo`, and `producer` (what the session producer guarantees).
enum ProducerCommands {
    static var all: [Command] { [txn, idempotence, producer, OrderingDemo.command] }

    static let embeddedMarkersNote =
        "the embedded cluster writes no transaction markers and its Fetch ignores isolation.level"

    // MARK: txn

    static let txn = Command(
        "txn", summary: "transactions: begin, produce, commit or abort; demo of isolation; fencing",
        usage: "txn begin|commit|abort|status|demo [--topic T]|fence",
        details:
            "Set transactional.id first (`set transactional.id orders-tx`); the session producer then is transactional, `txn begin` runs init_transactions the first time, and every `produce` until `txn commit` or `txn abort` belongs to the transaction. The prompt shows it: `(txn 3 msgs)`. Producer properties cannot change while it is open; leaving the session aborts it. On the embedded cluster commit and abort succeed but write no markers, so read_committed consumers see aborted messages too, and a second producer with the same transactional.id does not fence the first.",
        subcommands: [txnBegin, txnCommit, txnAbort, txnStatus, ProducerDemos.txnDemo, ProducerDemos.txnFence]
    )

    /// Runs one transactional call, turning librdkafka's error classes into
    /// the one line the user needs: fatal (producer dropped), abortable
    /// (`txn abort`), retriable (try again).
    static func transactional(_ what: String, lab: TransactionLab, session: Session, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let e as KafkaError {
            if e.isFatal || lab.initializedProducer?.producer.fatalError != nil {
                let fatal = lab.initializedProducer?.producer.fatalError ?? e
                let cause = TransactionLab.timeoutCause(
                    openFor: lab.open.map(\.openSeconds),
                    timeoutMs: session.effectiveTransactionTimeoutMs)
                lab.dropProducer(
                    in: session,
                    because: "its producer hit a fatal error (\(fatal.name))" + (cause.map { ": \($0)" } ?? ""))
                throw LabError.invalid(
                    "\(what) failed: fatal \(fatal.name) (\(fatal.message))" + (cause.map { "; \($0)" } ?? "")
                        + "; the session dropped this producer and the next command gets a fresh one")
            }
            if e.txnRequiresAbort {
                throw LabError.invalid(
                    "\(what) failed: \(e.name) (\(e.message)); the transaction can only be aborted now: `txn abort`")
            }
            if e.isRetriable {
                throw LabError.invalid("\(what) failed: \(e.name) (\(e.message)); retriable: run it again")
            }
            throw LabError.invalid("\(what) failed: \(e)")
        }
    }

    /// Transactional calls may wait for the coordinator; allow twice the
    /// session's request timeout.
    static func transactionTimeout(_ session: Session) -> Int32 { session.requestTimeoutMs * 2 }

    static let txnBegin = Command(
        "begin", summary: "open a transaction on the session producer (init_transactions the first time)",
        usage: "txn begin",
        details:
            "Needs transactional.id. The first begin on a producer registers the transactional.id with its coordinator (init_transactions): the broker hands out a producer id and bumps the epoch, fencing any older producer with that id (not on the embedded cluster)."
    ) { ctx in try runTxnBegin(ctx) }

    static let txnCommit = Command(
        "commit", summary: "commit the open transaction: all its messages become visible at once",
        usage: "txn commit"
    ) { ctx in
        try finish(ctx, commit: true)
    }

    static let txnAbort = Command(
        "abort", summary: "abort the open transaction: its messages stay in the log, read_committed skips them",
        usage: "txn abort"
    ) { ctx in
        try finish(ctx, commit: false)
    }

    static func finish(_ ctx: CommandContext, commit: Bool) throws {
        try ctx.arguments.expectPositionals(atMost: 0)
        let session = ctx.session
        let lab = TransactionLab.attach(to: session)
        let verb = commit ? "commit" : "abort"
        guard let o = lab.currentOpen(in: session), let sp = lab.initializedProducer else {
            throw LabError.invalid(
                "no open transaction to \(verb)" + (lab.lastOutcome.map { " (the last one: \($0))" } ?? "")
                    + "; `txn begin` opens one")
        }
        // EndTxn is written to __transaction_state first: below its min ISR the call would
        // be retried until it times out. The transaction stays open meanwhile.
        try ProduceAvailability.checkCoordinator(
            .transactions, key: o.transactionalId, connection: try session.requireConnection(), lab: ctx.path)
        try transactional("\(verb)_transaction", lab: lab, session: session) {
            if commit {
                try sp.producer.commitTransaction(timeoutMs: transactionTimeout(session), stopWhen: { ctx.isCancelled })
            } else {
                try sp.producer.abortTransaction(timeoutMs: transactionTimeout(session), stopWhen: { ctx.isCancelled })
            }
        }
        lab.open = nil
        let n = TransactionLab.messages(o.delivered)
        let seconds = o.openSeconds
        lab.lastOutcome = "\(commit ? "committed" : "aborted") \(n)"
        ctx.output.emit(
            TxnEndResult(
                outcome: commit ? "committed" : "aborted", transactionalID: o.transactionalId, delivered: o.delivered,
                failed: o.failed,
                embeddedMarkersWritten: session.connection?.can(.transactionMarkers) == false ? false : nil,
                openSeconds: seconds))
        if session.connection?.can(.transactionMarkers) == false {
            ctx.output.hint(
                "embedded: \(embeddedMarkersNote), so read_committed consumers saw these messages as soon as they were written\(commit ? "" : ", aborted or not") (`txn demo` shows it)"
            )
        }
    }

    static let txnStatus = Command(
        "status",
        summary: "the transaction state, transactional.id, producer id and epoch, messages in the open transaction",
        usage: "txn status"
    ) { ctx in try runTxnStatus(ctx) }

    // MARK: idempotence

    static let idempotence = Command(
        "idempotence", summary: "idempotent producer: producer id, sequence numbers, retries without duplicates",
        usage: "idempotence demo [--count N] [--topic T] [--for 20s]",
        details:
            "`set enable.idempotence true` makes the session producer idempotent; `producer` shows what that forces.",
        subcommands: [IdempotenceDemo.command]
    )

    // MARK: producer

    static let producer = Command(
        "producer", summary: "the session producer: idempotence, what it forces, producer id and epoch",
        usage: "producer",
        details:
            "Reads the settings librdkafka would use (your properties over its defaults) and what idempotence forces: acks=all, unlimited retries, at most 5 requests in flight. The producer id and epoch come from librdkafka's statistics (section eos) once the broker assigned them: at start for an idempotent producer, at the first `txn begin` for a transactional one."
    ) { ctx in try runProducer(ctx) }

    /// librdkafka and the Java client disagree on this default; learners moving between them trip on it.
    static let javaIdempotenceNote =
        "the Java producer (from Kafka 3.0.1, 3.1.1 and 3.2, 3.9 included) would have idempotence on by default, with acks=all, unless acks, retries or max.in.flight.requests.per.connection were set against it; librdkafka 2.0.2 defaults to enable.idempotence=false (`explain defaults` compares the two clients)"

    /// The guarantees for these user-set producer properties, with
    /// librdkafka's own defaults filled in.
    static func guarantees(for userSet: [String: String]) throws -> ProducerGuarantees {
        let defaults = try ClientConfig.effectiveValues(
            of: [:], keys: ["enable.idempotence", "retries", "max.in.flight", "acks"])
        return ProducerGuarantees.evaluate(userSet: userSet, defaults: defaults)
    }
}
