/// A named lesson played on a fresh model, step by step, each step with a
/// sentence saying what to watch and, sometimes, a question to predict.
struct SimScenario: Sendable {
    let name: String
    let summary: String
    let config: ModelConfig
    /// The Kafka versions it is played with, one after the other.
    let variants: [KafkaVersion]
    let steps: [ScenarioStep]

    static func named(_ name: String) -> SimScenario? { all.first { $0.name == name } }
    static var names: [String] { all.map(\.name) }
}

struct ScenarioStep: Sendable {
    /// What this step is about, printed before it.
    let why: String
    let action: SimAction
    var question: String? = nil
    var predict: PredictionKind? = nil

    init(_ why: String, _ action: SimAction, ask question: String? = nil, _ predict: PredictionKind? = nil) {
        self.why = why
        self.action = action
        self.question = question
        self.predict = predict
    }
}

/// What a prediction asks about; the answer is read from the model after the step, never written down.
enum PredictionKind: Sendable, Equatable {
    case delivery
    case leader
    /// The HW of one broker, or the leader's when nil.
    case highWatermark(Int?)
    case inIsr(Int)
    /// How many records a broker's log holds.
    case leo(Int)
    case lost
    case logsAgree

    /// The short answer a learner can type, and the sentence that explains it. A delivery
    /// answer uses the producer lane's words: accepted, acknowledged, refused, no answer yet.
    func answer(_ step: ModelStep, _ m: ReplicationModel, lanes: ModelLanes? = nil) -> (key: String, text: String) {
        switch self {
        case .delivery:
            let held =
                m.hwHeldByMinIsr
                ? "; the HW (\(m.highWatermark ?? 0)) stays while the ISR is below min.insync.replicas, so no consumer can read it yet"
                : ""
            guard let request = lanes?.producer.request else {
                if let e = step.error { return ("refused", "refused (\(e))") }
                return ("accepted", "accepted: the leader appended it" + held)
            }
            let key = request.answer.rawValue
            return (key, key + (request.error.map { " (\($0))" } ?? "") + ": " + request.detail + held)
        case .leader:
            guard let l = m.leader else { return ("none", "none: the partition is offline") }
            return ("\(l)", "broker \(l), epoch \(m.leaderEpoch)")
        case .highWatermark(let id):
            guard let hw = id.map({ m.replica($0).hw }) ?? m.highWatermark else { return ("none", "no HW: no leader") }
            return ("\(hw)", "\(id.map { "broker \($0)'s" } ?? "the leader's") HW is \(hw)")
        case .leo(let id):
            let r = m.replica(id)
            return ("\(r.leo)", "\(r.leo): broker \(id)'s log ends at offset \(r.leo), its HW is \(r.hw)")
        case .inIsr(let id):
            let yes = m.isr.contains(id)
            return (yes ? "yes" : "no", "\(yes ? "yes" : "no"): ISR \(ReplicationModel.ids(m.isr))")
        case .lost:
            let lost = m.lostWrites.map(\.value)
            return (
                "\(lost.count)",
                lost.isEmpty
                    ? "0: every acknowledged record is in the leader's log"
                    : "\(lost.count) (\(lost.joined(separator: ", ")))"
            )
        case .logsAgree:
            let d = m.divergence
            return (
                d.isEmpty ? "yes" : "no",
                d.isEmpty
                    ? "yes: every running replica's log is a prefix of the leader's or equal to it"
                    : "no: "
                        + d.map {
                            "broker \($0.replica) differs at offset \($0.offsets.map(String.init).joined(separator: ","))"
                        }.joined(separator: "; ")
            )
        }
    }

