import Foundation
import Testing

@testable import Lab

/// `sim` at the prompt, in scripts and in JSON, driven through the dispatcher
/// in-process. The model needs no cluster, so these sessions connect to none.
@Suite("sim: commands, scenarios and the example script")
struct SimCommandTests {
    /// A session with no cluster and captured output.
    final class ModelSession {
        let buffer = OutputBuffer()
        let session: Session
        let dispatcher = CommandCatalog.dispatcher()

        init(isScript: Bool = true) {
            session = Session(output: .capturing(into: buffer), isScript: isScript)
            session.dispatcher = dispatcher
        }

        func output(of line: String) throws -> String {
            let before = buffer.stdout.count
            let outcome = dispatcher.execute(line, in: session)
            guard outcome == .succeeded else { throw TestFailure("`\(line)` failed: \(outcome) \(buffer.stderr)") }
            return String(buffer.stdout.dropFirst(before))
        }

        func failure(of line: String) throws -> String {
            let before = buffer.stderr.count
            guard case .failed(let message) = dispatcher.execute(line, in: session) else {
                throw TestFailure("`\(line)` did not fail")
            }
            let printed = buffer.stderr.dropFirst(before)
            guard printed.filter({ $0 == "\n" }).count == 1 else { throw TestFailure("not one line: \(printed)") }
            return message
        }

        func documents(of line: String) throws -> [JSONValue] {
            try output(of: line + " --json").split(separator: "\n").map { try JSONValue.parse(String($0)) }
        }

        var state: SimLabState? { SimLabState.existing(in: session) }
    }

    /// Answers predictions from a list and remembers the questions.
    final class ScriptedPredictions: PredictionInput {
        var answers: [String]
        var questions: [String] = []
        init(_ answers: [String]) { self.answers = answers }
        func prediction(for question: String, session: Session) -> PredictionReply {
            questions.append(question)
            return .answer(answers.isEmpty ? "" : answers.removeFirst())
        }
    }

