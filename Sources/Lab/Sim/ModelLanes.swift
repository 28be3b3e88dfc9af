import Foundation

/// The three lanes a `sim` step shows beside the replicas: what the producer
/// was told and what `send()` returns, what consumers can read, and what is
/// on disk. Pure: each lane is derived from the model after the step, the
/// model before it, the step's result and the lanes of the step before (a
/// client remembers what it was told: `send()` does not take back an answer,
/// and a consumer remembers the highest HW it saw). Each rule names the
/// apache/kafka source it follows.
struct ModelLanes: Equatable, Sendable, Encodable {
    var producer: ProducerLane
    var consumer: ConsumerLane
    var disk: DiskLane

    /// The lanes of a fresh model (nothing sent, nothing read, nothing on disk).
    init(start model: ReplicationModel, settings: ModelProducerSettings) {
        producer = ProducerLane(settings: settings, writes: [])
        consumer = ConsumerLane(model, highestSeenBefore: nil)
        disk = DiskLane(model, previous: nil)
    }

    /// The lanes after one move, from the lanes before it.
    init(
        after action: SimAction, step: ModelStep, model: ReplicationModel, previous: ReplicationModel,
        before: ModelLanes, settings: ModelProducerSettings
    ) {
        producer = ProducerLane(
            model, action: action, step: step, previous: previous, before: before.producer, settings: settings)
        consumer = ConsumerLane(model, highestSeenBefore: before.consumer.highestSeen)
        disk = DiskLane(model, previous: previous)
    }

    /// The same step under other producer settings (`set retries 0` before `sim show`): what
    /// send() has already returned stays, the writes still waiting are answered anew.
    func under(_ settings: ModelProducerSettings, model: ReplicationModel) -> ModelLanes {
        guard settings != producer.settings else { return self }
        var lanes = self
        lanes.producer = ProducerLane(
            model, action: nil, step: ModelStep(event: "show"), previous: model, before: producer, settings: settings)
        return lanes
    }
}

// MARK: producer

/// The producer settings the producer lane plays: the session's, over the Java
/// client's 3.x defaults (clients/src/main/java/org/apache/kafka/clients/producer/ProducerConfig.java:
/// enable.idempotence=true since 3.0, retries=Integer.MAX_VALUE, delivery.timeout.ms=120000). request.timeout.ms is
/// the model's own (how long the leader holds an acks=all request, and how long the
/// client waits for it).
struct ModelProducerSettings: Equatable, Sendable, Encodable {
    var enableIdempotence = true
    var retries = 2_147_483_647
    var deliveryTimeoutMs = 120_000
    var requestTimeoutMs = 30_000
    var retryBackoffMs = 100

    init() {}

    /// The session's producer properties (`set enable.idempotence false`, `set retries 0`,
    /// `set delivery.timeout.ms 60000`; librdkafka's names message.send.max.retries and
    /// message.timeout.ms count too); unset or unreadable ones keep the 3.x default.
    init(properties: [String: String], requestTimeoutMs: Int) {
        self.requestTimeoutMs = requestTimeoutMs
        if let v = properties["enable.idempotence"].flatMap(ReplicationModel.parseBool) { enableIdempotence = v }
        if let v = (properties["retries"] ?? properties["message.send.max.retries"]).flatMap({ Int($0) }), v >= 0 {
            retries = v
        }
        if let v = (properties["delivery.timeout.ms"] ?? properties["message.timeout.ms"]).flatMap({ Int($0) }),
            v > 0
        {
            deliveryTimeoutMs = v
        }
        if let v = properties["retry.backoff.ms"].flatMap({ Int($0) }), v >= 0 { retryBackoffMs = v }
    }

    var label: String {
        "enable.idempotence=\(enableIdempotence), retries=\(retries == 2_147_483_647 ? "MAX" : String(retries)), delivery.timeout.ms=\(deliveryTimeoutMs), request.timeout.ms=\(requestTimeoutMs)"
    }
}

/// Per write: the broker's answer to the request, and what `send()` returns.
struct ProducerLane: Equatable, Sendable, Encodable {
    /// What the broker answered this request, in the words predictions use.
    enum Answer: String, Sendable, Encodable {
        /// The leader appended it; acks=all: the answer waits for the HW (acks=0: none ever comes).
        case accepted
        case acknowledged
        /// An error before anything was appended (NOT_ENOUGH_REPLICAS, LEADER_NOT_AVAILABLE).
        case refused
        /// The request reached nobody who answers (the leader crashed and is not fenced yet).
        case noAnswerYet = "no answer yet"
        /// An error after the append (REQUEST_TIMED_OUT, NOT_LEADER_OR_FOLLOWER,
        /// NOT_ENOUGH_REPLICAS_AFTER_APPEND): the record may well be in the log.
        case failed
    }