    /// A learner's words as an answer key: "Broker 3" → "3", "rejected" → "refused".
    static func normalise(_ text: String) -> String {
        var t = text.trimmingWhitespace().lowercased()
        for prefix in ["broker ", "replica "] where t.hasPrefix(prefix) { t = String(t.dropFirst(prefix.count)) }
        switch t {
        case "y", "true", "in": return "yes"
        case "n", "false", "out": return "no"
        case "ok", "acked", "ack", "success", "succeeds", "delivered": return "acknowledged"
        case "appended", "written", "waits", "waiting", "pending": return "accepted"
        case "rejected", "error", "fails", "failed", "not delivered": return "refused"
        case "no answer", "none yet", "timeout", "times out", "timed out", "no reply": return "no answer yet"
        case "nobody", "no leader", "offline", "-": return "none"
        default: return t
        }
    }
}

extension SimScenario {
    static let all: [SimScenario] = [
        hwPropagation, isrShrinkAndExpand, minIsr, uncleanElection, kip101Restart, kip101Unflushed, kip101Loss,
        kip101Divergence, kip279FastLeaderChange, acksOneFailover, minIsrOne, zombieLeader, leaderFailover,
    ]

    /// KIP-101's first scenario as the KIP tells it: two replicas; the follower restarts and
    /// truncates to its HW, then the leader dies.
    static let kip101Restart = SimScenario(
        name: "kip101-restart",
        summary:
            "KIP-101's first case, two replicas: a restarted follower truncates to its HW, then the leader dies; leader epochs keep the records",
        config: ModelConfig(replicaCount: 2, uncleanLeaderElection: true), variants: [.v0_10, .v3_9],
        steps: [
            ScenarioStep("Two records with acks=all.", .produce(acks: .all, count: 2)),
            ScenarioStep("Broker 2 copies them.", .fetch(2)),
            ScenarioStep(
                "Its next fetch moves the leader's HW to 2: both records are acknowledged. Broker 2's HW is still 0.",
                .fetch(2), ask: "What HW does broker 2 have?", .highWatermark(2)),
            ScenarioStep("Broker 2 restarts: first it shuts down (and leaves the ISR)...", .stop(2)),
            ScenarioStep(
                "...then it comes back. Before KIP-101 it truncates to its own HW at once; with leader epochs it keeps its log until it asks the leader.",
                .start(2), ask: "How many records does broker 2 hold now?", .leo(2)),
            ScenarioStep(
                "The leader dies before broker 2 fetched again. Broker 2 is not in the ISR; unclean election (this lesson turns it on, as 0.10's default was) makes it the leader.",
                .stop(1), ask: "How many acknowledged records are lost?", .lost),
        ])

    /// KIP-101's second scenario as the KIP tells it: two replicas, both hard-crash, and the one that
    /// comes back first has lost its unflushed tail.
    static let kip101Unflushed = SimScenario(
        name: "kip101-unflushed",
        summary:
            "KIP-101's second case, two replicas: both crash and the new leader lost its unflushed tail; leader epochs stop the logs diverging, but nothing brings back a record no disk kept",
        config: ModelConfig(replicaCount: 2), variants: [.v0_10, .v3_9],
        steps: [
            ScenarioStep("One record with acks=all.", .produce(acks: .all, count: 1)),
            ScenarioStep("Broker 2 copies it...", .fetch(2)),
            ScenarioStep("...its next fetch moves the leader's HW to 1...", .fetch(2)),
            ScenarioStep("...and one more brings that HW to broker 2.", .fetch(2)),
            ScenarioStep(
                "Broker 2 restarts cleanly (say, a rolling upgrade): a clean shutdown flushes its log to disk.",
                .stop(2)),
            ScenarioStep("", .start(2)),
            ScenarioStep("It fetches from the HW and is back in the ISR.", .fetch(2)),
            ScenarioStep("A second record with acks=all.", .produce(acks: .all, count: 1)),
            ScenarioStep("Broker 2 copies it; only the page cache holds it there.", .fetch(2)),
            ScenarioStep(
                "The HW passes it: both records are acknowledged.", .fetch(2),
                ask: "How many records does broker 2 hold?", .leo(2)),
            ScenarioStep(
                "A power cut takes both brokers down at once. Broker 1's operating system happened to write its whole log to disk...",
                .kill(1)),
            ScenarioStep(
                "...broker 2's did not: it keeps only what its clean shutdown flushed (Kafka leaves flushing to the operating system by default).",
                .killLosingUnflushed(2), ask: "How many records does broker 2 hold now?", .leo(2)),
            ScenarioStep(
                "The controller fences both once their sessions expire: the partition is offline.", .tick(ms: 9_000)),
            ScenarioStep(
                "Broker 2 comes back first. It is the last ISR member, so it leads, with a log one record short.",
                .start(2), ask: "How many acknowledged records are lost?", .lost),
            ScenarioStep("It takes a new record at offset 1, in its new epoch.", .produce(acks: .all, count: 1)),
            ScenarioStep("Broker 1 comes back with both old records and follows broker 2.", .start(1)),
            ScenarioStep(
                "Broker 1 fetches. Before KIP-101 it keeps its own record at offset 1 (its HW said it was committed) and the logs now disagree there for good; with leader epochs it learns epoch 0 ended at offset 1 on the leader and truncates first. Either way the record broker 2's disk lost is gone: leader epochs fix divergence, not the loss of unflushed data on every replica that had it.",
                .fetch(1), ask: "Do broker 1's and broker 2's logs agree?", .logsAgree),
        ])

