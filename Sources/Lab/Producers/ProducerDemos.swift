import Foundation
import Kafka
import Synchronization

/// The demos of the producers lab: `txn demo`, `txn fence`, `idempotence demo`.
/// Each runs its own short-lived clients, measures, and says plainly what the
/// embedded cluster cannot show.
enum ProducerDemos {
    // MARK: Shared

    /// The topic a demo writes to: the one named, or its own (created if missing).
    static func demoTopic(_ explicit: String?, defaultName: String, partitions: Int32, ctx: CommandContext) throws -> TopicInfo {
        if let explicit { return try ctx.session.requireTopic(explicit) }
        let c = try ctx.session.requireConnection()
        let md = try c.admin.metadata()
        if let t = md.topic(defaultName) { return t }
        try c.createTopic(defaultName, partitions: partitions, replicationFactor: Int32(min(3, max(1, md.brokers.count))), configs: [:])
        ctx.output.line("created \(defaultName) (\(partitions) partition\(partitions == 1 ? "" : "s")) for the demo")
        let deadline = Date().addingTimeInterval(10)
        while true {
            if let t = try c.admin.metadata().topic(defaultName), t.partitions.count == Int(partitions) { return t }
            if Date() > deadline || ctx.isCancelled { throw LabError.invalid("created \(defaultName), but it did not appear in the metadata within 10 s") }
            usleep(100_000)
        }
    }

    /// Reads the given partitions from the given offsets to their end (for
    /// read_committed: to the last stable offset) with a throwaway consumer.
    static func readBack(_ topic: String, from starts: [Int32: Int64], isolation: String, session: Session,
                         cancellation: Cancellation, progress: (Int) -> Void = { _ in }) throws -> [ConsumedMessage] {
        let consumer = try Consumer(config: session.consumerProperties(
            group: "kafkalab-readback-\(UUID().uuidString.prefix(8))",
            ["enable.auto.commit": "false", "enable.partition.eof": "true", "isolation.level": isolation]))
        defer { consumer.close() }
        try consumer.assign(starts.map { TopicPartitionOffset(topic: topic, partition: $0.key, offset: $0.value) })
        var messages: [ConsumedMessage] = []
        var atEnd = Set<Int32>()
        var lastActivity = Date()
        while atEnd.count < starts.count && !cancellation.isCancelled {
            guard let event = consumer.poll(timeoutMs: 200) else {
                if Date().timeIntervalSince(lastActivity) > 10 { break }
                continue
            }
            lastActivity = Date()
            switch event {
            case .message(let m):
                messages.append(m)
                atEnd.remove(m.partition)
                if messages.count % 1000 == 0 { progress(messages.count) }
            case .partitionEOF(let tp, _):
                atEnd.insert(tp.partition)
            case .error(let e):
                if e.isFatal { throw e }
            }
        }
        try cancellation.check()
        return messages
    }

    static func text(_ bytes: [UInt8]?) -> String { bytes.map { String(decoding: $0, as: UTF8.self) } ?? "(null)" }

    static func runId() -> String { String(UUID().uuidString.prefix(8)).lowercased() }

    static let composeHint = "`connect compose` (docker compose up -d) and run it again"

    // MARK: txn demo