    /// What the application's `send()` (its future or callback) returns.
    enum Send: String, Sendable, Encodable {
        case acknowledged
        case noAnswerYet = "no answer yet"
        case failed
        /// acks=0: it completes as the request leaves, with no offset.
        case sent
        var isFinal: Bool { self != .noAnswerYet }
    }

    struct Entry: Equatable, Sendable, Encodable {
        /// The record (`m0`, ...); nil for a request that appended nothing.
        let value: String?
        let acks: String
        /// Where the leader appended it; nil when nothing was appended.
        let offset: Int?
        let answer: Answer
        /// The Kafka error of the answer, if any.
        let error: String?
        let send: Send
        /// The sentence that explains the pair.
        let detail: String
        /// A retry found the record already in the leader's log and was answered with its offset.
        let deduplicated: Bool
        /// `send()` said acknowledged and the partition no longer holds the record.
        let lost: Bool
        /// Sent by this step's produce request.
        let sentThisStep: Bool
        /// New, or different from the step before.
        let changed: Bool
    }

    let settings: ModelProducerSettings
    let writes: [Entry]

    /// Entries still waiting for `send()`, and those this step changed: what the text shows.
    var shown: [Entry] { writes.filter { $0.changed || !$0.send.isFinal || $0.lost } }

    /// The answer to this step's produce request, for predictions: nil when the step sent none.
    var request: Entry? { writes.last { $0.sentThisStep } }

    init(settings: ModelProducerSettings, writes: [Entry]) {
        self.settings = settings
        self.writes = writes
    }

    init(
        _ m: ReplicationModel, action: SimAction?, step: ModelStep, previous: ReplicationModel, before: ProducerLane,
        settings s: ModelProducerSettings
    ) {
        settings = s
        let old = Dictionary(before.writes.compactMap { e in e.value.map { ($0, e) } }) { a, _ in a }
        let held = Self.held(m)
        var list: [Entry] = []
        for w in m.writes {
            var e = Self.entry(w, in: m, settings: s, held: held)
            if let was = old[w.value] {
                // send() answers once: a final answer stays, whatever the log does later
                // (clients/.../producer/internals/Sender.java completeBatch, ProducerBatch.java done).
                if was.send.isFinal {
                    e = Entry(
                        value: e.value, acks: e.acks, offset: e.offset, answer: e.answer, error: e.error,
                        send: was.send, detail: was.send == e.send ? e.detail : Self.withoutLostNote(was.detail),
                        deduplicated: was.deduplicated, lost: was.send == .acknowledged && !held.contains(w.value),
                        sentThisStep: false, changed: false)
                }
                let changed = was.answer != e.answer || was.send != e.send || was.lost != e.lost
                e = e.with(changed: changed, sentThisStep: false)
            } else {
                e = e.with(changed: true, sentThisStep: true)
            }
            if e.lost {
                let gone =
                    m.leaderReplica.map { "leader \($0.id)'s log no longer has it" } ?? "no replica has it any more"
                e = e.with(detail: Self.withoutLostNote(e.detail) + "; \(gone)" + Self.lostNote)
            }
            list.append(e)
        }
        // A request the model refused appended nothing and is no write of the model: it shows in its step only.
        if let sent = action?.produceRequest, let error = step.error, m.writes.count == previous.writes.count {
            list.append(Self.unappended(error: error, acks: sent.acks, count: sent.count, settings: s))
        }
        writes = list
    }

    static let lostNote = ": lost, though send() returned acknowledged"

    /// A detail without the sentence a lost write got at an earlier step (the leader may have changed since).
    static func withoutLostNote(_ detail: String) -> String {
        guard detail.hasSuffix(lostNote), let cut = detail.range(of: "; ", options: .backwards) else { return detail }
        return String(detail[..<cut.lowerBound])
    }

    /// The records the partition holds, as `ReplicationModel.lostWrites` counts them.
    static func held(_ m: ReplicationModel) -> Set<String> {
        if let l = m.leaderReplica, l.up { return Set(l.log.map(\.value)) }
        return Set(m.replicas.flatMap { $0.log.map(\.value) })
    }