    /// KIP-279's case: leadership moves twice quickly, and a follower holds an epoch the new leader never had.
    static let kip279FastLeaderChange = SimScenario(
        name: "kip279-fast-leader-change",
        summary:
            "leadership changes twice in quick succession; a follower with records of an epoch the leader never had keeps a divergent record with one OffsetsForLeaderEpoch round (0.11), KIP-279 asks again (2.0+)",
        config: ModelConfig(uncleanLeaderElection: true), variants: [.v0_11, .v2_0],
        steps: [
            ScenarioStep("One record reaches every replica.", .produce(acks: .all, count: 1)),
            ScenarioStep("", .fetch(nil)),
            ScenarioStep("", .fetch(nil)),
            ScenarioStep("Broker 1 shuts down; broker 2 leads epoch 1.", .stop(1)),
            ScenarioStep("Broker 2 takes two acks=1 records that nobody copies.", .produce(acks: .leader, count: 2)),
            ScenarioStep("Broker 2 shuts down too; broker 3 leads epoch 2 from offset 1.", .stop(2)),
            ScenarioStep("Broker 3 takes one acks=1 record at offset 1.", .produce(acks: .leader, count: 1)),
            ScenarioStep("Broker 2 comes back and follows broker 3, but does not fetch yet.", .start(2)),
            ScenarioStep(
                "Broker 3 shuts down; only broker 2 runs, and this lesson's unclean election makes it the leader of epoch 3 with its log as it was.",
                .stop(3), ask: "Who leads now?", .leader),
            ScenarioStep("Broker 3 comes back and follows broker 2.", .start(3)),
            ScenarioStep(
                "Broker 3 asks where its epoch 2 ends; broker 2 never had epoch 2 and answers with epoch 1, ending at 3. In 0.11 broker 3 truncates there (nothing to cut) and keeps its epoch-2 record at offset 1; since 2.0 (KIP-279) it sees it has no epoch 1, cuts to where its own epoch 0 ended, and asks again.",
                .fetch(3), ask: "Do broker 3's and broker 2's logs agree?", .logsAgree),
        ])

    static let acksOneFailover = SimScenario(
        name: "acks1-failover",
        summary:
            "acks=1 is acknowledged on the leader's copy alone: a leader crash before any follower fetched loses the write, in every version",
        config: ModelConfig(), variants: [.v3_9, .v0_10],
        steps: [
            ScenarioStep("One record with acks=all reaches every replica.", .produce(acks: .all, count: 1)),
            ScenarioStep("", .fetch(nil)),
            ScenarioStep("", .fetch(nil)),
            ScenarioStep(
                "A record with acks=1: the leader answers as soon as it appended it.",
                .produce(acks: .leader, count: 1),
                ask: "Accepted, acknowledged, refused or no answer yet?", .delivery),
            ScenarioStep("Broker 1 crashes before either follower fetched it.", .kill(1)),
            ScenarioStep(
                "The controller fences broker 1 once its session expires and elects broker 2, an ISR member.",
                .tick(ms: 9_000), ask: "How many acknowledged records are lost?", .lost),
            ScenarioStep("Broker 1 comes back and follows broker 2.", .start(1)),
            ScenarioStep(
                "Its fetch truncates the record the producer was told was written: no replica has it now.", .fetch(1),
                ask: "How many acknowledged records are lost?", .lost),
        ])

