import Testing

@testable import Lab

/// The producer, consumer and disk lanes at chosen steps of the lessons, with
/// exact states, and the step result's text and JSON saying the same.
@Suite("sim: the producer, consumer and disk lanes")
struct SimLanesTests {
    /// The state after the first `steps` steps of a lesson (all of them when nil).
    private func played(
        _ scenario: SimScenario, steps: Int? = nil, kafka: KafkaVersion? = nil,
        settings: ModelProducerSettings = ModelProducerSettings()
    ) throws -> SimLabState {
        let state = SimLabState(model: ReplicationModel(scenario.config.playing(kafka ?? .v3_9)))
        for s in scenario.steps.prefix(steps ?? scenario.steps.count) {
            _ = try state.apply(s.action, settings: settings)
        }
        return state
    }

    private func moved(_ actions: [SimAction], _ config: ModelConfig = ModelConfig()) throws -> SimLabState {
        let state = SimLabState(model: ReplicationModel(config))
        for a in actions { _ = try state.apply(a) }
        return state
    }

    private func entry(_ state: SimLabState, _ value: String) throws -> ProducerLane.Entry {
        try #require(state.lanes.producer.writes.first { $0.value == value })
    }

    @Test func anAcksAllWriteWaitsAcceptedThenIsAcknowledgedWhenTheHighWatermarkPassesIt() throws {
        let waiting = try played(.hwPropagation, steps: 1)
        let m0 = try entry(waiting, "m0")
        #expect(m0.answer == .accepted && m0.send == .noAnswerYet && m0.offset == 0 && m0.error == nil)
        #expect(m0.sentThisStep && m0.changed && !m0.lost)
        #expect(m0.detail.contains("at most until 30 s (request.timeout.ms)"))
        #expect(waiting.lanes.producer.request?.value == "m1")
        #expect(waiting.lanes.consumer.readUncommitted.isEmpty && waiting.lanes.consumer.latestOffset == 0)

        let still = try played(.hwPropagation, steps: 4)  // broker 3 is known only at 0
        #expect(try entry(still, "m0").send == .noAnswerYet)
        #expect(try entry(still, "m0").changed == false)
        #expect(still.lanes.producer.request == nil)

        let done = try played(.hwPropagation, steps: 5)
        for v in ["m0", "m1"] {
            let e = try entry(done, v)
            #expect(e.answer == .acknowledged && e.send == .acknowledged && e.changed && !e.sentThisStep)
        }
        #expect(done.lanes.consumer.readUncommitted == ["m0", "m1"])
        #expect(done.lanes.consumer.readCommitted == ["m0", "m1"])
        #expect(done.lanes.consumer.highWatermark == 2 && done.lanes.consumer.latestOffset == 2)
        #expect(!done.lanes.consumer.wentBack)
    }