    /// A produce request that appended nothing. NOT_ENOUGH_REPLICAS and LEADER_NOT_AVAILABLE
    /// are answers (core/src/main/scala/kafka/cluster/Partition.scala appendRecordsToLeader,
    /// kafka/server/ReplicaManager.scala appendRecords); a crashed leader answers nothing, and
    /// the client gives up after request.timeout.ms (clients/.../NetworkClient.java). All three
    /// errors are retriable (RetriableException), so with retries the producer tries again until
    /// delivery.timeout.ms (clients/.../producer/internals/Sender.java canRetry); the model does
    /// not play that retry.
    static func unappended(error: String, acks: ModelAcks, count: Int, settings s: ModelProducerSettings) -> Entry {
        let silent = error == "REQUEST_TIMED_OUT"
        let answer: Answer = silent ? .noAnswerYet : .refused
        let what = count == 1 ? "the request (1 record)" : "the request (\(count) records)"
        let first =
            silent
            ? "the leader has crashed, so \(what) gets no answer; the client gives up after request.timeout.ms (\(ReplicationModel.ms(s.requestTimeoutMs))) with REQUEST_TIMED_OUT"
            : "\(what) was refused with \(error); nothing was appended"
        if s.retries == 0 {
            return Entry(
                value: nil, acks: acks.rawValue, offset: nil, answer: answer, error: error, send: .failed,
                detail: first + "; retries=0, so send() fails with \(error)", deduplicated: false, lost: false,
                sentThisStep: true, changed: true)
        }
        return Entry(
            value: nil, acks: acks.rawValue, offset: nil, answer: answer, error: error, send: .noAnswerYet,
            detail: first
                + "; \(error) is retriable, so send() waits while the producer retries every retry.backoff.ms (\(s.retryBackoffMs) ms) for up to delivery.timeout.ms (\(ReplicationModel.ms(s.deliveryTimeoutMs))); the model does not play the retry",
            deduplicated: false, lost: false, sentThisStep: true, changed: true)
    }

    /// One write of the model: the broker's answer as the model recorded it, and what
    /// send() returns under the settings (clients/.../producer/internals/Sender.java
    /// completeBatch, canRetry, failBatch).
    static func entry(
        _ w: ModelWrite, in m: ReplicationModel, settings s: ModelProducerSettings, held: Set<String>
    )
        -> Entry
    {
        func make(_ answer: Answer, _ error: String?, _ send: Send, _ detail: String, dedup: Bool = false) -> Entry {
            Entry(
                value: w.value, acks: w.acks.rawValue, offset: w.offset, answer: answer, error: error, send: send,
                detail: detail, deduplicated: dedup, lost: send == .acknowledged && !held.contains(w.value),
                sentThisStep: false, changed: false)
        }
        let at = "at offset \(w.offset)"
        switch w.status {
        case .acknowledged:
            return make(
                .acknowledged, nil, .acknowledged,
                w.acks == .leader
                    ? "acks=1: the leader answered as soon as it appended \(w.value) \(at), before any follower had it"
                    : "acks=all: answered once the HW passed offset \(w.offset)")
        case .unacknowledged:
            return make(
                .accepted, nil, .sent,
                "acks=0: the leader appended it \(at) and answers nothing; send() completed as the request left, with no offset"
            )
        case .pending:
            // core/src/main/scala/kafka/server/DelayedProduce.scala: the leader holds the answer until
            // the HW passes the offset or the request's timeout (request.timeout.ms) passes.
            return make(
                .accepted, nil, .noAnswerYet,
                "the leader appended it \(at); acks=all holds the answer until the HW passes it, at most until \(ReplicationModel.ms(w.sentAtMs + s.requestTimeoutMs)) (request.timeout.ms)"
            )
        case .failed(let error):
            let answered = "answered \(error) after the append"
            if s.retries == 0 {
                return make(.failed, error, .failed, answered + "; retries=0, so send() fails with \(error)")
            }
            // The leader's log keeps the record; a retry carries the same producer id and sequence, and the
            // leader (the new one too: producer state is replicated with the log) finds the batch among the
            // last five it appended for this producer and answers with its offset instead of appending it
            // again (core/src/main/scala/kafka/log/UnifiedLog.scala analyzeAndValidateProducerState,
            // storage/src/main/java/org/apache/kafka/storage/internals/log/ProducerStateEntry.java
            // findDuplicateBatch); acks=all then waits for the HW as any append does
            // (kafka/server/ReplicaManager.scala appendRecords, DelayedProduce.scala).
            if let l = m.leaderReplica, l.up, let o = l.log.firstIndex(where: { $0.value == w.value }) {
                if !s.enableIdempotence {
                    return make(
                        .failed, error, .noAnswerYet,
                        answered
                            + "; without idempotence the retry appends \(w.value) again, after offset \(l.leo - 1): a duplicate (the model does not play the retry)"
                    )
                }
                if l.hw > o {
                    return make(
                        .failed, error, .acknowledged,
                        answered
                            + "; the idempotent retry found \(w.value) already at offset \(o) in leader \(l.id)'s log (same producer id and sequence): de-duplicated, and acknowledged once the HW passed it",
                        dedup: true)
                }
                return make(
                    .failed, error, .noAnswerYet,
                    answered
                        + "; the idempotent retry finds \(w.value) already at offset \(o) in leader \(l.id)'s log (same producer id and sequence): de-duplicated, it waits for the HW to pass \(o)",
                    dedup: true)
            }
            // Sender.java canRetry: no retry once delivery.timeout.ms has passed since send()
            // (clients/.../producer/internals/ProducerBatch.java hasReachedDeliveryTimeout).
            let deadline = w.sentAtMs + s.deliveryTimeoutMs
            if m.clockMs >= deadline {
                return make(
                    .failed, error, .failed,
                    answered
                        + "; no retry got it in before delivery.timeout.ms (\(ReplicationModel.ms(s.deliveryTimeoutMs))) ran out at \(ReplicationModel.ms(deadline)): send() fails with a TimeoutException"
                )
            }
            return make(
                .failed, error, .noAnswerYet,
                answered
                    + "; the leader no longer holds it, so the producer's retry appends it anew (retriable, until \(ReplicationModel.ms(deadline)), delivery.timeout.ms); the model does not play the retry"
            )
        }
    }
}

