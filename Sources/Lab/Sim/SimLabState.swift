import Foundation

/// The `sim` model a session is driving, the earlier states `undo` returns
/// to, and where scenario predictions are read from.
final class SimLabState: LabState {
    /// The model now; moved only by `apply` and `undo`.
    private(set) var model: ReplicationModel
    /// How many moves led here (undone ones not counted).
    private(set) var step = 0
    /// The producer, consumer and disk lanes of the model now; moved with it.
    private(set) var lanes: ModelLanes
    /// Earlier (model, step, lanes), newest last: the one undo stack `sim` moves
    /// and scenario steps share.
    private var history: [(model: ReplicationModel, step: Int, lanes: ModelLanes)] = []
    /// How a paused scenario reads the learner's prediction (a seam for tests).
    var predictions: any PredictionInput
    /// The last counterexample `sim explore` found, for `sim replay`.
    var counterexample: (config: ModelConfig, path: [SimAction])?

    init(
        model: ReplicationModel, predictions: any PredictionInput = TerminalPredictionInput(),
        settings: ModelProducerSettings = ModelProducerSettings()
    ) {
        self.model = model
        self.predictions = predictions
        lanes = ModelLanes(start: model, settings: settings)
    }

    /// Applies one move: the model steps on (its lanes with it, under the producer
    /// `settings`), and the state before it goes on the undo stack. A move the model
    /// refuses (ModelError) changes nothing. Returns what the step did and the model
    /// before it (for the picture's changes).
    func apply(
        _ action: SimAction, settings: ModelProducerSettings = ModelProducerSettings()
    ) throws -> (result: ModelStep, previous: ReplicationModel) {
        var next = model
        let result = try action.apply(to: &next)
        history.append((model, step, lanes))
        let previous = model
        lanes = ModelLanes(
            after: action, step: result, model: next, previous: model, before: lanes, settings: settings)
        model = next
        step += 1
        return (result, previous)
    }

    /// Goes back one move; nil (nothing changed) at the start.
    func undo() -> (step: Int, undone: Int)? {
        guard let last = history.popLast() else { return nil }
        let undone = step
        model = last.model
        step = last.step
        lanes = last.lanes
        return (last.step, undone)
    }

    static func existing(in session: Session) -> SimLabState? { session.existingLab(SimLabState.self) }

    /// A fresh model, keeping the prediction input of an earlier one.
    @discardableResult
    static func reset(in session: Session, to model: ReplicationModel) -> SimLabState {
        let state = SimLabState(
            model: model, predictions: existing(in: session)?.predictions ?? TerminalPredictionInput(),
            settings: producerSettings(in: session, for: model.config))
        state.counterexample = existing(in: session)?.counterexample
        session.replaceLab(state)
        return state
    }

    /// The producer settings the lanes play: the session's over the Java client's 3.x defaults.
    static func producerSettings(in session: Session, for config: ModelConfig) -> ModelProducerSettings {
        ModelProducerSettings(
            properties: session.settings.producerProperties, requestTimeoutMs: config.requestTimeoutMs)
    }

    var statusOrder: Int { 90 }

    /// What `status` says of the model: its position, as text and JSON from one value.
    struct Status: Encodable {
        let step: Int
        let leader: Int?
        let leaderEpoch: Int
        let isr: [Int]
        let highWatermark: Int?

        var text: String {
            "model (not a cluster) at step \(step): leader \(leader.map(String.init) ?? "none"), epoch \(leaderEpoch), ISR \(ReplicationModel.ids(isr)), HW \(highWatermark.map(String.init) ?? "-")"
        }
    }

    func statusLines(in session: Session) -> [StatusLine] {
        let s = Status(
            step: step, leader: model.leader, leaderEpoch: model.leaderEpoch, isr: model.isr,
            highWatermark: model.highWatermark)
        return [StatusLine("sim", s.text, JSONValueEncoder.encode(s))]
    }
}

/// What the learner did at a prediction prompt.
enum PredictionReply: Equatable {
    /// A prediction; empty when Enter skipped the question.
    case answer(String)
    /// Ctrl-C: the scenario stops, as any command does.
    case interrupted
    /// Ctrl-D: the scenario stops here.
    case stop
}

/// Reads a learner's prediction before a scenario step.
protocol PredictionInput {
    func prediction(for question: String, session: Session) -> PredictionReply
}

/// The terminal: the question is already printed; the answer is read through
/// the session's line editor (`Session.askUser`, its own history off), so
/// Ctrl-C and Ctrl-D are keys, never a loop on a closed stdin.
struct TerminalPredictionInput: PredictionInput {
    func prediction(for question: String, session: Session) -> PredictionReply {
        guard let ask = session.askUser else { return .answer("") }
        switch ask("your prediction (Enter skips): ") {
        case .line(let line): return .answer(line)
        case .interrupted: return .interrupted
        case .endOfInput: return .stop
        }
    }
}
