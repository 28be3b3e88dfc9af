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
        // init_transactions and every call after it write to __transaction_state.
        try ProduceAvailability.checkCoordinator(
            .transactions, key: transactionalId, connection: try session.requireConnection(), lab: ctx.path)
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
        lab.open = TransactionLab.OpenTransaction(
            transactionalId: transactionalId, clock: session.connection?.client.clock ?? WallClock())
        let eos = StatisticsRecorder.waitForProducerId(timeout: initialized ? 1.5 : 0, cancellation: ctx.cancellation) {
            sp.statistics.value
        }
        ctx.output.emit(
            TxnBeginResult(
                state: "open", transactionalID: transactionalId, initialized: initialized,
                producer: eos?.identity,
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
                state: state, transactionalID: transactionalId, producer: eos?.identity,
                open: open.map { ($0.delivered, $0.failed, $0.openSeconds) },
                transactionTimeoutMs: session.effectiveTransactionTimeoutMs, last: lab.lastOutcome))
    }

    static func runProducer(_ ctx: CommandContext) throws {
        try ctx.arguments.expectPositionals(atMost: 0)
        let session = ctx.session
        let lab = TransactionLab.attach(to: session)
        let userSet = session.settings.producerProperties
        let guarantees = try ProducerCommands.guarantees(for: userSet)
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
        ctx.output.emit(
            ProducerGuaranteesResult(
                guarantees, producer: eos?.identity, onMock: session.connection?.control.isMock == true))
    }
}
