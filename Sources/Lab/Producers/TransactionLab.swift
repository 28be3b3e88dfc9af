import Foundation
import Kafka

/// The session's transaction, kept between `txn` commands: which producer
/// instance ran `init_transactions`, and what the open transaction holds.
///
/// When `transactional.id` is set, the session producer is the transactional
/// one, so `produce` writes into the open transaction with no change to
/// `produce` itself. The open transaction belongs to that producer instance:
/// if the session drops the producer (a fatal error such as being fenced),
/// the transaction is gone with it.
final class TransactionLab: LabState {
    struct OpenTransaction {
        let transactionalId: String
        /// The cluster's clock (Kafka's time, on which the coordinator times the
        /// transaction out: the wall clock, or a test stand-in's scripted one).
        let clock: any LabClock
        /// When it began, on `clock`.
        let began: Double
        var delivered = 0
        var failed = 0

        init(transactionalId: String, clock: any LabClock) {
            self.transactionalId = transactionalId
            self.clock = clock
            began = clock.now
        }

        /// Seconds it has been open, on the cluster's clock.
        var openSeconds: Double { clock.now - began }
    }

    /// The session producer that ran `init_transactions`. Weak: the session
    /// owns its producer, and a dropped producer must not linger here with
    /// the same transactional.id.
    weak var initializedProducer: SessionProducer?
    var open: OpenTransaction?
    /// How the last transaction ended, for `txn status`.
    var lastOutcome: String?

    var statusOrder: Int { 40 }

    /// The session's transaction lab, registered on first use.
    static func attach(to session: Session) -> TransactionLab {
        session.lab(TransactionLab.self) { TransactionLab() }
    }

    static func existing(in session: Session) -> TransactionLab? {
        session.existingLab(TransactionLab.self)
    }

    /// The open transaction, if its producer is still the session's live one.
    func currentOpen(in session: Session) -> OpenTransaction? {
        guard let o = open else { return nil }
        if let p = initializedProducer, p === session.sessionProducer, p.producer.fatalError == nil { return o }
        open = nil
        lastOutcome = "lost: its producer was dropped (fatal error) before commit; nothing of it was committed"
        return nil
    }

    /// Forgets the producer after a fatal error; the next `txn begin` gets a
    /// fresh one and runs `init_transactions` again.
    func dropProducer(in session: Session, because reason: String) {
        session.resetProducer()
        initializedProducer = nil
        if open != nil {
            open = nil
            lastOutcome = "lost: \(reason)"
        }
    }

    /// The `txn status` line: how long until the coordinator aborts the open transaction.
    static func timeLeftText(openFor seconds: Double, timeoutMs: Int) -> String {
        let left = Double(timeoutMs) / 1000 - seconds
        if left <= 0 {
            return String(
                format:
                    "none: open longer than transaction.timeout.ms (%d s); the coordinator has aborted it, and the next call fails with _FENCED",
                timeoutMs / 1000)
        }
        return String(
            format: "%.0f s of transaction.timeout.ms (%d s); then the coordinator aborts it and bumps the epoch", left,
            timeoutMs / 1000)
    }

    /// Names the transaction time-out as the cause of a fatal error when the open
    /// transaction outlived it: the coordinator aborted it and bumped the epoch, which
    /// the producer then sees as fencing although no other producer was involved.
    static func timeoutCause(openFor seconds: Double?, timeoutMs: Int) -> String? {
        guard let seconds, seconds * 1000 >= Double(timeoutMs) else { return nil }
        return String(
            format:
                "the transaction was open %.0f s, longer than transaction.timeout.ms (%d s), so the coordinator aborted it and bumped the producer epoch: the time-out, not another producer, fenced it",
            seconds, timeoutMs / 1000)
    }

    static func messages(_ n: Int) -> String { n == 1 ? "1 msg" : "\(n) msgs" }

    // MARK: LabState

    func promptSuffix(in session: Session) -> String? {
        currentOpen(in: session).map { "(txn \(Self.messages($0.delivered)))" }
    }

    /// The `transaction` line of `status`.
    struct StatusValue: Encodable, Equatable {
        /// "open" or "none".
        let state: String
        let transactionalID: String
        /// Messages in the open transaction; null when none is open.
        let delivered: Int?
        /// Until transaction.timeout.ms aborts the open transaction; null when none is open.
        let timeLeftMs: Int?

        var text: String {
            if let delivered, let timeLeftMs {
                return
                    "open: \(TransactionLab.messages(delivered)) (transactional.id \(transactionalID); \(timeLeftMs / 1000) s left of transaction.timeout.ms)"
            }
            return "none open (transactional.id \(transactionalID); `txn begin` opens one)"
        }
    }

    func statusLines(in session: Session) -> [StatusLine] {
        let value: StatusValue
        if let o = currentOpen(in: session) {
            let openFor = o.openSeconds
            value = StatusValue(
                state: "open", transactionalID: o.transactionalId, delivered: o.delivered,
                timeLeftMs: max(0, session.effectiveTransactionTimeoutMs - Int(openFor * 1000)))
        } else if let transactionalId = session.settings.producerProperties["transactional.id"] {
            value = StatusValue(state: "none", transactionalID: transactionalId, delivered: nil, timeLeftMs: nil)
        } else {
            return []
        }
        return [StatusLine("transaction", value.text, value)]
    }

    func settingsWillChange(_ change: ClientSettings.Change, in session: Session) throws {
        guard change.scope != .consumer, let o = currentOpen(in: session) else { return }
        throw LabError.invalid(
            "a transaction is open (\(Self.messages(o.delivered)), transactional.id \(o.transactionalId)): "
                + "\(change.key) cannot change until `txn commit` or `txn abort`, because a new setting means a new producer "
                + "and the open transaction belongs to the current one")
    }

    func sessionDidProduce(delivered: Int, failed: Int, in session: Session) {
        guard var o = currentOpen(in: session) else { return }
        o.delivered += delivered
        o.failed += failed
        open = o
    }

    func sessionWillDisconnect(_ session: Session) {
        guard let o = currentOpen(in: session), let p = initializedProducer else { return }
        open = nil
        do {
            try p.producer.abortTransaction(timeoutMs: session.requestTimeoutMs)
            session.output.line(
                "aborted the open transaction (\(Self.messages(o.delivered)), transactional.id \(o.transactionalId)) "
                    + "because the session is ending: read_committed consumers never see its messages")
        } catch {
            session.output.warning(
                "could not abort the open transaction (transactional.id \(o.transactionalId)): "
                    + "\(describeError(error)); the broker aborts it after transaction.timeout.ms")
        }
    }
}

extension Session {
    /// The open transaction in a few words (`3 msgs, transactional.id orders-tx`),
    /// or nil: what quitting now would abort, so the REPL can ask first.
    public var openTransactionDescription: String? {
        guard let lab = TransactionLab.existing(in: self), let o = lab.currentOpen(in: self) else { return nil }
        return "\(TransactionLab.messages(o.delivered)), transactional.id \(o.transactionalId)"
    }

    /// Why `produce` cannot run now, if a transactional producer forbids it:
    /// librdkafka refuses to produce outside a transaction with a bare
    /// `_STATE` error that does not say what to do.
    var produceRefusal: String? {
        guard let transactionalId = settings.producerProperties["transactional.id"], !transactionalId.isEmpty else {
            return nil
        }
        if TransactionLab.existing(in: self)?.currentOpen(in: self) != nil { return nil }
        return
            "transactional.id is set (\(transactionalId)): a transactional producer writes only inside a transaction; "
            + "`txn begin` first, or `unset transactional.id`"
    }
}
