import Foundation
import Kafka

/// Idempotent and transactional producers: `txn begin|commit|abort|status|demo|fence`,
/// `idempotence demo`, and `producer` (what the session producer guarantees).
enum ProducerCommands {
    static var all: [Command] { [txn, idempotence, producer] }

    static let embeddedMarkersNote = "the embedded cluster writes no transaction markers and its Fetch ignores isolation.level"

    // MARK: txn

    static let txn = Command(
        "txn", summary: "transactions: begin, produce, commit or abort; demo of isolation; fencing",
        usage: "txn begin|commit|abort|status|demo [--topic T]|fence",
        details: "Set transactional.id first (`set transactional.id orders-tx`); the session producer then is transactional, `txn begin` runs init_transactions the first time, and every `produce` until `txn commit` or `txn abort` belongs to the transaction. The prompt shows it: `(txn 3 msgs)`. Producer properties cannot change while it is open; leaving the session aborts it. On the embedded cluster commit and abort succeed but write no markers, so read_committed consumers see aborted messages too, and a second producer with the same transactional.id does not fence the first.",
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
                let cause = TransactionLab.timeoutCause(openFor: lab.open.map { Date().timeIntervalSince($0.began) },
                                                        timeoutMs: session.effectiveTransactionTimeoutMs)
                lab.dropProducer(in: session, because: "its producer hit a fatal error (\(fatal.name))" + (cause.map { ": \($0)" } ?? ""))
                throw LabError.invalid("\(what) failed: fatal \(fatal.name) (\(fatal.message))" + (cause.map { "; \($0)" } ?? "")
                    + "; the session dropped this producer and the next command gets a fresh one")
            }
            if e.txnRequiresAbort {
                throw LabError.invalid("\(what) failed: \(e.name) (\(e.message)); the transaction can only be aborted now: `txn abort`")
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
        details: "Needs transactional.id. The first begin on a producer registers the transactional.id with its coordinator (init_transactions): the broker hands out a producer id and bumps the epoch, fencing any older producer with that id (not on the embedded cluster)."
    ) { ctx in
        try ctx.arguments.expectPositionals(atMost: 0)
        let session = ctx.session
        let lab = TransactionLab.attach(to: session)
        if let o = lab.currentOpen(in: session) {
            throw LabError.invalid("a transaction is already open (\(TransactionLab.messages(o.delivered)), transactional.id \(o.transactionalId)); `txn commit` or `txn abort` it first")
        }
        guard let transactionalId = try session.producerProperties()["transactional.id"], !transactionalId.isEmpty else {
            throw LabError.invalid("no transactional.id set: `set transactional.id <id>` first (the broker uses it to find the transaction's coordinator and to fence older producers with the same id)")
        }
        let sp = try session.producer()
        var initialized = false
        if lab.initializedProducer !== sp {
            try transactional("init_transactions", lab: lab, session: session) {
                try sp.producer.initTransactions(timeoutMs: transactionTimeout(session), stopWhen: { ctx.isCancelled })
            }
            lab.initializedProducer = sp
            initialized = true
        }
        try transactional("begin_transaction", lab: lab, session: session) { try sp.producer.beginTransaction() }
        lab.open = TransactionLab.OpenTransaction(transactionalId: transactionalId, began: Date())
        let eos = StatisticsRecorder.waitForProducerId(timeout: initialized ? 1.5 : 0, cancellation: ctx.cancellation) { sp.statistics.value }
        let idText = eos?.producerIdText ?? "producer id not reported yet"
        if initialized {
            var line = "init_transactions: transactional.id \(transactionalId) registered with its coordinator (\(idText))"
            if session.connection?.isEmbedded == true { line += "; the embedded cluster fences nobody with it" }
            ctx.output.line(line)
        }
        ctx.output.line("transaction open (transactional.id \(transactionalId), \(idText)); `produce` adds to it, `txn commit` or `txn abort` ends it")
        ctx.output.setResult(.object([("state", "open"), ("transactional_id", .string(transactionalId)),
                                      ("initialized", .bool(initialized)), ("producer", eos?.producerIdJSON ?? .null)]))
    }

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
            throw LabError.invalid("no open transaction to \(verb)" + (lab.lastOutcome.map { " (the last one: \($0))" } ?? "") + "; `txn begin` opens one")
        }
        try transactional("\(verb)_transaction", lab: lab, session: session) {
            if commit {
                try sp.producer.commitTransaction(timeoutMs: transactionTimeout(session), stopWhen: { ctx.isCancelled })
            } else {
                try sp.producer.abortTransaction(timeoutMs: transactionTimeout(session), stopWhen: { ctx.isCancelled })
            }
        }
        lab.open = nil
        let n = TransactionLab.messages(o.delivered)
        let seconds = Date().timeIntervalSince(o.began)
        lab.lastOutcome = "\(commit ? "committed" : "aborted") \(n)"
        if commit {
            ctx.output.line("committed \(n) (transactional.id \(o.transactionalId), open \(String(format: "%.1f", seconds)) s): read_committed consumers see them all at once, after the commit marker")
        } else {
            ctx.output.line("aborted \(n) (transactional.id \(o.transactionalId)): the messages stay in the log, but read_committed consumers skip them (abort marker)")
        }
        if session.connection?.isEmbedded == true {
            ctx.output.hint("embedded: \(embeddedMarkersNote), so read_committed consumers saw these messages as soon as they were written\(commit ? "" : ", aborted or not") (`txn demo` shows it)")
        }
        ctx.output.setResult(.object([("outcome", .string(commit ? "committed" : "aborted")),
                                      ("transactional_id", .string(o.transactionalId)),
                                      ("delivered", .integer(o.delivered)), ("failed", .integer(o.failed)),
                                      ("embedded_markers_written", session.connection?.isEmbedded == true ? false : .null)]))
    }

    static let txnStatus = Command(
        "status", summary: "the transaction state, transactional.id, producer id and epoch, messages in the open transaction",
        usage: "txn status"
    ) { ctx in
        try ctx.arguments.expectPositionals(atMost: 0)
        let session = ctx.session
        let lab = TransactionLab.attach(to: session)
        let transactionalId = session.settings.producerProperties["transactional.id"]
        let open = lab.currentOpen(in: session)
        let initialized = lab.initializedProducer != nil && lab.initializedProducer === session.sessionProducer
        let state = open != nil ? "open" : initialized ? "ready" : transactionalId == nil ? "off" : "not initialized"
        let eos = initialized ? lab.initializedProducer?.statistics.value?.eos : nil
        var table = TextTable(headers: ["", ""])
        table.append(["state", state + (state == "off" ? " (`set transactional.id <id>` enables transactions)"
                                        : state == "not initialized" ? " (`txn begin` runs init_transactions)" : "")])
        table.append(["transactional.id", transactionalId ?? "(not set)"])
        table.append(["producer", eos?.producerIdText ?? "(none until `txn begin`)"])
        if let open {
            table.append(["messages", "\(open.delivered) delivered in this transaction" + (open.failed > 0 ? ", \(open.failed) failed (commit will fail: abort)" : "")])
            table.append(["open for", String(format: "%.1f s", Date().timeIntervalSince(open.began))])
            table.append(["time left", TransactionLab.timeLeftText(openFor: Date().timeIntervalSince(open.began),
                                                                    timeoutMs: session.effectiveTransactionTimeoutMs)])
        }
        if let last = lab.lastOutcome { table.append(["last", last]) }
        if ctx.output.isJSON {
            ctx.output.setResult(.object([
                ("state", .string(state)), ("transactional_id", .optional(transactionalId)),
                ("producer", eos?.producerIdJSON ?? .null),
                ("delivered", open.map { .integer($0.delivered) } ?? .null),
                ("failed", open.map { .integer($0.failed) } ?? .null),
                ("transaction_timeout_ms", .integer(session.effectiveTransactionTimeoutMs)),
                ("time_left_ms", open.map { .integer(max(0, session.effectiveTransactionTimeoutMs - Int(Date().timeIntervalSince($0.began) * 1000))) } ?? .null),
                ("last", .optional(lab.lastOutcome)),
            ]))
        } else {
            ctx.output.line(table.render().split(separator: "\n").dropFirst().joined(separator: "\n"))
        }
    }

    // MARK: idempotence

    static let idempotence = Command(
        "idempotence", summary: "idempotent producer: producer id, sequence numbers, retries without duplicates",
        usage: "idempotence demo [--count N] [--topic T] [--for 20s]",
        details: "`set enable.idempotence true` makes the session producer idempotent; `producer` shows what that forces.",
        subcommands: [IdempotenceDemo.command]
    )

    // MARK: producer

    static let producer = Command(
        "producer", summary: "the session producer: idempotence, what it forces, producer id and epoch",
        usage: "producer",
        details: "Reads the settings librdkafka would use (your properties over its defaults) and what idempotence forces: acks=all, unlimited retries, at most 5 requests in flight. The producer id and epoch come from librdkafka's statistics (section eos) once the broker assigned them: at start for an idempotent producer, at the first `txn begin` for a transactional one."
    ) { ctx in
        try ctx.arguments.expectPositionals(atMost: 0)
        let session = ctx.session
        let lab = TransactionLab.attach(to: session)
        let userSet = session.settings.producerProperties
        let guarantees = try ProducerCommands.guarantees(for: userSet)
        var table = TextTable(headers: ["SETTING", "VALUE", "WHY"])
        if let t = guarantees.transactionalId { table.append(["transactional.id", t, "set by you"]) }
        for s in guarantees.settings { table.append([s.name, s.value, s.origin.rawValue]) }
        ctx.output.table(table)
        for c in guarantees.conflicts { ctx.output.line("conflict: \(c); the producer will not start until you change it") }
        var eos: EosStats? = nil
        if guarantees.conflicts.isEmpty && guarantees.idempotent {
            let sp = try session.producer()
            if guarantees.transactionalId == nil || lab.initializedProducer === sp {
                eos = StatisticsRecorder.waitForProducerId(timeout: 2.5, cancellation: ctx.cancellation) { sp.statistics.value }
            } else {
                eos = sp.statistics.value?.eos
            }
        }
        if guarantees.idempotent {
            if let eos, eos.hasProducerId {
                ctx.output.line("\(eos.producerIdText) (from librdkafka's statistics, eos section; idempotence state \(eos.idempotenceState ?? "?"))")
            } else if guarantees.transactionalId != nil {
                ctx.output.line("no producer id yet: a transactional producer gets one at `txn begin` (init_transactions)")
            } else if guarantees.conflicts.isEmpty {
                ctx.output.line("no producer id yet: the broker had not answered InitProducerId within 2.5 s")
            }
            ctx.output.hint("every batch carries the producer id, epoch and the sequence number of its first record (sequences count records, per partition); the leader acknowledges a re-sent batch it already wrote without writing it again, and refuses a gap; it remembers the last 5 batches, which is why at most 5 requests may be in flight")
            if session.connection?.isEmbedded == true {
                ctx.output.hint("embedded: the mock checks sequences only for transactional producers; a plain idempotent producer gets an id but no de-duplication there")
            }
        } else {
            ctx.output.hint("idempotence is off: a retried batch can be written twice; `set enable.idempotence true` turns it on")
            ctx.output.hint(javaIdempotenceNote)
        }
        ctx.output.setResult(.object([
            ("idempotent", .bool(guarantees.idempotent)), ("transactional_id", .optional(guarantees.transactionalId)),
            ("settings", .array(guarantees.settings.map { .object([("property", .string($0.name)), ("value", .string($0.value)), ("origin", .string($0.origin.rawValue))]) })),
            ("conflicts", .strings(guarantees.conflicts)),
            ("producer", eos?.producerIdJSON ?? .null),
            ("java_client_default_enable_idempotence", true),
        ]))
    }

    /// librdkafka and the Java client disagree on this default; learners moving between them trip on it.
    static let javaIdempotenceNote = "the Java producer (Kafka 3.0 and later, 3.9 included) would have idempotence on by default, with acks=all; librdkafka 2.0.2 defaults to enable.idempotence=false (`explain defaults` compares the two clients)"

    /// The guarantees for these user-set producer properties, with
    /// librdkafka's own defaults filled in.
    static func guarantees(for userSet: [String: String]) throws -> ProducerGuarantees {
        let defaults = try ClientConfig.effectiveValues(of: [:], keys: ["enable.idempotence", "retries", "max.in.flight", "acks"])
        return ProducerGuarantees.evaluate(userSet: userSet, defaults: defaults)
    }
}
