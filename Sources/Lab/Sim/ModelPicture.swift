/// How a model step looks: a header that says it is a model, every
/// replica's log with its LEO and HW marked, and `*` on whatever the step
/// changed (yellow as well at a terminal). The text half of `SimStepResult`, whose
/// encoding carries the same facts.
struct ModelPicture {
    static let label = "sim model — not a cluster"
    /// Offsets shown per log; older ones are summarised.
    static let window = 12

    let model: ReplicationModel
    let previous: ReplicationModel?
    let output: Output

    private func mark(_ text: String, _ changed: Bool) -> String {
        guard changed, previous != nil else { return text }
        return output.isTerminal ? output.yellow(text + "*") : text + "*"
    }

    /// A column value padded to `width`, with `*` (and yellow at a terminal) when the step changed it.
    private func cell(_ text: String, _ changed: Bool, _ width: Int) -> String {
        let shown = changed && previous != nil
        let padded = Self.pad(text + (shown ? "*" : " "), width + 1)
        return shown && output.isTerminal ? output.yellow(padded) : padded
    }

    func header(step: Int) -> String {
        let m = model, p = previous
        var parts = [
            Self.label, m.config.kafka.label, "step \(step)",
            mark("clock \(ReplicationModel.ms(m.clockMs))", p?.clockMs != m.clockMs),
        ]
        parts.append(mark(m.leader.map { "leader \($0)" } ?? "leader none (offline)", p?.leader != m.leader))
        parts.append(mark("epoch \(m.leaderEpoch)", p?.leaderEpoch != m.leaderEpoch))
        parts.append(mark("ISR \(ReplicationModel.ids(m.isr))", p?.isr != m.isr))
        parts.append(mark("HW \(m.highWatermark.map(String.init) ?? "-")", p?.highWatermark != m.highWatermark))
        return parts.joined(separator: " · ")
    }

    func settings() -> String {
        let c = model.config
        return
            "\(c.replicaCount) replicas on brokers 1..\(c.replicaCount) · min.insync.replicas \(c.minInsyncReplicas) · unclean.leader.election.enable \(c.uncleanLeaderElection) · replica.lag.time.max.ms \(ReplicationModel.ms(c.replicaLagTimeMaxMs)) · \(c.kafka.sessionTimeoutName) \(ReplicationModel.ms(c.brokerSessionTimeoutMs)) · request.timeout.ms \(ReplicationModel.ms(c.requestTimeoutMs)) · \(c.truncation.label)"
    }

    static func role(_ r: ModelReplica, in m: ReplicationModel) -> String {
        let state =
            r.up
            ? (r.zombieEpoch.map { "zombie leader of epoch \($0), partitioned" }
                ?? (r.partitioned ? "partitioned" : ""))
            : (r.halted ? "halted" : r.fenced ? "stopped" : "crashed")
        if m.leader == r.id { return state.isEmpty ? "leader" : "leader, \(state)" }
        return state.isEmpty ? "follower" : state
    }

    /// One line per replica: `* broker 1  leader    ISR  |m0/e0 m1/e0|  LEO 2  HW 2`, the `|` at the HW.
    func rows() -> [String] {
        let m = model
        let end = m.replicas.map(\.leo).max() ?? 0
        let first = max(0, end - Self.window)
        let cellWidth = max(5, m.replicas.flatMap { $0.log.map { "\($0.value)/e\($0.epoch)".count } }.max() ?? 5)
        let roles = m.replicas.map { Self.role($0, in: m) }
        let roleWidth = roles.map(\.count).max() ?? 6
        var lines: [String] = []
        let lead = first > 0 ? "…" : ""
        let prefixWidth = 1 + " broker \(m.replicas.count) ".count + roleWidth + 1 + 2 + 4 + 2
        let prefix = String(repeating: " ", count: prefixWidth)
        let offsets = prefix + lead + (first..<max(first, end)).map { " " + Self.pad("\($0)", cellWidth) }.joined()
        lines.append(output.dim(end == 0 ? prefix + " (empty logs)" : offsets.trimmingTrailingSpaces()))
        let leoWidth = "LEO \(end)".count
        for (i, r) in m.replicas.enumerated() {
            let before = previous?.replicas[i]
            let roleChanged = before.map { Self.role($0, in: previous!) != roles[i] } ?? false
            let isrChanged = previous.map { $0.isr.contains(r.id) != m.isr.contains(r.id) } ?? false
            let changed = before.map { $0.log != r.log || $0.hw != r.hw } ?? false || roleChanged || isrChanged
            var line = (changed && previous != nil ? "*" : " ") + " broker \(r.id) "
            line += cell(roles[i], roleChanged, roleWidth) + "  "
            line += cell(m.isr.contains(r.id) ? "ISR" : "-", isrChanged, 3) + "  " + lead
            for o in first..<max(first, end) {
                line +=
                    (o == r.hw ? "|" : " ")
                    + Self.pad(o < r.leo ? "\(r.log[o].value)/e\(r.log[o].epoch)" : "", cellWidth)
            }
            line += (r.hw == end ? "|" : " ") + "  "
            line += cell("LEO \(r.leo)", before.map { $0.leo != r.leo } ?? false, leoWidth) + " "
            line += cell("HW \(r.hw)", before.map { $0.hw != r.hw } ?? false, 0)
            lines.append(line.trimmingTrailingSpaces())
        }
        return lines
    }

    /// Any acknowledged records the partition lost, and replicas that diverged (what the
    /// producer was told is the producer lane's).
    func footer() -> [String] {
        let m = model
        var lines: [String] = []
        let lost = m.lostWrites
        if !lost.isEmpty {
            let text =
                "  lost: \(lost.count) acknowledged record\(lost.count == 1 ? "" : "s") (\(lost.map(\.value).joined(separator: ", "))) \(m.leader == nil ? "on no replica any more" : "not in the leader's log")"
            lines.append(output.isTerminal ? output.red(text) : text)
        }
        for d in m.divergence {
            let fix =
                m.config.truncation == .leaderEpoch
                ? "its next fetch compares leader epochs and truncates"
                : "nothing will repair it: with HW truncation a follower fetches from its LEO and never compares"
            lines.append(
                "  diverged: broker \(d.replica) holds different records than leader \(m.leader!) at offset\(d.offsets.count == 1 ? "" : "s") \(d.offsets.map(String.init).joined(separator: ",")); \(fix)"
            )
        }
        return lines
    }

    /// `m0,m1,m2,m5` as `m0..m2,m5`.
    static func runs(_ values: [String]) -> String {
        var parts: [String] = []
        var start: Int?, last: Int?
        func flush() {
            guard let a = start, let b = last else { return }
            parts.append(b - a >= 2 ? "m\(a)..m\(b)" : (a..<b + 1).map { "m\($0)" }.joined(separator: ","))
        }
        for v in values {
            guard let n = Int(v.dropFirst()) else { continue }
            if let l = last, n == l + 1 { last = n } else { flush(); start = n; last = n }
        }
        flush()
        return parts.joined(separator: ",")
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