    @Test func anAcksOneWriteIsAcknowledgedAtOnceAndThenLostOnFailover() throws {
        let state = try moved([.produce(acks: .leader, count: 1)])
        let acked = try entry(state, "m0")
        #expect(acked.answer == .acknowledged && acked.send == .acknowledged && !acked.lost)
        _ = try state.apply(.stop(1))
        let lost = try entry(state, "m0")
        #expect(lost.send == .acknowledged && lost.lost && lost.changed)
        #expect(lost.detail.hasSuffix("; leader 2's log no longer has it: lost, though send() returned acknowledged"))
        // The answer stays as it was: send() does not take back an acknowledgement.
        _ = try state.apply(.start(1))
        _ = try state.apply(.fetch(1))
        #expect(try entry(state, "m0").send == .acknowledged && (try entry(state, "m0")).lost)
        #expect(state.model.lostWrites.map(\.value) == ["m0"])
        // Another leader change: the sentence names the leader now, once.
        _ = try state.apply(.stop(2))
        let again = try entry(state, "m0")
        #expect(again.lost && again.detail.components(separatedBy: "lost, though").count == 2)
        #expect(
            again.detail.hasSuffix(
                "; leader \(state.model.leader!)'s log no longer has it: lost, though send() returned acknowledged"))
        #expect(state.model.leader != 2)
    }

    @Test func anAcksZeroWriteIsAcceptedAndSendReturnsWithoutAnAnswer() throws {
        let state = try moved([.produce(acks: .none, count: 1)])
        let e = try entry(state, "m0")
        #expect(e.answer == .accepted && e.send == .sent && e.error == nil && e.offset == 0)
        #expect(!state.lanes.producer.shown.isEmpty)
        _ = try state.apply(.fetch(2))
        #expect(state.lanes.producer.shown.isEmpty)  // settled and unchanged: only the summary shows it
    }

    @Test func aLeaderChangeTakesTheHighWatermarkBackForClientsAndListOffsetsWaits() throws {
        // kip101-loss: leader 1's HW is 2, the followers have learned 0.
        let before = try played(.kip101Loss, steps: 3)
        #expect(before.lanes.consumer.highWatermark == 2 && before.lanes.consumer.readUncommitted == ["m0", "m1"])
        let after = try played(.kip101Loss, steps: 4)  // sim stop 1: broker 2 leads
        let c = after.lanes.consumer
        #expect(c.leader == 2 && c.highWatermark == 0 && c.highestSeenBefore == 2 && c.wentBack)
        #expect(c.readUncommitted.isEmpty)
        #expect(c.latestOffset == nil && c.error == "OFFSET_NOT_AVAILABLE")
        #expect(c.detail.contains("the HW went back from 2 to 0"))
        #expect(
            c.detail.contains("ListOffsets answers OFFSET_NOT_AVAILABLE: the HW (0) is below where epoch 1 began (2)"))
        // Before KIP-207 (2.2) ListOffsets answered the lagging HW: the offset goes backwards.
        let old = try played(.kip101Loss, steps: 4, kafka: .v2_0)
        #expect(old.lanes.consumer.wentBack && old.lanes.consumer.latestOffset == 0 && old.lanes.consumer.error == nil)
        #expect(old.lanes.consumer.detail.contains("Kafka 2.0 predates KIP-207"))
    }

    @Test func listOffsetsIsNotAvailableUntilTheNewLeadersHighWatermarkReachesItsEpochStart() throws {
        // leader-failover: the fence at 9 s elects broker 2, whose log ends at 3 and whose HW is 2.
        let elected = try played(.leaderFailover, steps: 8)
        #expect(elected.model.leaderEpochStartOffset == 3)
        #expect(elected.lanes.consumer.error == "OFFSET_NOT_AVAILABLE" && elected.lanes.consumer.latestOffset == nil)
        #expect(elected.lanes.consumer.readUncommitted == ["m0", "m1"] && !elected.lanes.consumer.wentBack)
        let oneFetch = try played(.leaderFailover, steps: 9)
        #expect(oneFetch.lanes.consumer.error == "OFFSET_NOT_AVAILABLE")
        let twoFetches = try played(.leaderFailover, steps: 10)
        #expect(twoFetches.lanes.consumer.error == nil && twoFetches.lanes.consumer.latestOffset == 3)
        #expect(twoFetches.lanes.consumer.readUncommitted == ["m0", "m1", "m2"])
        // While leader 1 has crashed and is not fenced, no leader answers.
        let crashed = try played(.leaderFailover, steps: 6)
        #expect(crashed.lanes.consumer.error == "REQUEST_TIMED_OUT" && crashed.lanes.consumer.highWatermark == nil)
        #expect(crashed.lanes.consumer.highestSeen == 2)
    }

    @Test func aRequestTimeoutBeforeASlowShrinkIsRetriedAndTheIdempotentRetryDeduplicated() throws {
        // isr-shrink-and-expand: at 30 s the acks=all request times out; the shrink comes at 45 s.
        let timedOut = try played(.isrShrinkAndExpand, steps: 5)
        for (o, v) in ["m0", "m1", "m2"].enumerated() {
            let e = try entry(timedOut, v)
            #expect(e.answer == .failed && e.error == "REQUEST_TIMED_OUT" && e.offset == o)
            #expect(e.send == .noAnswerYet && e.deduplicated && e.changed)
        }
        #expect(
            try entry(timedOut, "m0").detail.contains(
                "the idempotent retry finds m0 already at offset 0 in leader 1's log (same producer id and sequence): de-duplicated, it waits for the HW to pass 0"
            ))
        let shrunk = try played(.isrShrinkAndExpand, steps: 6)
        #expect(shrunk.model.isr == [1, 2] && shrunk.model.highWatermark == 3)
        for v in ["m0", "m1", "m2"] {
            let e = try entry(shrunk, v)
            #expect(e.answer == .failed && e.send == .acknowledged && e.deduplicated && e.changed)
        }
        // Without idempotence the retry would append the records again; with retries=0 send() fails at once.
        var plain = ModelProducerSettings()
        plain.enableIdempotence = false
        let duplicate = try entry(try played(.isrShrinkAndExpand, steps: 5, settings: plain), "m0")
        #expect(duplicate.send == .noAnswerYet && !duplicate.deduplicated)
        #expect(
            duplicate.detail.contains("without idempotence the retry appends m0 again, after offset 2: a duplicate"))
        var once = ModelProducerSettings()
        once.retries = 0
        let failed = try entry(try played(.isrShrinkAndExpand, steps: 6, settings: once), "m0")
        #expect(failed.send == .failed && failed.detail.hasSuffix("retries=0, so send() fails with REQUEST_TIMED_OUT"))
    }

    @Test func aRetryTheLeaderCannotDeduplicateFailsWhenTheDeliveryTimeoutRunsOut() throws {
        // A record reaches only leader 1; it stops and broker 2, which lacks it, leads.
        let state = try moved([.produce(acks: .all, count: 1), .stop(1)])
        let e = try entry(state, "m0")
        #expect(e.error == "NOT_LEADER_OR_FOLLOWER" && e.send == .noAnswerYet && !e.deduplicated)
        #expect(e.detail.contains("the leader no longer holds it, so the producer's retry appends it anew"))
        _ = try state.apply(.tick(ms: 119_000))
        #expect(try entry(state, "m0").send == .noAnswerYet)
        _ = try state.apply(.tick(ms: 1_000))
        let late = try entry(state, "m0")
        #expect(late.send == .failed && late.changed)
        #expect(
            late.detail.contains("delivery.timeout.ms (120 s) ran out at 120 s: send() fails with a TimeoutException"))
    }

    @Test func aRefusedOrUnansweredRequestShowsInItsStepOnly() throws {
        let refused = try played(.minIsr, steps: 10)  // acks=all with ISR {1}
        let r = try #require(refused.lanes.producer.request)
        #expect(r.value == nil && r.answer == .refused && r.error == "NOT_ENOUGH_REPLICAS" && r.send == .noAnswerYet)
        #expect(r.detail.contains("the model does not play the retry"))
        let next = try played(.minIsr, steps: 11)
        #expect(!next.lanes.producer.writes.contains { $0.value == nil })
        let silent = try played(.leaderFailover, steps: 7)  // produce while leader 1 has crashed
        let s = try #require(silent.lanes.producer.request)
        #expect(s.answer == .noAnswerYet && s.error == "REQUEST_TIMED_OUT" && s.send == .noAnswerYet)
    }

    @Test func aProduceMoveSaysItsAcksAndCount() {
        #expect(SimAction.produce(acks: .leader, count: 3).produceRequest! == (ModelAcks.leader, 3))
        #expect(SimAction.produce(acks: .all, count: 1).produceRequest! == (ModelAcks.all, 1))
        #expect(SimAction.fetch(2).produceRequest == nil)
    }

    @Test func predictionsAnswerInTheLanesWords() throws {
        func answer(_ scenario: SimScenario, _ step: Int, kafka: KafkaVersion? = nil) throws -> String {
            let state = SimLabState(
                model: ReplicationModel(scenario.config.playing(kafka ?? scenario.variants.first!)))
            var last: ModelStep?
            for s in scenario.steps.prefix(step) { last = try state.apply(s.action).result }
            let kind = try #require(scenario.steps[step - 1].predict)
            return kind.answer(try #require(last), state.model, lanes: state.lanes).key
        }
        #expect(try answer(.minIsr, 5) == "accepted")
        #expect(try answer(.minIsr, 10) == "refused")
        #expect(try answer(.minIsr, 11) == "acknowledged")
        #expect(try answer(.leaderFailover, 7) == "no answer yet")
        for (said, key) in [
            ("Acked", "acknowledged"), ("appended", "accepted"), ("rejected", "refused"),
            ("timed out", "no answer yet"),
            ("accepted", "accepted"),
        ] {
            #expect(PredictionKind.normalise(said) == key, "\(said)")
        }
    }

    @Test func aPowerLossTakesTheUnflushedTailAndTheDiskLaneSaysWhich() throws {
        let state = try moved([
            .produce(acks: .all, count: 2), .fetch(nil), .fetch(nil), .stop(3), .start(3),
            .produce(acks: .leader, count: 1),
        ])
        let disk = state.lanes.disk.replicas
        #expect(disk.map(\.flushed) == [0, 0, 2])
        #expect(disk.map(\.unflushed) == [["m0", "m1", "m2"], ["m0", "m1"], []])
        _ = try state.apply(.killLosingUnflushed(1))
        let after = state.lanes.disk.replicas
        #expect(after[0].leo == 0 && after[0].lostToPowerLoss == ["m0", "m1", "m2"] && after[0].unflushed.isEmpty)
        #expect(after[1].lostToPowerLoss.isEmpty && after[2].lostToPowerLoss.isEmpty)
        // A crash that keeps the page cache loses nothing.
        let kept = try moved([.produce(acks: .all, count: 1), .kill(1)])
        #expect(kept.lanes.disk.replicas[0].lostToPowerLoss.isEmpty && kept.lanes.disk.replicas[0].unflushed == ["m0"])
        // Undo takes the lanes back with the model.
        _ = state.undo()
        #expect(state.lanes.disk.replicas.map(\.flushed) == [0, 0, 2])
        #expect(state.lanes.disk.replicas[0].lostToPowerLoss.isEmpty)
    }

    @Test func theSessionsProducerSettingsOverTheJavaDefaults() {
        let defaults = ModelProducerSettings(properties: [:], requestTimeoutMs: 30_000)
        #expect(
            defaults.enableIdempotence && defaults.retries == 2_147_483_647 && defaults.deliveryTimeoutMs == 120_000)
        let set = ModelProducerSettings(
            properties: ["enable.idempotence": "false", "message.send.max.retries": "0", "message.timeout.ms": "5000"],
            requestTimeoutMs: 10_000)
        #expect(!set.enableIdempotence && set.retries == 0 && set.deliveryTimeoutMs == 5_000)
        #expect(set.requestTimeoutMs == 10_000)
        #expect(ModelProducerSettings(properties: ["retries": "x"], requestTimeoutMs: 1).retries == 2_147_483_647)
    }

    @Test func aStepsTextAndJsonCarryTheSameLanes() throws {
        let state = try played(.isrShrinkAndExpand, steps: 5)
        let result = SimStepResult(
            step: state.step, command: "sim tick 11s", result: ModelStep(event: "tick"), model: state.model,
            previous: nil, lanes: state.lanes)
        let r = RenderedResult(result)
        guard case .array(let writes)? = r.json["producer"]?["writes"] else {
            throw LaneTestFailure("no producer writes")
        }
        #expect(writes.count == 3)
        for w in writes {
            guard case .string(let v)? = w["value"], case .int(let o)? = w["offset"],
                case .string(let answer)? = w["answer"], case .string(let send)? = w["send"],
                case .string(let detail)? = w["detail"]
            else { throw LaneTestFailure("incomplete \(w)") }
            #expect(answer == "failed" && send == "no answer yet" && w["error"] == .string("REQUEST_TIMED_OUT"))
            #expect(
                r.text.contains(
                    "  producer: \(v) @\(o) acks=all: failed (REQUEST_TIMED_OUT) → send() no answer yet, retry de-duplicated; \(detail)\n"
                ), "\(r.text)")
        }
        #expect(r.json["producer"]?["settings"]?["delivery_timeout_ms"] == .integer(120_000))
        #expect(r.json["consumer"]?["latest_offset"] == .integer(0) && r.json["consumer"]?["error"] == .null)
        #expect(r.json["consumer"]?["read_uncommitted"] == .strings([]))
        #expect(
            r.text.contains(
                "  consumer: read_uncommitted nothing · read_committed the same · HW 0 · ListOffsets latest 0\n"))
        guard case .array(let disk)? = r.json["disk"]?["replicas"] else { throw LaneTestFailure("no disk") }
        #expect(
            disk.map { $0["unflushed"] } == [
                .strings(["m0", "m1", "m2"]), .strings(["m0", "m1", "m2"]), .strings([]),
            ])
        #expect(r.text.contains("  disk: broker 1: nothing on disk, unflushed 0-2 (m0..m2)\n"))
        #expect(r.text.contains("  disk: broker 3: empty\n"))
        for key in ["producer", "consumer", "disk", "error", "prediction", "scenario"] {
            #expect(r.json[key] != nil, "\(key) missing")
        }
    }
}

