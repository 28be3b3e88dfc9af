/// Plays a scenario: a fresh model per truncation mode, each step announced,
/// predicted (at an interactive prompt the learner answers first; scripts and
/// JSON print the question and the answer), applied and pictured, then what
/// was lost or diverged, and the modes compared.
struct SimScenarioRunner {
    let runner: SimRunner
    var ctx: CommandContext { runner.ctx }
    var out: Output { runner.out }

    init(_ ctx: CommandContext) { runner = SimRunner(ctx) }

    /// Pause for predictions only where a person answers: not in scripts, `source` or JSON.
    var pauses: Bool { !ctx.session.isScript && ctx.session.sourceDepth == 0 && !out.isJSON }

    func run() throws {
        let args = ctx.arguments
        try args.expectPositionals(atMost: 1)
        guard let name = args.optionalPositional(0) else {
            if args.value("--truncation") != nil || args.value("--kafka") != nil {
                throw ctx.usageError("--truncation and --kafka need a scenario name")
            }
            return list()
        }
        guard let scenario = SimScenario.named(name) else {
            let near = NearestNames.suggest(name, from: SimScenario.names)
            throw LabError.notFound(
                "unknown scenario '\(name)'; "
                    + (near.isEmpty
                        ? "`sim scenario` lists them" : "did you mean " + near.joined(separator: ", ") + "?"))
        }
        var modes = scenario.variants.map { scenario.config.playing($0) }
        if let text = args.value("--kafka") {
            guard let version = KafkaVersion(text: text) else {
                throw ctx.usageError("--kafka takes one of \(KafkaVersion.supported), not '\(text)'")
            }
            modes = [scenario.config.playing(version)]
        }
        if let text = args.value("--truncation") {
            guard let mode = TruncationMode(rawValue: text.lowercased()) else {
                throw ctx.usageError("--truncation takes hw or epoch, not '\(text)'")
            }
            let matching = modes.filter { $0.truncation == mode }
            if matching.isEmpty {
                var forced = modes[0]
                forced.truncation = mode
                modes = [forced]
            } else {
                modes = matching
            }
        }
        if !out.isJSON {
            out.line(out.bold("scenario \(scenario.name)") + " (a model, not a cluster): \(scenario.summary)")
            if modes.count > 1 {
                out.line("played with " + modes.map(\.variantLabel).joined(separator: ", then with "))
            }
        }
        var outcomes: [(mode: ModelConfig, lost: [String], diverged: [(replica: Int, offsets: [Int])])] = []
        for mode in modes {
            do {
                let (model, diverged) = try play(scenario, config: mode)
                outcomes.append((mode, model.lostWrites.map(\.value), diverged))
            } catch is ScenarioStopped {
                return  // Ctrl-D at a prediction: said, and the model stays where it was
            }
        }
        out.emitStreamed(
            SimScenarioSummaryResult(
                scenario: scenario.name,
                variants: outcomes.map { o in
                    .init(
                        kafka: o.mode.kafka.rawValue, truncation: o.mode.truncation.rawValue, lost: o.lost.count,
                        lostRecords: o.lost,
                        diverged: o.diverged.map { .init(replica: $0.replica, offsets: $0.offsets) },
                        label: o.mode.variantLabel)
                }))
    }

    static func verdict(lost: [String], diverged: [(replica: Int, offsets: [Int])]) -> String {
        let l =
            lost.isEmpty
            ? "no acknowledged record lost"
            : "lost \(lost.count) acknowledged record\(lost.count == 1 ? "" : "s") (\(lost.joined(separator: ", ")))"
        let d =
            diverged.isEmpty
            ? "logs never diverged"
            : "logs diverged ("
                + diverged.map {
                    "broker \($0.replica) at offset \($0.offsets.map(String.init).joined(separator: ","))"
                }.joined(separator: "; ") + ")"
        return l + "; " + d
    }

    private func list() {
        out.emit(
            SimScenarioListResult(
                scenarios: SimScenario.all.map {
                    .init(name: $0.name, steps: $0.steps.count, kafka: $0.variants.map(\.rawValue), summary: $0.summary)
                }))
    }

