import Foundation
import Kafka

/// What `ProducerCommands.swift`'s commands run: one function per command, so that the
/// declarations stay a list of names, options and help.
extension ProducerCommands {
    static func runTxnBegin(_ ctx: CommandContext) throws {
        try ctx.arguments.expectPositionals(atMost: 0)
        let session = ctx.session
        let lab = TransactionLab.attach(to: session)
        if let o = lab.currentOpen(in: session) {
            throw LabError.invalid(
                "a transaction is already open (\(TransactionLab.messages(o.delivered)), transactional.id \(o.transactionalId)); `txn commit` or `txn abort` it first"
            )
        }
        guard let transactionalId = try session.producerProperties()["transactional.id"], !transactionalId.isEmpty
        else {
            throw LabError.invalid(
                "no transactional.id set: `set transactional.id <id>` first (the broker uses it to find the transaction's coordinator and to fence older producers with the same id)"
            )
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
        let eos = StatisticsRecorder.waitForProducerId(timeout: initialized ? 1.5 : 0, cancellation: ctx.cancellation) {
            sp.statistics.value
        }
        let idText = eos?.producerIdText ?? "producer id not reported yet"
        if initialized {
            var line =
                "init_transactions: transactional.id \(transactionalId) registered with its coordinator (\(idText))"
            if session.connection?.control.isMock == true { line += "; the embedded cluster fences nobody with it" }
            ctx.output.line(line)
        }
        ctx.output.line(
            "transaction open (transactional.id \(transactionalId), \(idText)); `produce` adds to it, `txn commit` or `txn abort` ends it"
        )
        ctx.output.setResult(
            .object([
                ("state", "open"), ("transactional_id", .string(transactionalId)),
                ("initialized", .bool(initialized)), ("producer", eos?.producerIdJSON ?? .null),
            ]))
    }

    static func runTxnStatus(_ ctx: CommandContext) throws {
        try ctx.arguments.expectPositionals(atMost: 0)
        let session = ctx.session
        let lab = TransactionLab.attach(to: session)
        let transactionalId = session.settings.producerProperties["transactional.id"]
        let open = lab.currentOpen(in: session)
        let initialized = lab.initializedProducer != nil && lab.initializedProducer === session.sessionProducer
        let state = open != nil ? "open" : initialized ? "ready" : transactionalId == nil ? "off" : "not initialized"
        let eos = initialized ? lab.initializedProducer?.statistics.value?.eos : nil
        var table = TextTable(headers: ["", ""])
        table.append([
            "state",
            state
                + (state == "off"
                    ? " (`set transactional.id <id>` enables transactions)"
                    : state == "not initialized" ? " (`txn begin` runs init_transactions)" : ""),
        ])
        table.append(["transactional.id", transactionalId ?? "(not set)"])
        table.append(["producer", eos?.producerIdText ?? "(none until `txn begin`)"])
        if let open {
            table.append([
                "messages",
                "\(open.delivered) delivered in this transaction"
                    + (open.failed > 0 ? ", \(open.failed) failed (commit will fail: abort)" : ""),
            ])
            table.append(["open for", String(format: "%.1f s", Date().timeIntervalSince(open.began))])
            table.append([
                "time left",
                TransactionLab.timeLeftText(
                    openFor: Date().timeIntervalSince(open.began),
                    timeoutMs: session.effectiveTransactionTimeoutMs),
            ])
        }
        if let last = lab.lastOutcome { table.append(["last", last]) }
        if ctx.output.isJSON {
            ctx.output.setResult(
                .object([
                    ("state", .string(state)), ("transactional_id", .optional(transactionalId)),
                    ("producer", eos?.producerIdJSON ?? .null),
                    ("delivered", open.map { .integer($0.delivered) } ?? .null),
                    ("failed", open.map { .integer($0.failed) } ?? .null),
                    ("transaction_timeout_ms", .integer(session.effectiveTransactionTimeoutMs)),
                    (
                        "time_left_ms",
                        open.map {
                            .integer(
                                max(
                                    0,
                                    session.effectiveTransactionTimeoutMs
                                        - Int(Date().timeIntervalSince($0.began) * 1000)))
                        } ?? .null
                    ),
                    ("last", .optional(lab.lastOutcome)),
                ]))
        } else {
            ctx.output.line(table.render().split(separator: "\n").dropFirst().joined(separator: "\n"))
        }
    }

    static func runProducer(_ ctx: CommandContext) throws {
        try ctx.arguments.expectPositionals(atMost: 0)
        let session = ctx.session
        let lab = TransactionLab.attach(to: session)
        let userSet = session.settings.producerProperties
        let guarantees = try ProducerCommands.guarantees(for: userSet)
        var table = TextTable(headers: ["SETTING", "VALUE", "WHY"])
        if let t = guarantees.transactionalId { table.append(["transactional.id", t, "set by you"]) }
        for s in guarantees.settings { table.append([s.name, s.value, s.origin.rawValue]) }
        ctx.output.table(table)
        for c in guarantees.conflicts {
            ctx.output.line("conflict: \(c); the producer will not start until you change it")
        }
        var eos: EosStats? = nil
        if guarantees.conflicts.isEmpty && guarantees.idempotent {
            let sp = try session.producer()
            if guarantees.transactionalId == nil || lab.initializedProducer === sp {
                eos = StatisticsRecorder.waitForProducerId(timeout: 2.5, cancellation: ctx.cancellation) {
                    sp.statistics.value
                }
            } else {
                eos = sp.statistics.value?.eos
            }
        }
        if guarantees.idempotent {
            if let eos, eos.hasProducerId {
                ctx.output.line(
                    "\(eos.producerIdText) (from librdkafka's statistics, eos section; idempotence state \(eos.idempotenceState ?? "?"))"
                )
            } else if guarantees.transactionalId != nil {
                ctx.output.line(
                    "no producer id yet: a transactional producer gets one at `txn begin` (init_transactions)")
            } else if guarantees.conflicts.isEmpty {
                ctx.output.line("no producer id yet: the broker had not answered InitProducerId within 2.5 s")
            }
            ctx.output.hint(
                "every batch carries the producer id, epoch and the sequence number of its first record (sequences count records, per partition); the leader acknowledges a re-sent batch it already wrote without writing it again, and refuses a gap; it remembers the last 5 batches, which is why at most 5 requests may be in flight"
            )
            if session.connection?.control.isMock == true {
                ctx.output.hint(
                    "embedded: the mock checks sequences only for transactional producers; a plain idempotent producer gets an id but no de-duplication there"
                )
            }
        } else {
            ctx.output.hint(
                "idempotence is off: a retried batch can be written twice; `set enable.idempotence true` turns it on")
            ctx.output.hint(javaIdempotenceNote)
        }
        ctx.output.setResult(
            .object([
                ("idempotent", .bool(guarantees.idempotent)),
                ("transactional_id", .optional(guarantees.transactionalId)),
                (
                    "settings",
                    .array(
                        guarantees.settings.map {
                            .object([
                                ("property", .string($0.name)), ("value", .string($0.value)),
                                ("origin", .string($0.origin.rawValue)),
                            ])
                        })
                ),
                ("conflicts", .strings(guarantees.conflicts)),
                ("producer", eos?.producerIdJSON ?? .null),
                ("java_client_default_enable_idempotence", true),
            ]))
    }
}
