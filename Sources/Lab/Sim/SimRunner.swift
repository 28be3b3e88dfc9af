import Foundation

/// Runs `sim` and its subcommands: builds or moves the session's model,
/// prints each step (sentences, then the picture), keeps the undo stack and
/// plays scenarios with their predictions.
struct SimRunner {
    let ctx: CommandContext
    var out: Output { ctx.output }
    var session: Session { ctx.session }

    init(_ ctx: CommandContext) { self.ctx = ctx }

    // MARK: start

    /// `sim [--replicas N] [--min-isr N] [--unclean] [--lag-time D] [--session-timeout D] [--truncation hw|epoch]`
    func start() throws {
        let args = ctx.arguments
        try args.expectPositionals(atMost: 0)
        let replicas = try args.int("--replicas", default: 3, range: 1...7)
        let minIsr = try args.int("--min-isr", default: 1, range: 1...7)
        guard minIsr <= replicas else {
            throw LabError.invalid("--min-isr must be at most --replicas (\(replicas)), not \(minIsr)")
        }
        let kafka = try version(args.value("--kafka") ?? "3.9")
        var config = ModelConfig(
            replicaCount: replicas, minInsyncReplicas: minIsr, uncleanLeaderElection: args.has("--unclean")
        ).playing(kafka)
        config.replicaLagTimeMaxMs = try milliseconds("--lag-time", default: config.replicaLagTimeMaxMs)
        config.brokerSessionTimeoutMs = try milliseconds("--session-timeout", default: config.brokerSessionTimeoutMs)
        if let text = args.value("--truncation") {
            guard let mode = TruncationMode(rawValue: text.lowercased()) else {
                throw ctx.usageError("--truncation takes hw or epoch, not '\(text)'")
            }
            config.truncation = mode
        }
        let state = SimLabState.reset(in: session, to: ReplicationModel(config))
        out.line(
            out.bold("A model of one partition's replication, not a cluster")
                + ": it follows \(kafka.label) step by step; nothing is sent to any broker.")
        print(state, command: "sim", result: ModelStep(event: "start"), previous: nil, showSettings: true)
        out.hint(
            "move it: sim produce | fetch <broker>|all | tick <duration> | stop|kill|start|partition <broker> | heal | elect | set | show | undo; `sim scenario` lists lessons"
        )
    }

    private func version(_ text: String) throws -> KafkaVersion {
        guard let v = KafkaVersion(text: text) else {
            throw ctx.usageError("--kafka takes one of \(KafkaVersion.supported), not '\(text)'")
        }
        return v
    }

    /// `sim compare <scenario> <v1> <v2>`
    func compare() throws {
        let args = ctx.arguments
        try args.expectPositionals(atMost: 3)
        let name = try args.positional(0, "scenario name")
        guard let scenario = SimScenario.named(name) else {
            throw LabError.notFound("unknown scenario '\(name)'; `sim scenario` lists them")
        }
        let a = try args.positional(1, "first Kafka version"), b = try args.positional(2, "second Kafka version")
        guard let va = KafkaVersion(text: a), let vb = KafkaVersion(text: b) else {
            throw ctx.usageError(
                "versions are \(KafkaVersion.supported), not '\(KafkaVersion(text: a) == nil ? a : b)'")
        }
        guard va != vb else { throw ctx.usageError("compare two different versions, not \(a) twice") }
        out.emit(SimCompareResult(scenario, va, vb))
    }

    /// `sim rules [--kafka V]`
    func rules() throws {
        try ctx.arguments.expectPositionals(atMost: 0)
        guard let text = ctx.arguments.value("--kafka") else {
            return out.emit(SimRulesResult(kafka: nil, rules: KafkaVersion.rules))
        }
        let v = try version(text)
        out.emit(
            SimRulesResult(
                kafka: v.rawValue,
                rules: KafkaVersion.rules.map { r in
                    KafkaVersion.Rule(name: r.name, holds: r.holds.filter { $0.versions.contains(v) }, source: r.source)
                }))
    }