extension ProducerLane.Entry {
    func with(detail: String) -> Self {
        .init(
            value: value, acks: acks, offset: offset, answer: answer, error: error, send: send, detail: detail,
            deduplicated: deduplicated, lost: lost, sentThisStep: sentThisStep, changed: changed)
    }

    func with(changed: Bool, sentThisStep: Bool) -> Self {
        .init(
            value: value, acks: acks, offset: offset, answer: answer, error: error, send: send, detail: detail,
            deduplicated: deduplicated, lost: lost, sentThisStep: sentThisStep, changed: changed)
    }
}

// MARK: consumer

/// What a consumer can read and what the leader tells it about the end of the partition.
struct ConsumerLane: Equatable, Sendable, Encodable {
    /// The leader consumers fetch from; nil while the partition is offline.
    let leader: Int?
    /// The HW a fetch response carries (the leader's); nil when no leader answers.
    let highWatermark: Int?
    /// The highest HW any earlier step showed a client.
    let highestSeenBefore: Int?
    /// The HW is below what clients were told before: it went back on a leader change.
    let wentBack: Bool
    /// What a read_uncommitted consumer can read: the leader's log below the HW.
    let readUncommitted: [String]
    /// What a read_committed consumer can read: below the last stable offset; the model has
    /// no transactions, so the LSO is the HW.
    let readCommitted: [String]
    /// ListOffsets for the latest offset (what `consumer --from end` and lag use); nil with an error.
    let latestOffset: Int?
    /// OFFSET_NOT_AVAILABLE, LEADER_NOT_AVAILABLE, or REQUEST_TIMED_OUT (a crashed leader answers nothing).
    let error: String?
    let detail: String

    /// The highest HW clients have been shown, this step included.
    var highestSeen: Int? { [highestSeenBefore, highWatermark].compactMap { $0 }.max() }