    static let minIsrOne = SimScenario(
        name: "acks-all-min-isr-1",
        summary:
            "acks=all with min.insync.replicas=1 is acks=1 once the ISR has shrunk to the leader: losing that one disk loses an acknowledged write; with 2 the write is refused instead",
        config: ModelConfig(), variants: [.v3_9],
        steps: [
            ScenarioStep("One record with acks=all reaches every replica.", .produce(acks: .all, count: 1)),
            ScenarioStep("", .fetch(nil)),
            ScenarioStep("", .fetch(nil)),
            ScenarioStep("Broker 3 shuts down for maintenance...", .stop(3)),
            ScenarioStep("...and broker 2 as well: the ISR is the leader alone.", .stop(2)),
            ScenarioStep(
                "acks=all means every ISR member has it, and the ISR is {1}. min.insync.replicas=1 lets that through.",
                .produce(acks: .all, count: 1), ask: "Accepted, acknowledged, refused or no answer yet?", .delivery),
            ScenarioStep(
                "Broker 1 loses power before flushing: its disk keeps nothing it had not flushed, and no other replica has the new record.",
                .killLosingUnflushed(1), ask: "How many acknowledged records are lost?", .lost),
            ScenarioStep(
                "The controller fences broker 1; no running ISR member is left, so the partition is offline.",
                .tick(ms: 9_000)),
            ScenarioStep("Broker 2 comes back; it is not in the ISR.", .start(2), ask: "Who leads now?", .leader),
            ScenarioStep("An operator chooses availability.", .set("unclean", "on")),
            ScenarioStep(
                "An unclean election makes broker 2 the leader, with the first record and without the second.",
                .elect(nil), ask: "How many acknowledged records are lost?", .lost),
            ScenarioStep(
                "The advice is min.insync.replicas=2 (with 3 replicas): an acks=all write then needs a second copy.",
                .set("min-isr", "2")),
            ScenarioStep(
                "With the ISR at one replica, the same acks=all write is now refused: the producer knows it was not written, instead of being told it was.",
                .produce(acks: .all, count: 1), ask: "Accepted, acknowledged, refused or no answer yet?", .delivery),
        ])

    static let zombieLeader = SimScenario(
        name: "zombie-leader",
        summary:
            "a leader behind a network partition is fenced and replaced, but nothing tells it: it keeps acknowledging acks=1 writes that are truncated once the partition heals",
        config: ModelConfig(), variants: [.v3_9, .v2_0],
        steps: [
            ScenarioStep("One record with acks=all reaches every replica.", .produce(acks: .all, count: 1)),
            ScenarioStep("", .fetch(nil)),
            ScenarioStep("", .fetch(nil)),
            ScenarioStep(
                "A network partition cuts broker 1, the leader, off from the controller and the other brokers. It keeps running.",
                .partition(1)),
            ScenarioStep(
                "A producer on broker 1's side sends with acks=1.", .produce(acks: .leader, count: 1),
                ask: "Accepted, acknowledged, refused or no answer yet?", .delivery),
            ScenarioStep(
                "Broker 1's heartbeats stopped: when its session expires the controller fences it and elects broker 2.",
                .tick(ms: 9_000), ask: "Who leads now?", .leader),
            ScenarioStep(
                "The producer still reaches broker 1, which still believes it leads epoch 0.",
                .produceTo(broker: 1, acks: .leader, count: 1), ask: "How many acknowledged records are lost?", .lost),
            ScenarioStep(
                "Producers that know the new leader write to broker 2, in epoch 1.", .produce(acks: .leader, count: 1)),
            ScenarioStep("Broker 3 copies it.", .fetch(3)),
            ScenarioStep("The partition heals: broker 1 learns of epoch 1 and follows broker 2.", .heal),
            ScenarioStep(
                "Its fetch compares leader epochs: epoch 0 ended at offset 1 on broker 2, so everything broker 1 accepted alone is truncated.",
                .fetch(1), ask: "How many acknowledged records are lost?", .lost),
        ])