    /// `sim explore ...`: the search, then its result; the counterexample is kept for `sim replay`.
    func explore() throws {
        let args = ctx.arguments
        try args.expectPositionals(atMost: 0)
        let kafka = try version(args.value("--kafka") ?? "3.9")
        let replicas = try args.int("--replicas", default: 3, range: 1...5)
        let minIsr = try args.int("--min-isr", default: 1, range: 1...5)
        guard minIsr <= replicas else {
            throw LabError.invalid("--min-isr must be at most --replicas (\(replicas)), not \(minIsr)")
        }
        var config = ModelConfig(
            replicaCount: replicas, minInsyncReplicas: minIsr, uncleanLeaderElection: args.has("--unclean")
        ).playing(kafka)
        if let text = args.value("--truncation") {
            guard let mode = TruncationMode(rawValue: text.lowercased()) else {
                throw ctx.usageError("--truncation takes hw or epoch, not '\(text)'")
            }
            config.truncation = mode
        }
        let acksText = args.value("--acks") ?? "all"
        guard let acks = ModelAcks(text: acksText), acks != .none else {
            throw ctx.usageError("--acks takes all or 1, not '\(acksText)'")
        }
        var explorer = ModelExplorer(config: config, acks: acks)
        explorer.depth = try args.int("--depth", default: 6, range: 1...14)
        explorer.writes = try args.int("--writes", default: 2, range: 1...5)
        if let text = args.value("--faults") {
            var faults: Set<ModelExplorer.Fault> = []
            for word in text.split(separator: ",").map(String.init) where !word.isEmpty {
                guard let f = ModelExplorer.Fault(rawValue: word.lowercased()) else {
                    let all = ModelExplorer.Fault.allCases.map(\.rawValue).joined(separator: ",")
                    throw ctx.usageError("--faults takes a list of \(all), not '\(word)'")
                }
                faults.insert(f)
            }
            explorer.faults = faults
        }
        let started = Date()
        let outcome = try explorer.run(
            check: { try ctx.cancellation.check() },
            progress: { level, states in out.progress("exploring depth \(level): \(states) distinct states so far") })
        out.clearProgress()
        let elapsed = Int(Date().timeIntervalSince(started) * 1000)
        var steps: [SimStepResult] = []
        var lost: [String] = []
        if let found = outcome.found {
            var model = ReplicationModel(config)
            let settings = SimLabState.producerSettings(in: session, for: config)
            var lanes = ModelLanes(start: model, settings: settings)
            for (i, move) in found.path.enumerated() {
                let previous = model
                let result = try move.apply(to: &model)
                lanes = ModelLanes(
                    after: move, step: result, model: model, previous: previous, before: lanes, settings: settings)
                steps.append(
                    SimStepResult(
                        step: i + 1, command: move.commandLine, result: result, model: model, previous: previous,
                        lanes: lanes))
            }
            lost = model.lostWrites.map(\.value)
            let state =
                SimLabState.existing(in: session) ?? SimLabState.reset(in: session, to: ReplicationModel(config))
            state.counterexample = (config, found.path)
        }
        out.emit(
            SimExploreResult(
                kafka: kafka.rawValue,
                settings: .init(
                    acks: acks.rawValue, minInsyncReplicas: minIsr, replicas: replicas,
                    unclean: config.uncleanLeaderElection, truncation: config.truncation.rawValue,
                    faults: ModelExplorer.Fault.allCases.filter(explorer.faults.contains).map(\.rawValue),
                    writes: explorer.writes),
                found: outcome.found != nil, property: outcome.found?.property,
                commands: outcome.found?.path.map(\.commandLine) ?? [], steps: steps, lost: lost,
                states: outcome.states, depth: outcome.found == nil ? outcome.depthSearched : explorer.depth,
                limited: outcome.limited, elapsedMs: elapsed))
    }

    /// `sim replay`: the last counterexample, step by step, on a fresh model.
    func replay() throws {
        try ctx.arguments.expectPositionals(atMost: 0)
        guard let found = SimLabState.existing(in: session)?.counterexample else {
            throw LabError.invalid("nothing to replay: `sim explore` has found no counterexample in this session")
        }
        let state = SimLabState.reset(in: session, to: ReplicationModel(found.config))
        print(
            state, command: "sim replay", result: ModelStep(event: "start"), previous: nil, showSettings: true,
            streamed: true)
        for move in found.path {
            try ctx.cancellation.check()
            if !out.isJSON { out.line(out.dim("$ ") + move.commandLine) }
            let (result, previous) = try state.apply(move, settings: producerSettings(state))
            print(state, command: move.commandLine, result: result, previous: previous, streamed: true)
        }
        out.emitStreamed(
            SimReplaySummaryResult(
                lostRecords: state.model.lostWrites.map(\.value),
                diverged: state.model.divergence.map { .init(replica: $0.replica, offsets: $0.offsets) }))
    }

    /// The producer settings the lanes play now: the session's, over Java's 3.x defaults.
    func producerSettings(_ state: SimLabState) -> ModelProducerSettings {
        SimLabState.producerSettings(in: session, for: state.model.config)
    }

