import Foundation

/// The `sim` model a session is driving, the earlier states `undo` returns
/// to, and where scenario predictions are read from.
final class SimLabState: LabState {
    /// The model now; moved only by `apply` and `undo`.
    private(set) var model: ReplicationModel
    /// How many moves led here (undone ones not counted).
    private(set) var step = 0
    /// Earlier (model, step) pairs, newest last: the one undo stack `sim` moves
    /// and scenario steps share.
    private var history: [(model: ReplicationModel, step: Int)] = []
    /// How a paused scenario reads the learner's prediction (a seam for tests).
    var predictions: any PredictionInput

    init(model: ReplicationModel, predictions: any PredictionInput = TerminalPredictionInput()) {
        self.model = model
        self.predictions = predictions
    }

    /// Applies one move: the model steps on, and the state before it goes on the
    /// undo stack. A move the model refuses (ModelError) changes nothing.
    /// Returns what the step did and the model before it (for the picture's changes).
    func apply(_ action: SimAction) throws -> (result: ModelStep, previous: ReplicationModel) {
        var next = model
        let result = try action.apply(to: &next)
        history.append((model, step))
        let previous = model
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
        return (last.step, undone)
    }

    static func existing(in session: Session) -> SimLabState? { session.existingLab(SimLabState.self) }

    /// A fresh model, keeping the prediction input of an earlier one.
    @discardableResult
    static func reset(in session: Session, to model: ReplicationModel) -> SimLabState {
        let state = SimLabState(
            model: model, predictions: existing(in: session)?.predictions ?? TerminalPredictionInput())
        session.replaceLab(state)
        return state
    }

    var statusOrder: Int { 90 }

    func statusLines(in session: Session) -> [StatusLine] {
        let m = model
        let text =
            "model (not a cluster) at step \(step): leader \(m.leader.map(String.init) ?? "none"), epoch \(m.leaderEpoch), ISR \(ReplicationModel.ids(m.isr)), HW \(m.highWatermark.map(String.init) ?? "-")"
        return [
            StatusLine(
                "sim", text,
                .object([
                    ("step", .integer(step)), ("leader", .optional(m.leader)),
                    ("leader_epoch", .integer(m.leaderEpoch)), ("isr", .ints(m.isr)),
                ]))
        ]
    }
}

/// Reads a learner's prediction before a scenario step; nil skips it.
protocol PredictionInput {
    func prediction(for question: String, output: Output) -> String?
}

/// The terminal: the question is already printed; read one line from stdin.
struct TerminalPredictionInput: PredictionInput {
    func prediction(for question: String, output: Output) -> String? {
        output.raw("your prediction (Enter skips): ")
        guard let line = Swift.readLine(strippingNewline: true) else {
            output.raw("\n")  // Ctrl-D (or Ctrl-C) at the question: skip it
            return nil
        }
        return line
    }
}
