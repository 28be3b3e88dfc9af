/// When a bench's live progress line may be drawn: only once a run has gone
/// on for a second (a shorter run would just flicker), then at most every
/// 200 ms. Whether it is drawn at all is `Output.progress`'s call: at a
/// terminal only, never in scripts, pipes or JSON. Pure.
struct ProgressGate {
    static let firstAfterSeconds = 1.0
    static let everySeconds = 0.2
    private var lastShown: Double?

    mutating func shouldShow(atSeconds t: Double) -> Bool {
        guard t >= Self.firstAfterSeconds else { return false }
        if let last = lastShown, t - last < Self.everySeconds { return false }
        lastShown = t
        return true
    }

    /// "12,345/100,000 sent, 250,000 msgs/s, ETA 1 s".
    static func line(done: Int, of planned: Int, seconds: Double, verb: String) -> String {
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let eta = rate > 0 ? Double(max(0, planned - done)) / rate : 0
        return
            "\(BenchReport.grouped(Double(done)))/\(BenchReport.grouped(Double(planned))) \(verb), \(BenchReport.grouped(rate)) msgs/s, ETA \(BenchReport.fixed(eta, 0)) s"
    }
}
