import Foundation

/// The typed results of the producers lab's transaction commands: each renders its own text, and
/// its JSON is its encoding (`CommandResult`), so the two carry the same figures. Properties left
/// out of `CodingKeys` only word the text.

/// `txn begin`: a transaction is open (after init_transactions the first time).
struct TxnBeginResult: CommandResult {
    let state: String
    let transactionalID: String
    /// init_transactions ran for this `txn begin` (the first with this producer).
    let initialized: Bool
    /// The producer id and epoch from librdkafka's statistics; null when not reported yet.
    let producer: JSONValue
    /// The same for the text ("producer id not reported yet" when absent).
    let producerText: String
    /// The mock registers the transactional.id but fences nobody with it.
    let onMock: Bool

    enum CodingKeys: String, CodingKey {
        case state, transactionalID, initialized, producer
    }

    func render(into output: Output) {
        if initialized {
            output.line(
                "init_transactions: transactional.id \(transactionalID) registered with its coordinator (\(producerText))"
                    + (onMock ? "; the embedded cluster fences nobody with it" : ""))
        }
        output.line(
            "transaction open (transactional.id \(transactionalID), \(producerText)); `produce` adds to it, `txn commit` or `txn abort` ends it"
        )
    }
}

/// `txn commit|abort`: how the transaction ended.
struct TxnEndResult: CommandResult {
    /// "committed" or "aborted".
    let outcome: String
    let transactionalID: String
    let delivered: Int
    let failed: Int
    /// false on a cluster that writes no transaction markers (the mock); null where it does.
    let embeddedMarkersWritten: Bool?
    /// How long the transaction was open.
    let openSeconds: Double

    enum CodingKeys: String, CodingKey {
        case outcome, transactionalID, delivered, failed, embeddedMarkersWritten
    }

    func render(into output: Output) {
        let n = TransactionLab.messages(delivered)
        if outcome == "committed" {
            output.line(
                "committed \(n) (transactional.id \(transactionalID), open \(String(format: "%.1f", openSeconds)) s): read_committed consumers see them all at once, after the commit marker"
            )
        } else {
            output.line(
                "aborted \(n) (transactional.id \(transactionalID)): the messages stay in the log, but read_committed consumers skip them (abort marker)"
            )
        }
    }
}

/// `txn status`: the transaction state, the producer, and the open transaction's messages and time.
struct TxnStatusResult: CommandResult {
    /// off, not initialized, ready or open.
    let state: String
    let transactionalID: String?
    let producer: JSONValue
    /// Messages in the open transaction; null when none is open.
    let delivered: Int?
    let failed: Int?
    let transactionTimeoutMs: Int
    /// Until transaction.timeout.ms aborts the open transaction; null when none is open.
    let timeLeftMs: Int?
    /// How the last transaction ended ("committed 3 msgs").
    let last: String?
    let producerText: String?
    /// How long the open transaction has been open; nil when none is.
    let openForSeconds: Double?

    enum CodingKeys: String, CodingKey {
        case state, transactionalID, producer, delivered, failed, transactionTimeoutMs, timeLeftMs, last
    }

    init(
        state: String, transactionalID: String?, producer: JSONValue, producerText: String?,
        open: (delivered: Int, failed: Int, openForSeconds: Double)?, transactionTimeoutMs: Int, last: String?
    ) {
        self.state = state
        self.transactionalID = transactionalID
        self.producer = producer
        self.producerText = producerText
        delivered = open?.delivered
        failed = open?.failed
        openForSeconds = open?.openForSeconds
        self.transactionTimeoutMs = transactionTimeoutMs
        timeLeftMs = open.map { max(0, transactionTimeoutMs - Int($0.openForSeconds * 1000)) }
        self.last = last
    }

    func render(into output: Output) {
        var table = TextTable(headers: ["", ""])
        table.append([
            "state",
            state
                + (state == "off"
                    ? " (`set transactional.id <id>` enables transactions)"
                    : state == "not initialized" ? " (`txn begin` runs init_transactions)" : ""),
        ])
        table.append(["transactional.id", transactionalID ?? "(not set)"])
        table.append(["producer", producerText ?? "(none until `txn begin`)"])
        if let delivered, let failed, let openForSeconds {
            table.append([
                "messages",
                "\(delivered) delivered in this transaction"
                    + (failed > 0 ? ", \(failed) failed (commit will fail: abort)" : ""),
            ])
            table.append(["open for", String(format: "%.1f s", openForSeconds)])
            table.append([
                "time left",
                TransactionLab.timeLeftText(openFor: openForSeconds, timeoutMs: transactionTimeoutMs),
            ])
        }
        if let last { table.append(["last", last]) }
        output.line(table.render().split(separator: "\n").dropFirst().joined(separator: "\n"))
    }
}