    static let txnDemo = Command(
        "demo", summary: "commit one batch, abort another, read with read_committed and read_uncommitted side by side",
        usage: "txn demo [--topic T]", options: ["--topic"],
        details: "Uses its own transactional producer (a fresh transactional.id) and writes to partition 0 of the topic (default: txn-demo, created if missing). On real Kafka read_committed skips the aborted batch and the offsets of the commit and abort markers hold no message. The embedded cluster writes no markers and ignores isolation.level, so both consumers see the aborted batch there; the output says so.",
        completes: .topics
    ) { ctx in
        try ctx.arguments.expectPositionals(atMost: 0)
        let session = ctx.session
        let c = try session.requireConnection()
        let topic = try demoTopic(ctx.arguments.value("--topic"), defaultName: "txn-demo", partitions: 1, ctx: ctx)
        let partition: Int32 = 0
        let transactionalId = "kafkalab-txn-demo-\(runId())"
        let stats = StatisticsRecorder()
        let producer = try Producer(config: c.baseProperties.merging([
            "transactional.id": transactionalId, "statistics.interval.ms": "100", "client.id": "kafkalab-txn-demo",
        ]) { $1 }, onStatistics: { stats.record($0) })
        let timeout = ProducerCommands.transactionTimeout(session)
        let start = try c.admin.watermarks(topic: topic.name, partition: partition).high
        try producer.initTransactions(timeoutMs: timeout, stopWhen: { ctx.isCancelled })
        let eos = stats.waitForProducerId(timeout: 1.5, cancellation: ctx.cancellation)
        ctx.output.line("transactional producer \(transactionalId) (\(eos?.producerIdText ?? "producer id not reported")), writing to \(topic.name) partition \(partition) from offset \(start)")

        try producer.beginTransaction()
        for i in 1...3 { try producer.send(topic: topic.name, partition: partition, key: Array("demo".utf8), value: Array("committed \(i)".utf8)) }
        try producer.commitTransaction(timeoutMs: timeout, stopWhen: { ctx.isCancelled })
        ctx.output.line("transaction 1: 3 messages, committed")
        try producer.beginTransaction()
        for i in 1...3 { try producer.send(topic: topic.name, partition: partition, key: Array("demo".utf8), value: Array("aborted \(i)".utf8)) }
        try producer.flush(timeoutMs: timeout)
        try producer.abortTransaction(timeoutMs: timeout, stopWhen: { ctx.isCancelled })
        ctx.output.line("transaction 2: 3 messages, written to the log, then aborted")
        let end = try c.admin.watermarks(topic: topic.name, partition: partition).high

        let committed = try readBack(topic.name, from: [partition: start], isolation: "read_committed", session: session, cancellation: ctx.cancellation)
        let uncommitted = try readBack(topic.name, from: [partition: start], isolation: "read_uncommitted", session: session, cancellation: ctx.cancellation)
        let committedOffsets = Set(committed.map(\.offset))
        let uncommittedByOffset = Dictionary(uncommitted.map { ($0.offset, $0) }) { a, _ in a }
        var table = TextTable(headers: ["OFFSET", "VALUE", "READ_COMMITTED", "READ_UNCOMMITTED"])
        var gaps: [Int64] = []
        for offset in start..<max(end, start) {
            if let m = uncommittedByOffset[offset] {
                table.append([String(offset), text(m.value), committedOffsets.contains(offset) ? "seen" : "skipped", "seen"])
            } else {
                gaps.append(offset)
                table.append([String(offset), "(no message: transaction marker)", "-", "-"])
            }
        }
        ctx.output.table(table)
        let abortedSeenCommitted = committed.filter { text($0.value).hasPrefix("aborted") }.count
        let abortedSeenUncommitted = uncommitted.filter { text($0.value).hasPrefix("aborted") }.count
        ctx.output.line("read_uncommitted saw \(uncommitted.count) message(s), \(abortedSeenUncommitted) of them from the aborted transaction")
        ctx.output.line("read_committed saw \(committed.count) message(s), \(abortedSeenCommitted) of them from the aborted transaction")
        if !gaps.isEmpty {
            ctx.output.line("offsets \(gaps.map(String.init).joined(separator: ", ")) hold the commit and abort markers: control records that take an offset but reach no consumer")
        }
        let embedded = c.isEmbedded
        if embedded && abortedSeenCommitted > 0 {
            ctx.output.line("embedded cluster: read_committed saw the aborted batch too, because \(ProducerCommands.embeddedMarkersNote) (last stable offset = high watermark, no aborted-transaction list): there is nothing to filter on. On real Kafka read_committed skips it: \(composeHint)")
        } else if abortedSeenCommitted > 0 {
            ctx.output.warning("read_committed returned \(abortedSeenCommitted) aborted message(s); a Kafka broker should have filtered them")
        } else {
            ctx.output.line("read_committed skipped the aborted batch: the abort marker told it to")
        }
        ctx.output.setResult(.object([
            ("topic", .string(topic.name)), ("partition", .integer(partition)), ("transactional_id", .string(transactionalId)),
            ("start_offset", .integer(start)), ("end_offset", .integer(end)),
            ("read_committed", .object([("offsets", .ints(committed.map(\.offset))), ("aborted_seen", .integer(abortedSeenCommitted))])),
            ("read_uncommitted", .object([("offsets", .ints(uncommitted.map(\.offset))), ("aborted_seen", .integer(abortedSeenUncommitted))])),
            ("marker_offsets", .ints(gaps)), ("embedded", .bool(embedded)),
        ]))
    }