    init(_ m: ReplicationModel, highestSeenBefore: Int?) {
        leader = m.leader
        self.highestSeenBefore = highestSeenBefore
        guard let l = m.leaderReplica else {
            highWatermark = nil
            wentBack = false
            readUncommitted = []
            readCommitted = []
            latestOffset = nil
            error = "LEADER_NOT_AVAILABLE"
            detail = "the partition has no leader: fetches and ListOffsets get LEADER_NOT_AVAILABLE"
            return
        }
        guard l.up else {
            highWatermark = nil
            wentBack = false
            readUncommitted = []
            readCommitted = []
            latestOffset = nil
            error = "REQUEST_TIMED_OUT"
            detail =
                "leader \(l.id) has crashed and is not fenced yet: fetches and ListOffsets get no answer until the controller elects another leader"
            return
        }
        let hw = l.hw
        highWatermark = hw
        wentBack = highestSeenBefore.map { hw < $0 } ?? false
        // core/src/main/scala/kafka/cluster/Partition.scala readRecords, kafka/log/UnifiedLog.scala
        // read: a consumer's fetch (FetchIsolation.HIGH_WATERMARK) reads below the HW; read_committed
        // (TXN_COMMITTED) below the LSO, which is the HW without open transactions
        // (UnifiedLog.scala lastStableOffset).
        readUncommitted = l.log.prefix(hw).map(\.value)
        readCommitted = readUncommitted
        var text =
            readUncommitted.isEmpty
            ? "nothing is readable yet: leader \(l.id)'s HW is 0"
            : "consumers read \(ReplicationModel.range(0, hw)) below leader \(l.id)'s HW \(hw)"
        if let seen = highestSeenBefore, hw < seen {
            text +=
                "; the HW went back from \(seen) to \(hw): the new leader learns its HW from its followers' fetches, so a consumer past \(hw) reads nothing and its lag looks negative until they fetch"
        }
        // core/src/main/scala/kafka/cluster/Partition.scala fetchOffsetForTimestamp (KIP-207, Kafka
        // 2.2+, KAFKA-2334): while the leader's HW is below the
        // start offset of its epoch, a client's ListOffsets is answered OFFSET_NOT_AVAILABLE rather
        // than an offset that may go backwards; before 2.2 it answered the lagging HW.
        if let start = m.leaderEpochStartOffset, start > hw, m.config.kafka.listOffsetsWaitsForEpochStart {
            latestOffset = nil
            error = "OFFSET_NOT_AVAILABLE"
            text +=
                "; ListOffsets answers OFFSET_NOT_AVAILABLE: the HW (\(hw)) is below where epoch \(m.leaderEpoch) began (\(start)), and the client retries (KIP-207)"
        } else {
            latestOffset = hw
            error = nil
            if let start = m.leaderEpochStartOffset, start > hw {
                text +=
                    "; ListOffsets answers the lagging HW \(hw), below where epoch \(m.leaderEpoch) began (\(start)): Kafka \(m.config.kafka.rawValue) predates KIP-207's OFFSET_NOT_AVAILABLE"
            }
        }
        detail = text
    }
}

extension KafkaVersion {
    /// KIP-207 (2.2): ListOffsets says OFFSET_NOT_AVAILABLE while a new leader's HW is below its epoch start.
    var listOffsetsWaitsForEpochStart: Bool { self >= .v3_6 }
}

// MARK: disk

/// How much of each replica's log is on disk. Kafka leaves flushing to the operating
/// system by default (log.flush.interval.messages = Long.MAX_VALUE and log.flush.interval.ms
/// unset: server-common/.../server/config/ServerLogConfigs.java; core/src/main/scala/kafka/log/
/// LogManager.scala flushDirtyLogs) and flushes every log at a clean shutdown (LogManager.scala
/// shutdown: log.flush(true)); the model flushes only then.
struct DiskLane: Equatable, Sendable, Encodable {
    struct Replica: Equatable, Sendable, Encodable {
        let id: Int
        /// Offsets below this are on disk.
        let flushed: Int
        let leo: Int
        /// The records above `flushed`: only in the page cache.
        let unflushed: [String]
        /// The unflushed tail a power loss took in this step.
        let lostToPowerLoss: [String]
    }

    let replicas: [Replica]

    init(_ m: ReplicationModel, previous: ReplicationModel?) {
        replicas = m.replicas.map { r in
            var lost: [String] = []
            if let p = previous?.replica(r.id), p.up, !r.up, r.leo < p.leo, r.leo == r.flushedLeo {
                lost = p.log[r.leo...].map(\.value)
            }
            return Replica(
                id: r.id, flushed: r.flushedLeo, leo: r.leo, unflushed: r.log[min(r.flushedLeo, r.leo)...].map(\.value),
                lostToPowerLoss: lost)
        }
    }
}

extension SimAction {
    /// The acks and record count of a produce request, whichever producer sent it: read from
    /// the command line every produce move prints (`sim produce [--to B] --acks A [--count N]`),
    /// so a new way to produce needs no new case here.
    var produceRequest: (acks: ModelAcks, count: Int)? {
        let words = commandLine.split(separator: " ").map(String.init)
        guard words.starts(with: ["sim", "produce"]) else { return nil }
        func value(_ option: String) -> String? {
            words.firstIndex(of: option).flatMap { $0 + 1 < words.count ? words[$0 + 1] : nil }
        }
        guard let acks = ModelAcks(text: value("--acks") ?? "all") else { return nil }
        return (acks, value("--count").flatMap { Int($0) } ?? 1)
    }
}