    @Test func examples08ReplaysEveryScenarioInProcess() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/08-replication-model.kl")
        let text = try String(contentsOf: url, encoding: .utf8)
        let t = ModelSession()
        let result = ScriptRunner(dispatcher: t.dispatcher).run(
            lines: text.components(separatedBy: "\n"), in: t.session)
        #expect(result.succeeded, "\(result.failures)")
        let out = t.buffer.stdout
        #expect(t.buffer.stderr.isEmpty)
        for name in SimScenario.names {
            #expect(out.contains("scenario \(name) (a model, not a cluster)"), "\(name) not played")
        }
        // Every picture says it is a model.
        let pictures = out.components(separatedBy: "\n").filter {
            $0.hasPrefix("sim model — not a cluster · Kafka ") && $0.contains(" rules · step ")
        }
        .count
        let steps = SimScenario.all.map { ($0.steps.count + 1) * $0.variants.count }.reduce(0, +)
        #expect(pictures >= steps + 8)
        // 1. by hand: the crash, the refused write, the fencing undone
        #expect(out.contains("broker 1 crashed: it stays in the ISR and stays leader"))
        #expect(out.contains("error: REQUEST_TIMED_OUT"))
        #expect(out.contains("back to step 5, as before step 6"))
        // 2. the lessons, with questions and answers both printed in a script
        #expect(
            out.contains(
                "? predict: The leader's HW moves during this fetch. What HW does broker 3 learn from the response?"))
        #expect(out.contains("answer: broker 3's HW is 0"))
        #expect(
            out.contains(
                "at 45 s the leader's ISR check (every replica.lag.time.max.ms / 2 = 15 s) drops broker 3: last caught up at 0 s, 45 s ago, more than replica.lag.time.max.ms (30 s)"
            ))
        #expect(out.contains("sim model — not a cluster · Kafka 3.9 rules · step 0"))
        #expect(out.contains("sim model — not a cluster · Kafka 0.10 rules · step 0"))
        #expect(out.contains("leader HW stays at 2, though the ISR {1} holds up to 3"))
        #expect(out.contains("refused: NOT_ENOUGH_REPLICAS"))
        #expect(out.contains("m2 answered NOT_ENOUGH_REPLICAS_AFTER_APPEND"))
        #expect(out.contains("UNCLEAN election: broker 3 leads in epoch 1"))
        #expect(
            out.contains(
                "result with Kafka 3.9 rules, leader-epoch truncation (KIP-101): lost 2 acknowledged records (m2, m3)"))
        #expect(
            out.contains("HW truncation (before KIP-101): lost 2 acknowledged records (m0, m1); logs never diverged"))
        #expect(
            out.contains(
                "HW truncation (before KIP-101): lost 2 acknowledged records (m2, m3); logs diverged (broker 1 at offset 0,1)"
            ))
        #expect(
            out.contains(
                "Kafka 3.9 rules, leader-epoch truncation (KIP-101): no acknowledged record lost; logs never diverged"))
        #expect(out.contains("pending acks=all write m2 failed with REQUEST_TIMED_OUT"))
        #expect(out.contains("election: broker 1 leads in epoch 2 (preferred-leader election"))
        // 3. the explorer: one counterexample, replayed, and a bounded "none"
        #expect(out.contains("found: lost acknowledged write in 2 steps (the shortest;"))
        #expect(out.contains("result: lost 1 acknowledged record (m0)"))
        #expect(out.contains("none within 4 steps:"))
        #expect(!out.contains("you said"))
        #expect(!out.contains("\u{1B}"))  // plain text when not a terminal
    }

    @Test func eachStepIsOneJSONDocumentWithTheModelsState() throws {
        let t = ModelSession()
        let docs = try t.documents(of: "sim scenario min-isr")
        #expect(docs.filter { $0["summary"] == nil }.count == (SimScenario.minIsr.steps.count + 1) * 2)
        let steps = docs.filter { $0["summary"] == nil && $0["variant"] == .string("3.9") }
        #expect(steps.count == SimScenario.minIsr.steps.count + 1)
        for (i, d) in steps.enumerated() {
            #expect(d["step"] == .integer(i))
            #expect(d["model"] == .string("sim model — not a cluster"))
            #expect(d["kafka"] == .string("3.9") && d["rules"] == .string("Kafka 3.9 rules"))
            for key in [
                "clock_ms", "leader", "leader_epoch", "isr", "event", "lost", "error", "producer", "consumer", "disk",
            ] {
                #expect(d[key] != nil, "\(key) missing")
            }
            guard case .array(let replicas)? = d["replicas"] else { throw TestFailure("no replicas") }
            #expect(replicas.count == 3)
            for key in ["id", "up", "leo", "hw", "in_isr", "log"] {
                #expect(replicas[0][key] != nil, "replica \(key) missing")
            }
        }
        let refused = try #require(steps.first { $0["error"] != .null })
        #expect(refused["error"] == .string("NOT_ENOUGH_REPLICAS"))
        #expect(refused["isr"] == .ints([1]))
        #expect(refused["prediction"]?["answer"] == .string("refused"))
        #expect(docs.last?["summary"] == .bool(true))

        let loss = try t.documents(of: "sim scenario kip101-loss")
        let summary = try #require(loss.last)
        guard case .array(let variants)? = summary["variants"] else { throw TestFailure("no variants") }
        #expect(variants.map { $0["lost"] } == [.integer(2), .integer(0)])
        let last = try #require(loss.dropLast().last)
        #expect(last["variant"] == .string("3.9") && last["lost"] == .integer(0))
        let oneStep = try t.documents(of: "sim produce --acks 1")
        #expect(oneStep.count == 1)
        #expect(oneStep[0]["event"] == .string("produce"))
    }

    @Test func theModelMovesOnlyOnGoodInputAndUndoStepsBack() throws {
        let t = ModelSession()
        #expect(try t.failure(of: "sim produce").contains("no model yet: `sim` starts one"))
        _ = try t.output(of: "sim --replicas 2 --min-isr 2 --truncation hw")
        let start = try #require(t.state?.model)
        #expect(start.config == ModelConfig(replicaCount: 2, minInsyncReplicas: 2, truncation: .highWatermark))
        for bad in [
            "sim fetch 9", "sim fetch 1", "sim fetch x", "sim produce --acks 2", "sim produce --count 0",
            "sim stop 3", "sim start 2", "sim set nope 1", "sim set min-isr 3", "sim tick soon", "sim elect 1",
            "sim scenario nope", "sim --replicas 0",
        ] {
            _ = try t.failure(of: bad)
            #expect(t.state?.model == start, "\(bad) changed the model")
            #expect(t.state?.step == 0)
        }
        #expect(try t.failure(of: "sim scenario min-is").contains("did you mean min-isr?"))
        let produced = try t.output(of: "sim produce --acks all --count 2")
        #expect(produced.contains("* broker 1 leader     ISR   |m0/e0 m1/e0   LEO 2* HW 0"))
        _ = try t.output(of: "sim fetch 2")
        #expect(t.state?.step == 2)
        let undone = try t.output(of: "sim undo")
        #expect(undone.contains("back to step 1, as before step 2"))
        #expect(t.state?.model.replica(2).leo == 0)
        _ = try t.output(of: "sim undo")
        #expect(t.state?.model == start)
        #expect(try t.failure(of: "sim undo").contains("nothing to undo"))
        _ = try t.output(of: "sim tick")
        _ = try t.output(of: "sim advance 2s")
        #expect(t.state?.model.clockMs == 3_000)
        let listed = try t.output(of: "sim scenario")
        for name in SimScenario.names { #expect(listed.contains(name)) }
        #expect(listed.contains("sim model — not a cluster: scenarios"))
    }

    @Test func kafkaPicksTheVersionWhoseRulesTheModelPlays() throws {
        let t = ModelSession()
        let old = try t.output(of: "sim --kafka 0.10")
        #expect(old.contains("it follows Kafka 0.10 rules step by step"))
        #expect(old.contains("sim model — not a cluster · Kafka 0.10 rules · step 0"))
        #expect(old.contains("unclean.leader.election.enable true"))
        #expect(old.contains("zookeeper.session.timeout.ms 6 s"))
        #expect(old.contains("HW truncation (before KIP-101)"))
        #expect(t.state?.model.config == ModelConfig().playing(.v0_10))
        #expect(
            try t.failure(of: "sim --kafka 1.0").contains("--kafka takes one of 0.10, 0.11, 2.0, 3.6, 3.9, not '1.0'"))
        #expect(t.state?.model.config.kafka == .v0_10)
        _ = try t.output(of: "sim --kafka 3.9.0")
        #expect(t.state?.model.config == ModelConfig())

        let one = try t.documents(of: "sim scenario min-isr --kafka 3.6")
        #expect(Set(one.compactMap { $0["variant"] }.map { "\($0)" }) == ["\(JSONValue.string("3.6"))"])
        #expect(one.contains { $0["text"].map { "\($0)".contains("NOT_ENOUGH_REPLICAS_AFTER_APPEND") } == true })
    }

    @Test func compareShowsWhereTwoVersionsPlayALessonDifferently() throws {
        let t = ModelSession()
        let text = try t.output(of: "sim compare min-isr 3.6 3.9")
        #expect(text.contains("scenario min-isr (a model, not a cluster) under Kafka 3.6 and 3.9 rules"))
        let row = text.split(separator: "\n").map(String.init).first { $0.hasPrefix("9 ") && $0.contains("HW") }
        #expect(row?.split(separator: " ").map(String.init) == ["9", "sim", "stop", "2", "HW", "3", "2"])
        let docs = try t.documents(of: "sim compare min-isr 3.6 3.9")
        let json = try #require(docs.first)
        #expect(json["kafka"] == .strings(["3.6", "3.9"]))
        guard case .array(let diffs)? = json["differences"] else { throw TestFailure("no differences in \(json)") }
        #expect(diffs.first?["step"] == .integer(9))
        #expect(diffs.first?["what"] == .string("HW"))
        #expect(diffs.first?["first"] == .string("3") && diffs.first?["second"] == .string("2"))
        #expect(
            diffs.contains {
                $0["what"] == .string("writes")
                    && $0["first"] == .string("m2 failed: NOT_ENOUGH_REPLICAS_AFTER_APPEND")
                    && $0["second"] == .string("m2 pending")
            })
        // Listed where it appears or changes, not at every step while it lasts.
        #expect(diffs.filter { $0["what"] == .string("writes") }.map { $0["step"] } == [.integer(9), .integer(12)])
        let same = try t.output(of: "sim compare hw-propagation 3.6 3.9")
        #expect(same.contains("the outcomes are the same at every step"))
        #expect(try t.failure(of: "sim compare min-isr 3.9 3.9").contains("two different versions"))
        #expect(try t.failure(of: "sim compare min-isr 3.9 4.0").contains("not '4.0'"))
        #expect(try t.failure(of: "sim compare nope 3.6 3.9").contains("unknown scenario 'nope'"))
    }

    @Test func rulesListEachVersionDifferenceWithItsSourceFile() throws {
        let t = ModelSession()
        let help = try t.output(of: "help sim rules")
        #expect(help.contains("hw-under-min-isr: [3.9] 3.7+ (KAFKA-15583)"))
        #expect(help.contains("core/src/main/scala/kafka/cluster/Partition.scala (maybeIncrementLeaderHW"))
        let rules = try t.output(of: "sim rules --kafka 0.10")
        #expect(rules.contains("[0.10] unclean.leader.election.enable defaults to true"))
        #expect(!rules.contains("[3.9]"))
        let json = try #require(try t.documents(of: "sim rules").first)
        guard case .array(let list)? = json["rules"] else { throw TestFailure("no rules") }
        #expect(list.count == KafkaVersion.rules.count)
        #expect(json["kafka"] == .null)
    }

    @Test func exploreAtThePromptPrintsTheShortestCounterexampleAndReplayStepsThroughIt() throws {
        let t = ModelSession()
        #expect(try t.failure(of: "sim replay").contains("nothing to replay"))
        let text = try t.output(of: "sim explore --acks 1")
        #expect(text.contains("found: lost acknowledged write in 2 steps (the shortest;"))
        #expect(text.contains("  1. sim produce --acks 1\n  2. sim stop 1\n  lost: m0"))
        let replayed = try t.output(of: "sim replay")
        #expect(replayed.contains("$ sim stop 1"))
        #expect(replayed.contains("result: lost 1 acknowledged record (m0)"))
        #expect(t.state?.step == 2)
        let doc = try #require(try t.documents(of: "sim explore --acks 1 --kafka 0.10").first)
        #expect(doc["found"] == .bool(true) && doc["kafka"] == .string("0.10"))
        #expect(doc["property"] == .string("lost acknowledged write"))
        #expect(doc["lost"] == .strings(["m0"]) && doc["depth"] == .integer(6))
        guard case .array(let steps)? = doc["steps"] else { throw TestFailure("no steps") }
        #expect(steps.map { $0["command"] } == [.string("sim produce --acks 1"), .string("sim stop 1")])
        #expect(steps.last?["leader"] == .integer(2))
        // The counterexample's steps carry the lanes: m0 acknowledged with acks=1, then lost.
        guard case .array(let lastWrites)? = steps.last?["producer"]?["writes"] else { throw TestFailure("no lane") }
        #expect(lastWrites.first?["send"] == .string("acknowledged") && lastWrites.first?["lost"] == .bool(true))
        for key in ["states", "elapsed_ms"] { #expect(doc[key] != nil, "\(key) missing") }
        let none = try t.output(of: "sim explore --min-isr 2 --depth 3")
        #expect(none.contains("none within 3 steps:"))
        #expect(try t.failure(of: "sim explore --faults stop,flood").contains("not 'flood'"))
        #expect(try t.failure(of: "sim explore --acks 0").contains("--acks takes all or 1"))
    }

    @Test func aPartitionAtThePromptMakesAZombieLeaderAndHealEndsIt() throws {
        let t = ModelSession()
        _ = try t.output(of: "sim")
        #expect(try t.failure(of: "sim heal").contains("no broker is behind a network partition"))
        let cut = try t.output(of: "sim partition 1")
        #expect(cut.contains("network partition: broker 1 keeps running but reaches neither the controller"))
        #expect(try t.failure(of: "sim fetch 2").contains("the leader is behind a network partition"))
        let fenced = try t.output(of: "sim tick 9s")
        #expect(fenced.contains("(a zombie leader)"))
        #expect(fenced.contains("zombie leader of epoch 0, partitioned"))
        let zombie = try t.output(of: "sim produce --to 1 --acks 1")
        #expect(zombie.contains("zombie leader 1, behind the partition, still believes it leads epoch 0"))
        #expect(try t.output(of: "sim produce --to 3 --acks 1").contains("refused: NOT_LEADER_OR_FOLLOWER"))
        let healed = try t.output(of: "sim heal")
        #expect(healed.contains("learns that its epoch 0 is over (broker 2 leads epoch 1)"))
        #expect(healed.contains("broker 1 alone holds m0 from its time as a zombie"))
        let found = try t.output(of: "sim explore --acks 1 --faults partition")
        #expect(found.contains("  1. sim produce --acks 1\n  2. sim partition 1\n  3. sim tick 9s\n  lost: m0"))
    }

    @Test func atAnInteractivePromptAScenarioPausesForPredictionsAndComparesThem() throws {
        let t = ModelSession(isScript: false)
        _ = try t.output(of: "sim")
        let input = ScriptedPredictions(["0", "1", "broker 3", "2"])
        t.state?.predictions = input
        let out = try t.output(of: "sim scenario hw-propagation")
        #expect(input.questions == SimScenario.hwPropagation.steps.compactMap(\.question))
        #expect(out.contains("answer: the leader's HW is 0 (you said 0: right)"))
        #expect(out.contains("answer: the leader's HW is 0 (you said 1: not this time)"))
        #expect(out.contains("answer: broker 3's HW is 0 (you said broker 3: not this time)"))
        // JSON never pauses; the prediction is in the step's document.
        let quiet = ScriptedPredictions(["x"])
        t.state?.predictions = quiet
        let docs = try t.documents(of: "sim scenario hw-propagation")
        #expect(quiet.questions.isEmpty)
        #expect(
            docs.contains { $0["prediction"]?["answer"] == .string("2") || $0["prediction"]?["answer"] == .string("0") }
        )
        #expect(PredictionKind.normalise(" Rejected ") == "refused")
        #expect(PredictionKind.normalise("Broker 2") == "2")
    }

    @Test func theProducerLanePlaysTheSessionsProducerSettings() throws {
        let t = ModelSession()
        _ = try t.output(of: "sim")
        _ = try t.output(of: "sim produce --acks all")
        let idempotent = try t.output(of: "sim stop 1")
        #expect(
            idempotent.contains(
                "  producer: m0 @0 acks=all: failed (NOT_LEADER_OR_FOLLOWER) → send() no answer yet; answered NOT_LEADER_OR_FOLLOWER after the append; the leader no longer holds it"
            ), "\(idempotent)")
        _ = try t.output(of: "sim undo")
        _ = try t.output(of: "set retries 0")
        let once = try t.output(of: "sim stop 1")
        #expect(
            once.contains("→ send() failed; answered NOT_LEADER_OR_FOLLOWER after the append; retries=0"), "\(once)")
        let doc = try #require(try t.documents(of: "sim show").first)
        #expect(doc["producer"]?["settings"]?["retries"] == .integer(0))
        // Settings changed after a step: `sim show` answers the waiting writes under them.
        _ = try t.output(of: "sim undo")
        _ = try t.output(of: "set retries 5")
        let again = try #require(try t.documents(of: "sim show").first)
        #expect(again["producer"]?["settings"]?["retries"] == .integer(5))
        let help = try t.output(of: "help sim")
        #expect(help.contains("Under the replicas every step shows three lanes. producer:"))
        #expect(try t.output(of: "sim rules --kafka 2.0").contains("ListOffsets answers the new leader's lagging HW"))
    }

    @Test func explainNamesTheScenarioThatShowsEachReplicationConcept() throws {
        let t = ModelSession()
        for (concept, scenario) in [
            ("isr", "isr-shrink-and-expand"), ("hw", "hw-propagation"), ("leo", "hw-propagation"),
            ("leader-epoch", "kip101-loss"), ("unclean-election", "unclean-election"),
            ("min-isr", "min-isr"), ("acks", "min-isr"),
        ] {
            #expect(try t.output(of: "explain \(concept)").contains("`sim scenario \(scenario)`"), "\(concept)")
        }
    }

    /// The embedded cluster keeps a stopped broker in the ISR; `isr` must not call that row `ok`.
    @Test func isrOnTheEmbeddedClusterMarksAStoppedBrokersRowsNotModelled() throws {
        let t = try TestSession()
        _ = try t.output(of: "topic create orders --partitions 2")
        _ = try t.output(of: "broker stop 2")
        let json = try t.json("isr orders")
        guard case .array(let partitions)? = json["partitions"] else { throw TestFailure("no partitions in \(json)") }
        #expect(partitions.count == 2)
        for p in partitions {
            #expect(p["offline_replicas"] == .ints([2]))
            #expect(p["isr"] == .ints([1, 2, 3]))
            #expect(p["state"] == .strings(["not modelled"]))
        }
        let text = try t.output(of: "isr orders")
        #expect(text.contains("not modelled: the ISR still lists a stopped broker"))
        #expect(text.contains("`sim scenario leader-failover`"))
        _ = try t.output(of: "broker start 2")
        #expect(
            try t.json("isr orders")["partitions"].map { p in
                guard case .array(let rows) = p else { return false }
                return rows.allSatisfy { $0["state"] == .strings(["ok"]) }
            } == true)
    }
}