    /// One mode of a scenario, from a fresh model; returns the final model and
    /// the widest divergence seen between a running follower and the leader on the way.
    private func play(
        _ scenario: SimScenario, config: ModelConfig
    ) throws -> (ReplicationModel, [(replica: Int, offsets: [Int])]) {
        var diverged: [(replica: Int, offsets: [Int])] = []
        let state = SimLabState.reset(in: ctx.session, to: ReplicationModel(config))
        func tagged(_ v: SimStepResult, narration: String? = nil) -> SimStepResult {
            var v = v
            v.scenario = scenario.name
            v.variant = config.variantName
            v.narration = narration
            return v
        }
        if !out.isJSON { out.line(out.bold("── \(scenario.name) with \(config.variantLabel) ──")) }
        runner.print(
            state, command: "sim --kafka \(config.kafka.rawValue) --truncation \(config.truncation.rawValue)",
            result: ModelStep(event: "start"), previous: nil, showSettings: true, streamed: true
        ) { tagged($0) }
        for (index, step) in scenario.steps.enumerated() {
            try ctx.cancellation.check()
            if !out.isJSON {
                out.line("")
                out.line(
                    out.bold("step \(index + 1)/\(scenario.steps.count)") + (step.why.isEmpty ? "" : ": " + step.why))
            }
            var guess: String?
            if let question = step.question, !out.isJSON {
                out.line("? predict: " + question)
                if pauses {
                    switch state.predictions.prediction(for: question, session: ctx.session) {
                    case .answer(let text): guess = text
                    case .interrupted: throw LabError.interrupted
                    case .stop:
                        out.line(
                            "scenario \(scenario.name) stopped before step \(index + 1) (Ctrl-D); `sim` shows the model as it is"
                        )
                        throw ScenarioStopped()
                    }
                    try ctx.cancellation.check()
                }
            }
            if !out.isJSON { out.line(out.dim("$ ") + step.action.commandLine) }
            let result: ModelStep
            let previous: ReplicationModel
            do {
                (result, previous) = try state.apply(step.action, settings: runner.producerSettings(state))
            } catch let e as ModelError {
                throw LabError.invalid(
                    "scenario \(scenario.name) step \(index + 1) (\(step.action.commandLine)): \(e.description)")
            }
            let model = state.model
            var prediction: SimStepResult.Prediction?
            if let question = step.question, let kind = step.predict {
                let answer = kind.answer(result, model, lanes: state.lanes)
                let said = guess.flatMap { $0.trimmingWhitespace().isEmpty ? nil : $0 }
                prediction = SimStepResult.Prediction(
                    question: question, answer: answer.key, explanation: answer.text, yourPrediction: said,
                    right: said.map { PredictionKind.normalise($0) == answer.key })
            }
            runner.print(state, command: step.action.commandLine, result: result, previous: previous, streamed: true) {
                var v = tagged($0, narration: step.why)
                v.prediction = prediction
                return v
            }
            let now = model.divergence
            if now.map(\.offsets.count).reduce(0, +) > diverged.map(\.offsets.count).reduce(0, +) { diverged = now }
        }
        if !out.isJSON {
            out.line("")
            out.line(
                out.bold("result with \(config.variantLabel):") + " "
                    + Self.verdict(lost: state.model.lostWrites.map(\.value), diverged: diverged))
        }
        return (state.model, diverged)
    }
}

extension ModelConfig {
    /// "Kafka 0.10 rules, HW truncation (before KIP-101)": which rules a scenario variant plays.
    var variantLabel: String { kafka.label + ", " + truncation.label }
    /// "3.9", or "3.9/hw" when the truncation is not the version's own.
    var variantName: String { kafka.rawValue + (truncation == kafka.truncation ? "" : "/" + truncation.rawValue) }
}

/// Ctrl-D at a prediction prompt: the scenario ends there, without failing.
struct ScenarioStopped: Error {}