    static let hwPropagation = SimScenario(
        name: "hw-propagation",
        summary: "the leader's HW is the lowest LEO in the ISR; followers learn it one fetch late",
        config: ModelConfig(), variants: [.v3_9],
        steps: [
            ScenarioStep(
                "The producer writes two records with acks=all; only the leader has them.",
                .produce(acks: .all, count: 2), ask: "What is the leader's HW right after the append?",
                .highWatermark(nil)),
            ScenarioStep("Broker 2 fetches from its LEO (0) and copies both records.", .fetch(2)),
            ScenarioStep("Broker 3 does the same.", .fetch(3)),
            ScenarioStep(
                "Broker 2 fetches again, from offset 2: that tells the leader how far it got.",
                .fetch(2), ask: "What is the leader's HW now?", .highWatermark(nil)),
            ScenarioStep(
                "Broker 3 fetches again: now every ISR member is known to hold both records.",
                .fetch(3),
                ask: "The leader's HW moves during this fetch. What HW does broker 3 learn from the response?",
                .highWatermark(3)),
            ScenarioStep("One more fetch by each follower carries the new HW to them.", .fetch(nil)),
        ])

    static let isrShrinkAndExpand = SimScenario(
        name: "isr-shrink-and-expand",
        summary: "a follower not caught up for replica.lag.time.max.ms leaves the ISR and rejoins once it catches up",
        config: ModelConfig(), variants: [.v3_9],
        steps: [
            ScenarioStep("Three records with acks=all.", .produce(acks: .all, count: 3)),
            ScenarioStep("Broker 2 copies them; broker 3 is slow and does not fetch at all.", .fetch(2)),
            ScenarioStep("Broker 2 fetches again and is caught up.", .fetch(2)),
            ScenarioStep(
                "20 s pass without a fetch from broker 3. The HW, and the acks=all producer, wait for it: it is still in the ISR.",
                .tick(ms: 20_000),
                ask: "Is broker 3 in the ISR now?", .inIsr(3)),
            ScenarioStep(
                "11 s more: broker 3 has not been caught up for 31 s. The acks=all request waited request.timeout.ms (30 s) and was answered REQUEST_TIMED_OUT; the leader's ISR check runs every 15 s (replica.lag.time.max.ms / 2), and at 30 s broker 3 was exactly 30 s behind, not more.",
                .tick(ms: 11_000),
                ask: "Is broker 3 still in the ISR?", .inIsr(3)),
            ScenarioStep(
                "14 s more: the check at 45 s finds broker 3 45 s behind.", .tick(ms: 14_000),
                ask: "Is broker 3 still in the ISR?", .inIsr(3)),
            ScenarioStep(
                "Broker 3 wakes up and copies all three records.", .fetch(3),
                ask: "Does broker 3 rejoin the ISR in this fetch?", .inIsr(3)),
            ScenarioStep("Its next fetch starts at the HW: it is caught up.", .fetch(3)),
            ScenarioStep(
                "A controlled shutdown takes broker 2 out of the ISR at once, without waiting 30 s.", .stop(2)),
        ])

