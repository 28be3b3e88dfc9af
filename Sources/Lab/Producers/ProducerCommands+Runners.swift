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
        ctx.output.emit(
            TxnBeginResult(
                state: "open", transactionalID: transactionalId, initialized: initialized,
                producer: eos?.producerIdJSON ?? .null,
                producerText: eos?.producerIdText ?? "producer id not reported yet",
                onMock: session.connection?.control.isMock == true))
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
        ctx.output.emit(
            TxnStatusResult(
                state: state, transactionalID: transactionalId, producer: eos?.producerIdJSON ?? .null,
                producerText: eos?.producerIdText,
                open: open.map { ($0.delivered, $0.failed, Date().timeIntervalSince($0.began)) },
                transactionTimeoutMs: session.effectiveTransactionTimeoutMs, last: lab.lastOutcome))
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