    // MARK: txn fence

    static let txnFence = Command(
        "fence", summary: "start a second producer with the same transactional.id and show what happens to the first",
        usage: "txn fence",
        details: "The first producer is the session's (if transactional.id is set) or a demo one; it opens a transaction and writes one message. A second producer with the same transactional.id runs init_transactions; then the first tries to write and commit. On real Kafka the second init bumps the epoch and the first is fenced (fatal _FENCED; the session drops it). The embedded cluster does not model fencing: it hands the second producer a new producer id, and the first carries on; the output says so."
    ) { ctx in
        try ctx.arguments.expectPositionals(atMost: 0)
        let session = ctx.session
        let c = try session.requireConnection()
        let lab = TransactionLab.attach(to: session)
        if let o = lab.currentOpen(in: session) {
            throw LabError.invalid("a transaction is open (\(TransactionLab.messages(o.delivered))); `txn commit` or `txn abort` it first: `txn fence` runs its own transaction on the session producer")
        }
        let timeout = ProducerCommands.transactionTimeout(session)
        let topic = try demoTopic(nil, defaultName: "txn-demo", partitions: 1, ctx: ctx)
        let sessionId = try session.producerProperties()["transactional.id"].flatMap { $0.isEmpty ? nil : $0 }
        let transactionalId = sessionId ?? "kafkalab-fence-\(runId())"

        // The first producer: the session's own, so a fence reaches the
        // session exactly as it would reach an application.
        let first: Producer
        let firstStats: () -> ClientStatistics?
        if sessionId != nil {
            let sp = try session.producer()
            if lab.initializedProducer !== sp {
                try ProducerCommands.transactional("init_transactions", lab: lab, session: session) {
                    try sp.producer.initTransactions(timeoutMs: timeout, stopWhen: { ctx.isCancelled })
                }
                lab.initializedProducer = sp
            }
            first = sp.producer
            firstStats = { sp.statistics.value }
        } else {
            let recorder = StatisticsRecorder()
            first = try Producer(config: c.baseProperties.merging([
                "transactional.id": transactionalId, "statistics.interval.ms": "100", "client.id": "kafkalab-fence-first",
            ]) { $1 }, onStatistics: { recorder.record($0) })
            try first.initTransactions(timeoutMs: timeout, stopWhen: { ctx.isCancelled })
            firstStats = { recorder.latest }
        }
        try first.beginTransaction()
        // Ctrl-C from here on must not leave the session's producer inside a
        // transaction the session does not know about.
        var firstInTransaction = sessionId != nil
        defer { if firstInTransaction && ctx.isCancelled { try? first.abortTransaction(timeoutMs: 500) } }
        try first.send(topic: topic.name, partition: 0, value: Array("from the first producer".utf8))
        try first.flush(timeoutMs: timeout)
        let firstEos = StatisticsRecorder.waitForProducerId(timeout: 1.5, cancellation: ctx.cancellation, firstStats)
        try ctx.cancellation.check()
        ctx.output.line("first producer (\(sessionId != nil ? "the session's" : "demo"), transactional.id \(transactionalId)): \(firstEos?.producerIdText ?? "producer id not reported"); transaction open with 1 message")

        let secondStats = StatisticsRecorder()
        try ctx.cancellation.check()
        let second = try Producer(config: c.baseProperties.merging([
            "transactional.id": transactionalId, "statistics.interval.ms": "100", "client.id": "kafkalab-fence-second",
        ]) { $1 }, onStatistics: { secondStats.record($0) })
        try second.initTransactions(timeoutMs: timeout, stopWhen: { ctx.isCancelled })
        let secondEos = secondStats.waitForProducerId(timeout: 1.5, cancellation: ctx.cancellation)
        try ctx.cancellation.check()
        ctx.output.line("second producer, same transactional.id: init_transactions → \(secondEos?.producerIdText ?? "producer id not reported")")

        // The first producer's next operation: one more message and a commit.
        var firstError: KafkaError? = nil
        do {
            try first.send(topic: topic.name, partition: 0, value: Array("from the first producer, after the fence".utf8))
            try first.commitTransaction(timeoutMs: timeout, stopWhen: { ctx.isCancelled })
        } catch let e as KafkaError {
            firstError = first.fatalError ?? e
        }
        firstInTransaction = false
        let fenced = firstError?.isFatal == true || first.fatalError != nil
        if let firstError {
            ctx.output.line("first producer's next operation (produce + commit): \(fenced ? "fatal " : "")\(firstError.name): \(firstError.message)")
        } else {
            ctx.output.line("first producer's next operation (produce + commit): succeeded, 2 messages committed")
        }
        var secondOutcome = "committed 1 message"
        do {
            try second.beginTransaction()
            try second.send(topic: topic.name, partition: 0, value: Array("from the second producer".utf8))
            try second.commitTransaction(timeoutMs: timeout, stopWhen: { ctx.isCancelled })
        } catch {
            secondOutcome = "failed: \(describeError(error))"
        }
        ctx.output.line("second producer: \(secondOutcome)")

        if sessionId != nil {
            if fenced {
                lab.dropProducer(in: session, because: "fenced by a newer producer with transactional.id \(transactionalId)")
                ctx.output.line("the session dropped its fenced producer; the next command gets a fresh one (and `txn begin` runs init_transactions again, fencing the second in turn)")
            } else {
                lab.lastOutcome = firstError == nil ? "committed 2 msgs (txn fence)" : "failed in txn fence: \(firstError!.name)"
                if firstError != nil { try? first.abortTransaction(timeoutMs: timeout) }
            }
        }
        if c.isEmbedded && !fenced {
            let ids = [firstEos, secondEos].map { $0?.producerIdText ?? "?" }
            ctx.output.line("embedded cluster: fencing is not modelled. The mock gave the second producer its own new id (\(ids[1])) instead of bumping the epoch of the first (\(ids[0])), so the first producer carried on. On real Kafka the second init_transactions bumps the epoch, the coordinator aborts the first's open transaction, and the first's next operation fails with fatal _FENCED: \(composeHint)")
        } else if !fenced {
            ctx.output.warning("the first producer was not fenced: a Kafka broker bumps the epoch on the second init_transactions and should have rejected the first; check that \(c.label) is Apache Kafka 0.11 or newer")
        } else {
            ctx.output.line("fenced: the first producer is a zombie now; its open transaction was aborted by the coordinator, and only a new instance with this transactional.id can write")
        }
        ctx.output.setResult(.object([
            ("transactional_id", .string(transactionalId)), ("session_producer", .bool(sessionId != nil)),
            ("first", firstEos?.producerIdJSON ?? .null), ("second", secondEos?.producerIdJSON ?? .null),
            ("first_next_operation", .object([("error", .optional(firstError?.name)), ("message", .optional(firstError?.message)), ("fenced", .bool(fenced))])),
            ("second_outcome", .string(secondOutcome)), ("embedded", .bool(c.isEmbedded)),
        ]))
    }

    // MARK: idempotence demo

    /// Errors librdkafka retries for an idempotent producer without giving up
    /// the sequence: the request was refused (or may have been written), and
    /// the same batch goes out again with the same sequence numbers.
    static let injectedFaults: [Int32] = [KafkaErrorCode.notEnoughReplicas, KafkaErrorCode.notLeaderForPartition, KafkaErrorCode.requestTimedOut]

    static let idempotenceDemo = Command(
        "demo", summary: "produce N numbered messages idempotently, count retries, read back: exactly N, no duplicates, in order",
        usage: "idempotence demo [--count N] [--faults K] [--topic T]", options: ["--count", "--faults", "--topic"],
        details: "Uses your producer properties with enable.idempotence=true (transactional.id left out), keys key-0..key-15, values numbered 0..N-1, to the topic given (default: idempotence-demo, created if missing). Retries come from librdkafka's statistics: messages sent (txmsgs) minus messages delivered. --faults K makes the next K Produce requests fail with transient errors, injected through the embedded cluster's mock (the output says so); a real cluster has no injection: stop a broker during a long run instead. Then every partition is read back from where the run started.",
        completes: .topics
    ) { ctx in
        let args = ctx.arguments
        try args.expectPositionals(atMost: 0)
        let session = ctx.session
        let c = try session.requireConnection()
        let count = try args.int("--count", default: 1000, range: 1...1_000_000)
        let faults = try args.int("--faults", default: 0, range: 0...100)
        if faults > 0 && !c.isEmbedded {
            throw LabError.unsupported("--faults injects errors through the embedded cluster's mock, and \(c.label) is a real cluster: run `idempotence demo --count 200000` and stop a broker during it (`broker stop 2`, or `docker compose stop kafka-2`) to make retries happen")
        }
        var props = try session.producerProperties()
        props["transactional.id"] = nil
        props["enable.idempotence"] = "true"
        props["statistics.interval.ms"] = "100"
        let guarantees = try ProducerCommands.guarantees(for: session.settings.producerProperties.merging(["enable.idempotence": "true"]) { $1 }.filter { $0.key != "transactional.id" })
        if let conflict = guarantees.conflicts.first {
            throw LabError.invalid("the demo uses your producer properties with enable.idempotence=true, but \(conflict); unset it first")
        }
        let topic = try demoTopic(args.value("--topic"), defaultName: "idempotence-demo", partitions: 4, ctx: ctx)
        var starts: [Int32: Int64] = [:]
        for p in topic.partitions { starts[p.id] = try c.admin.watermarks(topic: topic.name, partition: p.id).high }

        let stats = StatisticsRecorder()
        let delivered = Atomic<Int>(0)
        let failures = Mutex<[String: Int]>([:])
        let producer = try Producer(config: props, onDelivery: { r in
            if r.succeeded { delivered.add(1, ordering: .relaxed) } else { failures.withLock { $0[KafkaError.name(of: r.errorCode), default: 0] += 1 } }
        }, onStatistics: { stats.record($0) })
        if let own = session.settings.producerProperties["enable.idempotence"], !ProducerGuarantees.isTrue(own) {
            ctx.output.line("your enable.idempotence=\(own) is overridden for this demo: it needs an idempotent producer")
        }
        let eos = stats.waitForProducerId(timeout: 3, cancellation: ctx.cancellation)
        let forced = ["acks", "retries", "max.in.flight"].compactMap { n in guarantees.setting(n).map { "\(n)=\($0.value)" } }.joined(separator: ", ")
        ctx.output.line("idempotent producer: \(eos?.producerIdText ?? "no producer id reported within 3 s") (\(forced))")

        var injectedNames: [String] = []
        if faults > 0, let embedded = c.embedded {
            let codes = (0..<faults).map { injectedFaults[$0 % injectedFaults.count] }
            injectedNames = codes.map { KafkaError.name(of: $0) }
            embedded.injectErrors(api: .produce, codes)
            ctx.output.line("injected \(faults) transient error(s) into the next \(faults) Produce request(s) on the embedded cluster: \(Array(Set(injectedNames)).sorted().joined(separator: ", ")); these are not real broker failures")
        }

        let run = runId()
        let prefix = "idempotence-\(run)-"
        let started = Date()
        var sent = 0
        for i in 0..<count {
            if ctx.isCancelled { break }
            try producer.send(topic: topic.name, key: Array("key-\(i % 16)".utf8), value: Array("\(prefix)\(i)".utf8))
            sent += 1
            if sent % 5000 == 0 { ctx.output.progress("idempotence demo: \(sent)/\(count) sent, \(delivered.load(ordering: .relaxed)) delivered") }
        }
        while producer.outQueueLength > 0 {
            try? producer.flush(timeoutMs: 200)
            ctx.output.progress("idempotence demo: waiting for \(producer.outQueueLength) delivery report(s)")
            if ctx.isCancelled { break }
        }
        let elapsed = Date().timeIntervalSince(started)
        // Counters in an emission made during the flush may miss its last
        // requests; two more emissions are surely later.
        let s = stats.waitForEmissions(2, timeout: 3, cancellation: ctx.cancellation)
        let ok = delivered.load(ordering: .relaxed)
        let failed = failures.withLock { $0 }
        let transmitted = Int(s?.txMsgs ?? 0)
        let resent = max(0, transmitted - ok - failed.values.reduce(0, +))
        let produceRequests = Int(s?.produceRequests ?? 0)
        let requestRetries = Int(s?.retries ?? 0)
        ctx.output.line("produced \(ok) of \(sent) to \(topic.name) in \(String(format: "%.1f", elapsed)) s: \(produceRequests) Produce requests, \(transmitted) messages transmitted, so \(resent) re-sent after an error (retries)")
        ctx.output.hint("retries: librdkafka puts the messages of a failed batch back in the queue and sends them again with the same sequence numbers; its per-broker request-retry counter (txretries, \(requestRetries) here) does not count these, so kafkalab counts messages transmitted (statistics txmsgs) minus messages delivered")
        for (name, n) in failed.sorted(by: { $0.value > $1.value }) {
            ctx.output.line("failed: \(n) × \(name)" + (ErrorMeanings.meaning(of: name).map { ": \($0)" } ?? ""))
        }
        if ctx.isCancelled {
            // Ctrl-C answers within a second: reading everything back could take many.
            ctx.output.line("interrupted after \(sent) of \(count) sent; not read back, so nothing is verified")
            throw LabError.interrupted
        }
        let messages = try readBack(topic.name, from: starts, isolation: "read_uncommitted", session: session, cancellation: ctx.cancellation) {
            ctx.output.progress("idempotence demo: read back \($0)")
        }
        let records: [ReadBackCheck.Record] = messages.compactMap { m in
            let v = text(m.value)
            guard v.hasPrefix(prefix), let n = Int(v.dropFirst(prefix.count)) else { return nil }
            return ReadBackCheck.Record(partition: m.partition, offset: m.offset, number: n)
        }
        let check = ReadBackCheck(expected: sent, records: records)
        var table = TextTable(headers: ["CHECK", "RESULT", ""])
        table.append(["exactly N", "\(check.read) read of \(check.expected) sent" + (check.missingCount > 0 ? ", \(check.missingCount) missing (first: \(check.firstMissing.map(String.init).joined(separator: ",")))" : ""), check.exactCount ? "ok" : "FAILED"])
        table.append(["duplicates", check.duplicates.isEmpty ? "none" : "\(check.duplicates.count) number(s) read twice or more (first: \(check.duplicates.prefix(5).map(String.init).joined(separator: ",")))", check.duplicates.isEmpty ? "ok" : "FAILED"])
        table.append(["per-partition order", "numbers rise with offsets in \(check.partitionsChecked - check.partitionsOutOfOrder.count) of \(check.partitionsChecked) partition(s)", check.partitionsOutOfOrder.isEmpty ? "ok" : "FAILED"])
        ctx.output.table(table)
        ctx.output.line(check.passed
            ? "verified: exactly \(check.expected) message(s), no duplicates, order kept in every partition\(resent > 0 ? ", despite \(resent) re-sent" : "")"
            : "NOT verified: see the checks above")
        if c.isEmbedded {
            ctx.output.line("embedded cluster: it does no broker-side de-duplication for a plain idempotent producer (it checks sequence numbers only for transactional ones)\(faults > 0 ? "; no duplicate could arise here anyway, because an injected error refuses a request before anything is written" : ""). On real Kafka the broker remembers the last 5 batches per producer id and partition and drops a re-sent batch it already wrote, so a retry after a lost acknowledgement cannot duplicate: \(composeHint), stopping a broker mid-run")
        } else if resent == 0 {
            ctx.output.hint("no error was met, so nothing was re-sent: stop a broker during a longer run (`broker stop 2`) to see retries that do not duplicate")
        }
        ctx.output.setResult(.object([
            ("topic", .string(topic.name)), ("count", .integer(count)), ("sent", .integer(sent)), ("delivered", .integer(ok)),
            ("producer", eos?.producerIdJSON ?? .null),
            ("injected_errors", .strings(injectedNames)),
            ("produce_requests", .integer(produceRequests)), ("messages_transmitted", .integer(transmitted)),
            ("retries", .integer(resent)), ("request_retries", .integer(requestRetries)),
            ("verification", .object([
                ("read", .integer(check.read)), ("missing", .integer(check.missingCount)),
                ("duplicates", .integer(check.duplicates.count)), ("partitions_out_of_order", .ints(check.partitionsOutOfOrder)),
                ("passed", .bool(check.passed)),
            ])),
            ("embedded", .bool(c.isEmbedded)),
        ]))
        if sent < count { throw LabError.interrupted }
        if !check.passed { throw LabError.invalid("verification failed: \(check.read) read of \(check.expected), \(check.duplicates.count) duplicate(s), \(check.partitionsOutOfOrder.count) partition(s) out of order") }
    }
}