extension SimLanesTests {
    /// At a terminal the lanes are compact: one line each, writes with the same outcome grouped,
    /// the sentence only for what the step changed.
    @Test func atATerminalTheLanesAreCompactLines() throws {
        let state = try played(.isrShrinkAndExpand, steps: 5)
        var text = ""
        let out = Output(isTerminal: true, writeOut: { text += $0 }, writeErr: { _ in })
        let result = SimStepResult(
            step: state.step, command: "sim tick 11s", result: ModelStep(event: "tick"), model: state.model,
            previous: nil, lanes: state.lanes)
        result.render(into: out)
        out.flush()
        let plain = text.replacing(/\u{1B}\[[0-9]+m/, with: "")
        #expect(
            plain.contains(
                "\n  producer  m0..m2 acks=all: failed (REQUEST_TIMED_OUT) → send() no answer yet, retry de-duplicated\n"
            ), "\(plain)")
        // The sentence is wrapped to the terminal's width, so only its start is fixed.
        #expect(plain.contains("\n            answered REQUEST_TIMED_OUT after the append;"))
        #expect(plain.contains("\n  consumer  reads nothing (read_uncommitted and read_committed) · HW 0 · latest 0\n"))
        #expect(plain.contains("\n  disk      broker 1 unflushed 0-2 · 2 unflushed 0-2 · 3 empty\n"))
        #expect(text.contains("\u{1B}[33m"))  // what changed is yellow
    }
}

