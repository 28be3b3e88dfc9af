import Foundation

/// The typed results of the producers lab's transaction commands: each renders its own text, and
/// its JSON is its encoding (`CommandResult`), so the two carry the same figures. Properties left
/// out of `CodingKeys` only word the text.

/// A producer's id and epoch as librdkafka's statistics report them (the `eos` section): id and
/// epoch are null until the broker assigned them (InitProducerId).
struct ProducerIdentity: Encodable, Equatable, Sendable {
    let producerId: Int64?
    let epoch: Int32?
    let idempotenceState: String?
    let transactionState: String?

    /// `producer id 573537000, epoch 0`, or why there is none yet.
    var text: String {
        guard let producerId else { return "no producer id yet" }
        return "producer id \(producerId), epoch \(epoch ?? 0)"
    }
}

/// `txn begin`: a transaction is open (after init_transactions the first time).
struct TxnBeginResult: CommandResult {
    let state: String
    let transactionalID: String
    /// init_transactions ran for this `txn begin` (the first with this producer).
    let initialized: Bool
    /// The producer id and epoch from librdkafka's statistics; null when not reported yet.
    let producer: ProducerIdentity?
    /// The mock registers the transactional.id but fences nobody with it.
    let onMock: Bool

    enum CodingKeys: String, CodingKey {
        case state, transactionalID, initialized, producer
    }