    static let minIsr = SimScenario(
        name: "min-isr",
        summary:
            "acks=all with min.insync.replicas=2 once the ISR is too small: refused with NOT_ENOUGH_REPLICAS; acks=1 is appended, and since 3.7 the HW waits for the ISR to grow",
        config: ModelConfig(minInsyncReplicas: 2), variants: [.v3_9, .v3_6],
        steps: [
            ScenarioStep("One record with acks=all, replicated everywhere.", .produce(acks: .all, count: 1)),
            ScenarioStep("Both followers fetch twice: the HW passes it and the producer hears back.", .fetch(nil)),
            ScenarioStep("", .fetch(nil)),
            ScenarioStep("Broker 3 shuts down: ISR {1,2}.", .stop(3)),
            ScenarioStep(
                "Another acks=all write with two replicas in sync.", .produce(acks: .all, count: 1),
                ask: "ISR {1,2}, min.insync.replicas=2, acks=all: accepted, acknowledged, refused or no answer yet?",
                .delivery),
            ScenarioStep("Broker 2 copies it; its next fetch moves the HW.", .fetch(2)),
            ScenarioStep("", .fetch(2)),
            ScenarioStep(
                "One more acks=all write, then broker 2 shuts down before copying it.", .produce(acks: .all, count: 1)),
            ScenarioStep(
                "The ISR shrinks to {1}, below min.insync.replicas=2. Before 3.7 the HW passes the write at once and the producer hears NOT_ENOUGH_REPLICAS_AFTER_APPEND; since 3.7 (KAFKA-15583) the HW stays and the write waits.",
                .stop(2), ask: "What is the leader's HW now?", .highWatermark(nil)),
            ScenarioStep(
                "acks=all with only the leader in sync.", .produce(acks: .all, count: 1),
                ask: "ISR {1}, acks=all: accepted, acknowledged, refused or no answer yet?", .delivery),
            ScenarioStep(
                "The same write with acks=1: it never looks at the ISR when it is appended, but a consumer reads only below the HW.",
                .produce(acks: .leader, count: 1),
                ask: "ISR {1}, acks=1: accepted, acknowledged, refused or no answer yet?", .delivery),
            ScenarioStep(
                "30 s pass with broker 2 down.", .tick(ms: 30_000),
                ask: "What is the leader's HW now?", .highWatermark(nil)),
            ScenarioStep("Broker 2 comes back and catches up.", .start(2)),
            ScenarioStep("", .fetch(2)),
            ScenarioStep("Fetching from the HW brings it back into the ISR.", .fetch(2)),
            ScenarioStep(
                "acks=all is accepted again.", .produce(acks: .all, count: 1),
                ask: "Accepted, acknowledged, refused or no answer yet?", .delivery),
        ])

    static let uncleanElection = SimScenario(
        name: "unclean-election",
        summary: "with every ISR member down, unclean election brings back availability and loses acknowledged records",
        config: ModelConfig(), variants: [.v3_9],
        steps: [
            ScenarioStep("Two records reach every replica.", .produce(acks: .all, count: 2)),
            ScenarioStep("", .fetch(nil)),
            ScenarioStep("", .fetch(nil)),
            ScenarioStep("Broker 3 shuts down; it keeps m0 and m1.", .stop(3)),
            ScenarioStep(
                "Two more records, acknowledged by the ISR {1,2} without broker 3.", .produce(acks: .all, count: 2)),
            ScenarioStep("", .fetch(2)),
            ScenarioStep("", .fetch(2)),
            ScenarioStep("Broker 2 shuts down.", .stop(2)),
            ScenarioStep("Broker 1, the last ISR member, shuts down.", .stop(1), ask: "Who leads now?", .leader),
            ScenarioStep(
                "Broker 3 comes back. It is not in the ISR, and unclean election is off.", .start(3),
                ask: "Who leads now?", .leader),
            ScenarioStep("An operator trades durability for availability.", .set("unclean", "on")),
            ScenarioStep("The controller runs an unclean election.", .elect(nil), ask: "Who leads now?", .leader),
            ScenarioStep("The partition takes writes again, in epoch 1.", .produce(acks: .all, count: 1)),
            ScenarioStep("Broker 1 comes back and follows broker 3.", .start(1)),
            ScenarioStep(
                "Its fetch compares leader epochs and truncates what broker 3 never had.", .fetch(1),
                ask: "How many acknowledged records are lost?", .lost),
        ])