/// `sim`'s other results: one value rendered to text and to JSON carries the same facts.
@Suite("sim results: text and JSON from one value")
struct SimResultTests {
    @Test func scenarioSummaryComparesTheVariants() {
        let r = RenderedResult(
            SimScenarioSummaryResult(
                scenario: "kip101-loss",
                variants: [
                    .init(
                        kafka: "0.10", truncation: "hw", lost: 2, lostRecords: ["m0", "m1"], diverged: [],
                        label: "Kafka 0.10 rules, HW truncation (before KIP-101)"),
                    .init(
                        kafka: "3.9", truncation: "epoch", lost: 0, lostRecords: [],
                        diverged: [.init(replica: 1, offsets: [0, 1])], label: "Kafka 3.9 rules"),
                ]))
        #expect(
            r.text.contains(
                "compared:\n  Kafka 0.10 rules, HW truncation (before KIP-101): lost 2 acknowledged records (m0, m1); logs never diverged\n  Kafka 3.9 rules: no acknowledged record lost; logs diverged (broker 1 at offset 0,1)\n"
            ), "\(r.text)")
        #expect(
            r.json.serialized()
                == #"{"model":"sim model — not a cluster","scenario":"kip101-loss","summary":true,"variants":[{"kafka":"0.10","truncation":"hw","lost":2,"lost_records":["m0","m1"],"diverged":[]},{"kafka":"3.9","truncation":"epoch","lost":0,"lost_records":[],"diverged":[{"replica":1,"offsets":[0,1]}]}]}"#
        )
    }

    @Test func scenarioListAndReplaySummary() {
        let list = RenderedResult(
            SimScenarioListResult(scenarios: [.init(name: "min-isr", steps: 16, kafka: ["3.9", "3.6"], summary: "s")]))
        #expect(list.text.contains("min-isr   16     Kafka 3.9 rules then Kafka 3.6 rules  s"), "\(list.text)")
        #expect(
            list.json.serialized()
                == #"{"model":"sim model — not a cluster","scenarios":[{"name":"min-isr","steps":16,"kafka":["3.9","3.6"],"summary":"s"}]}"#
        )
        let replay = RenderedResult(SimReplaySummaryResult(lostRecords: ["m0"], diverged: []))
        #expect(replay.text == "result: lost 1 acknowledged record (m0); logs never diverged\n")
        #expect(
            replay.json.serialized()
                == #"{"model":"sim model — not a cluster","summary":true,"lost_records":["m0"],"diverged":[]}"#)
    }
}

private struct LaneTestFailure: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