    private func milliseconds(_ option: String, default def: Int) throws -> Int {
        Int((try ctx.arguments.seconds(option, default: Double(def) / 1000, minimum: 0.001) * 1000).rounded())
    }

    // MARK: moves

    /// A subcommand's action on the current model; bad input leaves it unchanged.
    func act(_ action: SimAction) throws {
        let state = try requireModel()
        let moved: (result: ModelStep, previous: ReplicationModel)
        do {
            moved = try state.apply(action, settings: producerSettings(state))
        } catch let e as ModelError {
            throw LabError.invalid(e.description)
        }
        print(state, command: action.commandLine, result: moved.result, previous: moved.previous)
    }

    func produce() throws {
        let args = ctx.arguments
        try args.expectPositionals(atMost: 0)
        let text = args.value("--acks") ?? "all"
        guard let acks = ModelAcks(text: text) else { throw ctx.usageError("--acks takes 0, 1 or all, not '\(text)'") }
        let count = try args.int("--count", default: 1, range: 1...50)
        if let to = args.value("--to") {
            try act(.produceTo(broker: try broker(to), acks: acks, count: count))
        } else {
            try act(.produce(acks: acks, count: count))
        }
    }

    func fetch() throws {
        try ctx.arguments.expectPositionals(atMost: 1)
        let which = try ctx.arguments.positional(0, "broker (or all)")
        try act(.fetch(which.lowercased() == "all" ? nil : try broker(which)))
    }

    func tick() throws {
        try ctx.arguments.expectPositionals(atMost: 1)
        let text = ctx.arguments.optionalPositional(0) ?? "1s"
        guard let ms = ReplicationModel.parseMs(text), ms >= 1 else {
            throw ctx.usageError("the duration must look like 500ms, 10s or 1m, not '\(text)'")
        }
        try act(.tick(ms: ms))
    }

    func broker(_ action: (Int) -> SimAction) throws {
        try ctx.arguments.expectPositionals(atMost: 1)
        try act(action(try broker(try ctx.arguments.positional(0, "broker id"))))
    }

    func heal() throws {
        try ctx.arguments.expectPositionals(atMost: 0)
        try act(.heal)
    }

    func elect() throws {
        try ctx.arguments.expectPositionals(atMost: 1)
        try act(.elect(try ctx.arguments.optionalPositional(0).map(broker)))
    }

    func set() throws {
        try ctx.arguments.expectPositionals(atMost: 2)
        let option = try ctx.arguments.positional(0, "option (min-isr, unclean, lag-time, session-timeout, truncation)")
        try act(.set(option, try ctx.arguments.positional(1, "value")))
    }

    private func broker(_ text: String) throws -> Int {
        guard let id = Int(text) else { throw ctx.usageError("broker ids are whole numbers, not '\(text)'") }
        return id
    }

    func show() throws {
        try ctx.arguments.expectPositionals(atMost: 0)
        let state = try requireModel()
        print(
            state, command: "sim show", result: ModelStep(event: "show"), previous: nil, showSettings: true,
            lanes: state.lanes.under(producerSettings(state), model: state.model))
    }

    func undo() throws {
        try ctx.arguments.expectPositionals(atMost: 0)
        let state = try requireModel()
        guard let back = state.undo() else {
            throw LabError.invalid("nothing to undo: the model is at its start (step \(state.step))")
        }
        print(
            state, command: "sim undo",
            result: ModelStep(event: "undo", lines: ["back to step \(back.step), as before step \(back.undone)"]),
            previous: nil)
    }

    private func requireModel() throws -> SimLabState {
        guard let state = SimLabState.existing(in: session) else {
            throw LabError.invalid("no model yet: `sim` starts one (`sim scenario` lists ready-made lessons)")
        }
        return state
    }

    // MARK: printing

    /// One step: its sentences, the picture and the lanes; in JSON one document.
    func print(
        _ state: SimLabState, command: String, result: ModelStep, previous: ReplicationModel?,
        showSettings: Bool = false, streamed: Bool = false, lanes: ModelLanes? = nil,
        scenario: (SimStepResult) -> SimStepResult = { $0 }
    ) {
        var value = SimStepResult(
            step: state.step, command: command, result: result, model: state.model, previous: previous,
            lanes: lanes ?? state.lanes)
        value.showSettings = showSettings
        value = scenario(value)
        if streamed { out.emitStreamed(value) } else { out.emit(value) }
    }
}