    /// Two controlled shutdowns in a row, before the followers learned the HW.
    static let doubleFailover: [ScenarioStep] = [
        ScenarioStep("Two records with acks=all.", .produce(acks: .all, count: 2)),
        ScenarioStep("Both followers copy them.", .fetch(nil)),
        ScenarioStep(
            "Their next fetches move the leader's HW to 2: both records are acknowledged. The followers' HW is still 0.",
            .fetch(nil), ask: "What HW does broker 3 have?", .highWatermark(3)),
        ScenarioStep(
            "Broker 1 shuts down; broker 2 leads and broker 3 follows it.", .stop(1), ask: "Who leads now?", .leader),
        ScenarioStep(
            "Broker 2 shuts down too, before broker 3 fetched again; broker 3 leads.", .stop(2),
            ask: "How many acknowledged records are lost?", .lost),
    ]

    static let kip101Loss = SimScenario(
        name: "kip101-loss",
        summary:
            "a variant of KIP-101's first case with three replicas: two quick failovers; truncating to the HW loses acknowledged records, leader epochs keep them",
        config: ModelConfig(), variants: [.v0_10, .v3_9],
        steps: doubleFailover + [
            ScenarioStep("Broker 1 comes back and follows broker 3.", .start(1)),
            ScenarioStep(
                "Broker 1 fetches from broker 3.", .fetch(1), ask: "How many acknowledged records are lost?", .lost),
        ])

    static let kip101Divergence = SimScenario(
        name: "kip101-divergence",
        summary:
            "a variant with three replicas: after the same failovers, new writes make logs diverge under HW truncation; leader epochs prevent it",
        config: ModelConfig(), variants: [.v0_10, .v3_9],
        steps: doubleFailover + [
            ScenarioStep("Broker 3 takes two new records.", .produce(acks: .all, count: 2)),
            ScenarioStep("Broker 1 comes back and follows broker 3.", .start(1)),
            ScenarioStep(
                "Broker 1 fetches from broker 3 and is in sync again.", .fetch(1),
                ask: "Do broker 1's and broker 3's logs agree?", .logsAgree),
            ScenarioStep("", .fetch(1)),
            ScenarioStep(
                "Broker 3 shuts down; broker 1, an ISR member, leads.", .stop(3),
                ask: "How many acknowledged records are lost now?", .lost),
        ])

    static let leaderFailover = SimScenario(
        name: "leader-failover",
        summary:
            "a crashed leader is fenced after broker.session.timeout.ms; an ISR member takes over in a new epoch; the preferred leader returns",
        config: ModelConfig(minInsyncReplicas: 2), variants: [.v3_9],
        steps: [
            ScenarioStep("Two records, acknowledged.", .produce(acks: .all, count: 2)),
            ScenarioStep("", .fetch(nil)),
            ScenarioStep("", .fetch(nil)),
            ScenarioStep(
                "A third record reaches broker 2 only; the producer is still waiting.", .produce(acks: .all, count: 1)),
            ScenarioStep("", .fetch(2)),
            ScenarioStep("Broker 1 crashes (no controlled shutdown).", .kill(1)),
            ScenarioStep(
                "The producer sends another record.", .produce(acks: .all, count: 1),
                ask: "Accepted, acknowledged, refused or no answer yet?", .delivery),
            ScenarioStep(
                "9 s later the controller fences broker 1 and elects a new leader.", .tick(ms: 9_000),
                ask: "Who leads now?", .leader),
            ScenarioStep("Broker 3 fetches from the new leader; leader epochs say its log agrees.", .fetch(3)),
            ScenarioStep("Its next fetch moves the HW over m2, the write the producer was told had failed.", .fetch(3)),
            ScenarioStep("Broker 1 comes back; leader epochs say its log agrees with broker 2's.", .start(1)),
            ScenarioStep("It fetches from its LEO 3, which is the HW: it rejoins the ISR.", .fetch(1)),
            ScenarioStep(
                "A preferred-leader election gives leadership back to broker 1.", .elect(nil),
                ask: "Who leads now?", .leader),
        ])
}
