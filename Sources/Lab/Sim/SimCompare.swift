/// A scenario played under two Kafka versions without printing, and where the
/// outcomes differ: `sim compare NAME V1 V2`. Pure: nothing here prints or talks to Kafka.
struct ScenarioPlay: Equatable, Sendable {
    /// What one step left behind, in the words the picture uses.
    struct Outcome: Equatable, Sendable, Encodable {
        var step: Int
        var command: String
        var error: String?
        var leader: Int?
        var isr: [Int]
        var highWatermark: Int?
        /// Each write and what the producer was told ("m2 pending", "m2 failed: REQUEST_TIMED_OUT").
        var writes: [String]
        var lost: [String]
    }

    var config: ModelConfig
    var outcomes: [Outcome] = []
    /// The step that could not be played under these rules, and why (the play stops there).
    var stoppedAt: (step: Int, reason: String)?

    static func == (a: ScenarioPlay, b: ScenarioPlay) -> Bool {
        a.config == b.config && a.outcomes == b.outcomes && a.stoppedAt?.step == b.stoppedAt?.step
            && a.stoppedAt?.reason == b.stoppedAt?.reason
    }

    init(_ scenario: SimScenario, kafka: KafkaVersion) {
        config = scenario.config.playing(kafka)
        var model = ReplicationModel(config)
        for (i, s) in scenario.steps.enumerated() {
            do {
                let result = try s.action.apply(to: &model)
                outcomes.append(
                    Outcome(
                        step: i + 1, command: s.action.commandLine, error: result.error, leader: model.leader,
                        isr: model.isr, highWatermark: model.highWatermark,
                        writes: model.writes.map { "\($0.value) \($0.statusText)" },
                        lost: model.lostWrites.map(\.value)))
            } catch {
                stoppedAt = (i + 1, "\(error)")
                return
            }
        }
    }
}

/// `sim compare`: the steps whose outcomes differ between two versions.
struct SimCompareResult: CommandResult {
    struct Difference: Encodable {
        let step: Int
        let command: String
        /// What differs ("HW", "ISR", "leader", "error", "writes", "lost") and its value under each version.
        let what: String
        let first: String
        let second: String
    }
    let model = ModelPicture.label
    let scenario: String
    let kafka: [String]
    let differences: [Difference]
    /// Per version: the acknowledged records lost at the end, or where the play stopped.
    let endings: [String]

    init(_ scenario: SimScenario, _ a: KafkaVersion, _ b: KafkaVersion) {
        self.scenario = scenario.name
        kafka = [a.rawValue, b.rawValue]
        let pa = ScenarioPlay(scenario, kafka: a), pb = ScenarioPlay(scenario, kafka: b)
        var diffs: [Difference] = []
        // A difference is listed at the step where it appears or changes, not again while it lasts.
        var standing: [String: (String, String)] = [:]
        for (x, y) in zip(pa.outcomes, pb.outcomes) {
            func add(_ what: String, _ u: String, _ v: String) {
                guard u != v else {
                    standing[what] = nil
                    return
                }
                if let last = standing[what], last == (u, v) { return }
                standing[what] = (u, v)
                diffs.append(Difference(step: x.step, command: x.command, what: what, first: u, second: v))
            }
            add("error", x.error ?? "none", y.error ?? "none")
            add("leader", x.leader.map(String.init) ?? "none", y.leader.map(String.init) ?? "none")
            add("ISR", ReplicationModel.ids(x.isr), ReplicationModel.ids(y.isr))
            add("HW", x.highWatermark.map(String.init) ?? "-", y.highWatermark.map(String.init) ?? "-")
            let changed = zip(x.writes, y.writes).filter { $0 != $1 }
            add(
                "writes", changed.map(\.0).joined(separator: ", ") + (x.writes.count > y.writes.count ? " …" : ""),
                changed.map(\.1).joined(separator: ", ") + (y.writes.count > x.writes.count ? " …" : ""))
            add(
                "lost", x.lost.isEmpty ? "none" : x.lost.joined(separator: ","),
                y.lost.isEmpty ? "none" : y.lost.joined(separator: ","))
        }
        differences = diffs
        endings = [pa, pb].map { p in
            if let s = p.stoppedAt { return "\(p.config.kafka.label): stops at step \(s.step): \(s.reason)" }
            let lost = p.outcomes.last?.lost ?? []
            return "\(p.config.kafka.label): "
                + (lost.isEmpty
                    ? "no acknowledged record lost"
                    : "lost \(lost.count) acknowledged record\(lost.count == 1 ? "" : "s") (\(lost.joined(separator: ", ")))")
        }
    }

    func render(into out: Output) {
        out.line(
            out.bold("scenario \(scenario)") + " (a model, not a cluster) under Kafka \(kafka[0]) and \(kafka[1]) rules"
        )
        if differences.isEmpty {
            out.line("  the outcomes are the same at every step")
        } else {
            var table = TextTable(headers: ["STEP", "COMMAND", "WHAT", "KAFKA \(kafka[0])", "KAFKA \(kafka[1])"])
            for d in differences { table.append(["\(d.step)", d.command, d.what, d.first, d.second]) }
            out.table(table)
        }
        for e in endings { out.line("  " + e) }
        out.hint(
            "`sim scenario \(scenario) --kafka \(kafka[0])` plays it step by step; `help sim rules` lists what differs")
    }
}

/// `sim rules`: the rules that differ between Kafka versions, with their source files.
struct SimRulesResult: CommandResult {
    let kafka: String?
    let rules: [KafkaVersion.Rule]

    func render(into out: Output) {
        out.line(
            ModelPicture.label + ": rules that differ between Kafka versions"
                + (kafka.map { ", as Kafka \($0) plays them" } ?? ""))
        for r in rules {
            out.line(out.bold(r.name) + "  " + out.dim(r.source))
            for h in r.holds { out.line("  [\(h.versions.map(\.rawValue).joined(separator: ", "))] \(h.text)") }
        }
    }
}