    func render(into output: Output) {
        let producerText = producer?.text ?? "producer id not reported yet"
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
    /// Null until `txn begin` initialized the producer.
    let producer: ProducerIdentity?
    /// Messages in the open transaction; null when none is open.
    let delivered: Int?
    let failed: Int?
    let transactionTimeoutMs: Int
    /// Until transaction.timeout.ms aborts the open transaction; null when none is open.
    let timeLeftMs: Int?
    /// How the last transaction ended ("committed 3 msgs").
    let last: String?
    /// How long the open transaction has been open; nil when none is.
    let openForSeconds: Double?

    enum CodingKeys: String, CodingKey {
        case state, transactionalID, producer, delivered, failed, transactionTimeoutMs, timeLeftMs, last
    }

    init(
        state: String, transactionalID: String?, producer: ProducerIdentity?,
        open: (delivered: Int, failed: Int, openForSeconds: Double)?, transactionTimeoutMs: Int, last: String?
    ) {
        self.state = state
        self.transactionalID = transactionalID
        self.producer = producer
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
        table.append(["producer", producer?.text ?? "(none until `txn begin`)"])
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

/// `producer`: the delivery settings the session producer ends up with, why, and its id.
struct ProducerGuaranteesResult: CommandResult {
    let idempotent: Bool
    let transactionalID: String?
    let settings: [ProducerGuarantees.Setting]
    /// Settings that make librdkafka refuse to create the producer.
    let conflicts: [String]
    /// Null before the broker assigned one, or when idempotence is off.
    let producer: ProducerIdentity?
    /// The Java producer turns idempotence on by default (`ProducerCommands.javaIdempotenceNote`);
    /// librdkafka 2.0.2 does not.
    let javaClientDefaultEnableIdempotence = true
    /// The mock checks sequences only for transactional producers.
    let onMock: Bool

    enum CodingKeys: String, CodingKey {
        case idempotent, transactionalID, settings, conflicts, producer, javaClientDefaultEnableIdempotence
    }

    init(_ g: ProducerGuarantees, producer: ProducerIdentity?, onMock: Bool) {
        idempotent = g.idempotent
        transactionalID = g.transactionalId
        settings = g.settings
        conflicts = g.conflicts
        self.producer = producer
        self.onMock = onMock
    }

    func render(into output: Output) {
        var table = TextTable(headers: ["SETTING", "VALUE", "WHY"])
        if let transactionalID { table.append(["transactional.id", transactionalID, "set by you"]) }
        for s in settings { table.append([s.name, s.value, s.origin.rawValue]) }
        output.table(table)
        for c in conflicts {
            output.line("conflict: \(c); the producer will not start until you change it")
        }
        guard idempotent else {
            output.hint(
                "idempotence is off: a retried batch can be written twice; `set enable.idempotence true` turns it on")
            output.hint(ProducerCommands.javaIdempotenceNote)
            return
        }
        if let producer, producer.producerId != nil {
            output.line(
                "\(producer.text) (from librdkafka's statistics, eos section; idempotence state \(producer.idempotenceState ?? "?"))"
            )
        } else if transactionalID != nil {
            output.line("no producer id yet: a transactional producer gets one at `txn begin` (init_transactions)")
        } else if conflicts.isEmpty {
            output.line("no producer id yet: the broker had not answered InitProducerId within 2.5 s")
        }
        output.hint(
            "every batch carries the producer id, epoch and the sequence number of its first record (sequences count records, per partition); the leader acknowledges a re-sent batch it already wrote without writing it again, and refuses a gap; it remembers the last 5 batches, which is why at most 5 requests may be in flight"
        )
        if onMock {
            output.hint(
                "embedded: the mock checks sequences only for transactional producers; a plain idempotent producer gets an id but no de-duplication there"
            )
        }
    }
}

/// `txn demo`: one committed and one aborted transaction read back with both isolation levels.
struct TxnDemoResult: CommandResult {
    /// What one isolation level read from the demo's start offset on.
    struct Isolation: Encodable, Equatable {
        let offsets: [Int64]
        /// Messages of the aborted transaction among them.
        let abortedSeen: Int
    }

    let topic: String
    let partition: Int32
    let transactionalID: String
    let startOffset: Int64
    /// The high watermark the demo read up to.
    let endOffset: Int64
    /// Where the high watermark would be with both transactions' messages and markers.
    let expectedEndOffset: Int64
    /// Null when it could not be read.
    let lastStableOffset: Int64?
    let readCommitted: Isolation
    let readUncommitted: Isolation
    /// Offsets in the range that hold no message a consumer receives: the transaction markers.
    let markerOffsets: [Int64]
    let embedded: Bool
    /// Each read_uncommitted message's value by offset, for the table.
    let values: [Int64: String]

    enum CodingKeys: String, CodingKey {
        case topic, partition, transactionalID, startOffset, endOffset, expectedEndOffset, lastStableOffset
        case readCommitted, readUncommitted, markerOffsets, embedded
    }

    init(
        topic: String, partition: Int32, transactionalID: String, startOffset: Int64, endOffset: Int64,
        expectedEndOffset: Int64, lastStableOffset: Int64?, readCommitted: Isolation, readUncommitted: Isolation,
        embedded: Bool, values: [Int64: String]
    ) {
        self.topic = topic
        self.partition = partition
        self.transactionalID = transactionalID
        self.startOffset = startOffset
        self.endOffset = endOffset
        self.expectedEndOffset = expectedEndOffset
        self.lastStableOffset = lastStableOffset
        self.readCommitted = readCommitted
        self.readUncommitted = readUncommitted
        self.embedded = embedded
        self.values = values
        markerOffsets = (startOffset..<max(endOffset, startOffset)).filter { values[$0] == nil }
    }

    func render(into out: Output) {
        var table = TextTable(headers: ["OFFSET", "VALUE", "READ_COMMITTED", "READ_UNCOMMITTED"])
        let committed = Set(readCommitted.offsets)
        for offset in startOffset..<max(endOffset, startOffset) {
            if let value = values[offset] {
                table.append([String(offset), value, committed.contains(offset) ? "seen" : "skipped", "seen"])
            } else {
                table.append([String(offset), "(no message: transaction marker)", "-", "-"])
            }
        }
        out.table(table)
        out.line(
            "read_uncommitted saw \(readUncommitted.offsets.count) message(s), \(readUncommitted.abortedSeen) of them from the aborted transaction"
        )
        out.line(
            "read_committed saw \(readCommitted.offsets.count) message(s), \(readCommitted.abortedSeen) of them from the aborted transaction"
        )
        if !markerOffsets.isEmpty {
            out.line(
                "offsets \(markerOffsets.map(String.init).joined(separator: ", ")) hold the commit and abort markers: control records that take an offset but reach no consumer"
            )
        }
        if let lastStableOffset, lastStableOffset < endOffset {
            out.line(
                "last stable offset \(lastStableOffset), high watermark \(endOffset): a transaction on this partition is still unresolved; read_committed consumers stop at the LSO"
            )
        }
        // A Kafka broker that let aborted messages through is a warning the runner gives (on stderr).
        if embedded && readCommitted.abortedSeen > 0 {
            out.line(
                "embedded cluster: read_committed saw the aborted batch too, because \(ProducerCommands.embeddedMarkersNote) (last stable offset = high watermark, no aborted-transaction list): there is nothing to filter on. On real Kafka read_committed skips it: \(ProducerDemos.composeHint)"
            )
        } else if readCommitted.abortedSeen == 0 {
            out.line("read_committed skipped the aborted batch: the abort marker told it to")
        }
    }
}

/// `txn fence`: a second producer with the same transactional.id, and what became of the first.
struct TxnFenceResult: CommandResult {
    /// The first producer's produce + commit after the second's init_transactions.
    struct NextOperation: Encodable, Equatable {
        /// The error's name (`_FENCED`, ...); null when the operation succeeded.
        let error: String?
        let message: String?
        /// The error was fatal: the first producer is fenced.
        let fenced: Bool
    }

    let transactionalID: String
    /// The first producer was the session's own (a transactional.id was set).
    let sessionProducer: Bool
    let first: ProducerIdentity?
    let second: ProducerIdentity?
    let firstNextOperation: NextOperation
    let secondOutcome: String
    let embedded: Bool

    func render(into out: Output) {
        let fenced = firstNextOperation.fenced
        if let error = firstNextOperation.error {
            out.line(
                "first producer's next operation (produce + commit): \(fenced ? "fatal " : "")\(error): \(firstNextOperation.message ?? "")"
            )
        } else {
            out.line("first producer's next operation (produce + commit): succeeded, 2 messages committed")
        }
        out.line("second producer: \(secondOutcome)")
        if sessionProducer && fenced {
            out.line(
                "the session dropped its fenced producer; the next command gets a fresh one (and `txn begin` runs init_transactions again, fencing the second in turn)"
            )
        }
        if fenced {
            out.line(
                "fenced: the first producer is a zombie now; its open transaction was aborted by the coordinator, and only a new instance with this transactional.id can write"
            )
        } else if embedded {
            let ids = [first, second].map { $0?.text ?? "?" }
            out.line(
                "embedded cluster: fencing is not modelled. The mock gave the second producer its own new id (\(ids[1])) instead of bumping the epoch of the first (\(ids[0])), so the first producer carried on. On real Kafka the second init_transactions bumps the epoch, the coordinator aborts the first's open transaction, and the first's next operation fails with fatal _FENCED: \(ProducerDemos.composeHint)"
            )
        }
        // Not fenced on a Kafka broker: the runner's warning (on stderr) says so.
    }
}

/// `idempotence demo`: the same lost acknowledgement met by each kind of producer, read back.
struct IdempotenceDemoResult: CommandResult {
    let topic: String
    let partition: Int32
    /// The partition's leader, which delayed its answer (embedded) or was to be paused.
    let leader: Int32
    let embedded: Bool
    /// How late the mock answered the Produce request; null where nothing was injected.
    let injectedResponseDelayMs: Int32?
    let socketTimeoutMs: Int
    let runs: [IdempotenceDemo.Run]

    func render(into out: Output) {
        for r in runs { out.line(IdempotenceDemo.summary(of: r)) }
        var table = TextTable(headers: [
            "RUN", "SENT", "DELIVERED", "RE-SENT", "TIMED-OUT REQS", "READ BACK", "DUPLICATES",
        ])
        for r in runs {
            table.append([
                r.kind.rawValue, String(r.sent), String(r.delivered), String(r.resent), String(r.requestTimeouts),
                String(r.read), String(r.duplicates),
            ])
        }
        out.table(table)
        for line in IdempotenceDemo.verdict(runs, embedded: embedded) { out.line(line) }
    }
}
