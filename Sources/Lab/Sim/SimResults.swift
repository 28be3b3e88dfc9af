/// The typed results of `sim`: each renders its own text, and its JSON is its
/// encoding (`CommandResult`), so the two carry the same facts. Properties left
/// out of `CodingKeys` only word the text.

/// One step of the model: what it did, the replicas, and the three lanes. The
/// stepping JSON (`sim` moves, scenario steps, `sim replay`, `sim explore`'s
/// counterexample) is this value's encoding.
struct SimStepResult: CommandResult {
    struct Record: Encodable, Equatable {
        let offset: Int
        let epoch: Int
        let value: String
    }
    struct EpochStart: Encodable, Equatable {
        let epoch: Int
        let startOffset: Int
    }
    struct Replica: Encodable, Equatable {
        let id: Int
        let up: Bool
        let fenced: Bool
        let role: String
        let leo: Int
        let hw: Int
        let inIsr: Bool
        let log: [Record]
        let epochCache: [EpochStart]
        let lastCaughtUpMs: Int
    }
    struct Write: Encodable, Equatable {
        let value: String
        let offset: Int
        let epoch: Int
        let acks: String
        let status: String
    }
    struct Divergence: Encodable, Equatable {
        let replica: Int
        let offsets: [Int]
    }
    /// A scenario's question, the answer read from the model, and the learner's guess.
    struct Prediction: Encodable, Equatable {
        let question: String
        let answer: String
        let explanation: String
        let yourPrediction: String?
        let right: Bool?
    }

    let model = ModelPicture.label
    let kafka: String
    let rules: String
    let step: Int
    let clockMs: Int
    let command: String
    let event: String
    let text: [String]
    let leader: Int?
    let leaderEpoch: Int
    let isr: [Int]
    let highWatermark: Int?
    let minInsyncReplicas: Int
    let uncleanLeaderElection: Bool
    let replicaLagTimeMaxMs: Int
    let brokerSessionTimeoutMs: Int
    let truncation: String
    let replicas: [Replica]
    let writes: [Write]
    let error: String?
    let lost: Int
    let lostRecords: [String]
    let diverged: [Divergence]
    let producer: ProducerLane
    let consumer: ConsumerLane
    let disk: DiskLane
    /// Set on a scenario's steps: which lesson, which variant, what to watch, the prediction.
    var scenario: String? = nil
    var variant: String? = nil
    var narration: String? = nil
    var prediction: Prediction? = nil

    /// The model after the step and before it, for the picture (text only).
    let state: ReplicationModel
    let previous: ReplicationModel?
    /// Text only: the settings line under the header.
    var showSettings = false

    enum CodingKeys: String, CodingKey {
        case model, kafka, rules, step, clockMs, command, event, text, leader, leaderEpoch, isr, highWatermark
        case minInsyncReplicas, uncleanLeaderElection, replicaLagTimeMaxMs, brokerSessionTimeoutMs, truncation
        case replicas, writes, error, lost, lostRecords, diverged, producer, consumer, disk
        case scenario, variant, narration, prediction
    }

    init(
        step: Int, command: String, result: ModelStep, model m: ReplicationModel, previous: ReplicationModel?,
        lanes: ModelLanes
    ) {
        kafka = m.config.kafka.rawValue
        rules = m.config.kafka.label
        self.step = step
        clockMs = m.clockMs
        self.command = command
        event = result.event
        text = result.lines
        leader = m.leader
        leaderEpoch = m.leaderEpoch
        isr = m.isr
        highWatermark = m.highWatermark
        minInsyncReplicas = m.config.minInsyncReplicas
        uncleanLeaderElection = m.config.uncleanLeaderElection
        replicaLagTimeMaxMs = m.config.replicaLagTimeMaxMs
        brokerSessionTimeoutMs = m.config.brokerSessionTimeoutMs
        truncation = m.config.truncation.rawValue
        replicas = m.replicas.map { r in
            Replica(
                id: r.id, up: r.up, fenced: r.fenced, role: ModelPicture.role(r, in: m), leo: r.leo, hw: r.hw,
                inIsr: m.isr.contains(r.id),
                log: r.log.map { Record(offset: $0.offset, epoch: $0.epoch, value: $0.value) },
                epochCache: r.epochCache.map { EpochStart(epoch: $0.epoch, startOffset: $0.startOffset) },
                lastCaughtUpMs: r.lastCaughtUpMs)
        }
        writes = m.writes.map {
            Write(value: $0.value, offset: $0.offset, epoch: $0.epoch, acks: $0.acks.rawValue, status: $0.statusText)
        }
        error = result.error
        let lostWrites = m.lostWrites
        lost = lostWrites.count
        lostRecords = lostWrites.map(\.value)
        diverged = m.divergence.map { Divergence(replica: $0.replica, offsets: $0.offsets) }
        producer = lanes.producer
        consumer = lanes.consumer
        disk = lanes.disk
        state = m
        self.previous = previous
    }

    func render(into out: Output) {
        for line in text { out.line("  " + line) }
        if let error { out.line("  " + out.red("error: \(error)")) }
        let picture = ModelPicture(model: state, previous: previous, output: out)
        out.line(picture.header(step: step))
        if showSettings { out.line(out.dim("  " + picture.settings())) }
        for row in picture.rows() { out.line(row) }
        for line in picture.footer() { out.line(line) }
        for line in LanesText(producer: producer, consumer: consumer, disk: disk, output: out).lines() {
            out.line(line)
        }
        if let p = prediction {
            var line = "answer: " + p.explanation
            if let guess = p.yourPrediction, let right = p.right {
                line += " (you said \(guess.trimmingWhitespace()): \(right ? "right" : "not this time"))"
            }
            out.line(out.green(line))
        }
    }
}

/// The lanes as text under the replica table: compact, coloured lines at a
/// terminal (the sentence only for what changed), plain lines with every
/// sentence in a pipe, one per write or replica.
struct LanesText {
    let producer: ProducerLane
    let consumer: ConsumerLane
    let disk: DiskLane
    let output: Output

    func lines() -> [String] {
        output.isTerminal ? compact() : plain()
    }

    /// `m0 @0 acks=all: accepted → send() no answer yet`
    static func words(_ e: ProducerLane.Entry) -> String {
        let what = e.value.map { v in "\(v)" + (e.offset.map { " @\($0)" } ?? "") } ?? "request"
        let answer = e.answer.rawValue + (e.error.map { " (\($0))" } ?? "")
        return "\(what) acks=\(e.acks): \(answer) → send() \(e.send.rawValue)"
            + (e.deduplicated ? ", retry de-duplicated" : "") + (e.lost ? ", LOST" : "")
    }

    /// The settled writes, grouped by what send() returned: `acknowledged m0..m2`.
    func settled() -> String {
        let done = producer.writes.filter { $0.send.isFinal && !$0.lost && !producer.shown.contains($0) }
        let groups: [(String, [String])] = ProducerLane.Send.allCasesInOrder.map { kind in
            (kind.rawValue, done.filter { $0.send == kind }.compactMap(\.value))
        }
        return groups.filter { !$0.1.isEmpty }.map { "\($0.0) \(ModelPicture.runs($0.1))" }.joined(separator: ", ")
    }

    static func values(_ list: [String]) -> String { list.isEmpty ? "nothing" : ModelPicture.runs(list) }

    func consumerWords() -> String {
        if let error = consumer.error, consumer.highWatermark == nil {
            return "no leader answers (\(error))"
        }
        let hw = consumer.highWatermark ?? 0
        var text = "read_uncommitted \(Self.values(consumer.readUncommitted)) · read_committed "
        text += consumer.readCommitted == consumer.readUncommitted ? "the same" : Self.values(consumer.readCommitted)
        text += " · HW \(hw)" + (consumer.wentBack ? " (back from \(consumer.highestSeenBefore ?? 0))" : "")
        text += " · ListOffsets latest " + (consumer.latestOffset.map(String.init) ?? consumer.error ?? "-")
        return text
    }

    /// `reads m0,m1 (read_uncommitted and read_committed) · HW 2 · latest 2` for the compact line.
    func compactConsumerWords() -> String {
        if let error = consumer.error, consumer.highWatermark == nil { return "no leader answers (\(error))" }
        let reads =
            consumer.readCommitted == consumer.readUncommitted
            ? "reads \(Self.values(consumer.readUncommitted)) (read_uncommitted and read_committed)"
            : "read_uncommitted \(Self.values(consumer.readUncommitted)) · read_committed \(Self.values(consumer.readCommitted))"
        let back = consumer.wentBack ? " (back from \(consumer.highestSeenBefore ?? 0))" : ""
        let latest = consumer.latestOffset.map(String.init) ?? consumer.error ?? "-"
        return reads + " · HW \(consumer.highWatermark ?? 0)" + back + " · latest \(latest)"
    }

    /// `broker 1: on disk 0-1, unflushed 2-3 (m2,m3)`
    static func diskWords(_ r: DiskLane.Replica) -> String {
        var text = "broker \(r.id): "
        if r.leo == 0 && r.lostToPowerLoss.isEmpty { return text + "empty" }
        text += r.flushed == 0 ? "nothing on disk" : "on disk \(ReplicationModel.range(0, r.flushed))"
        text +=
            r.unflushed.isEmpty
            ? ", nothing unflushed"
            : ", unflushed \(ReplicationModel.range(r.flushed, r.leo)) (\(ModelPicture.runs(r.unflushed)))"
        if !r.lostToPowerLoss.isEmpty { text += ", the power loss took \(ModelPicture.runs(r.lostToPowerLoss))" }
        return text
    }

    /// Writes with the same outcome in one group: `m0,m1 acks=all: accepted → send() no answer yet`.
    static func groupedWords(_ entries: [ProducerLane.Entry]) -> [(words: String, first: ProducerLane.Entry)] {
        var groups: [(key: String, values: [String], first: ProducerLane.Entry)] = []
        for e in entries {
            let answer = e.answer.rawValue + (e.error.map { " (\($0))" } ?? "")
            let key =
                "acks=\(e.acks): \(answer) → send() \(e.send.rawValue)"
                + (e.deduplicated ? ", retry de-duplicated" : "") + (e.lost ? ", LOST" : "")
            if let i = groups.firstIndex(where: { $0.key == key && e.value != nil && $0.first.value != nil }) {
                groups[i].values.append(e.value!)
            } else {
                groups.append((key, e.value.map { [$0] } ?? [], e))
            }
        }
        return groups.map { g in ((g.values.isEmpty ? "request" : ModelPicture.runs(g.values)) + " " + g.key, g.first) }
    }

    /// `1 on disk 0-1, unflushed 2 (m2)` for the compact disk line.
    static func compactDisk(_ r: DiskLane.Replica) -> String {
        var parts: [String] = []
        if r.flushed > 0 { parts.append("on disk \(ReplicationModel.range(0, r.flushed))") }
        if !r.unflushed.isEmpty { parts.append("unflushed \(ReplicationModel.range(r.flushed, r.leo))") }
        if !r.lostToPowerLoss.isEmpty { parts.append("power loss took \(ModelPicture.runs(r.lostToPowerLoss))") }
        return "\(r.id) " + (parts.isEmpty ? "empty" : parts.joined(separator: ", "))
    }

    private func compact() -> [String] {
        let o = output
        let indent = "            "
        func detail(_ text: String) -> [String] {
            Output.wrap(text, width: max(40, min(o.terminalColumns, 100) - indent.count))
                .split(separator: "\n").map { o.dim(indent + $0) }
        }
        var lines: [String] = []
        let groups = Self.groupedWords(producer.shown)
        var p = groups.map { g -> String in
            if g.first.lost || g.first.send == .failed { return o.red(g.words) }
            return g.first.changed ? o.yellow(g.words) : g.words
        }
        let rest = settled()
        if !rest.isEmpty { p.append(o.dim(rest)) }
        lines.append("  " + o.bold("producer") + "  " + (p.isEmpty ? "nothing sent" : p.joined(separator: " · ")))
        for g in groups where g.first.changed { lines += detail(g.first.detail) }
        let c = compactConsumerWords()
        lines.append("  " + o.bold("consumer") + "  " + (consumer.wentBack || consumer.error != nil ? o.yellow(c) : c))
        if consumerNeedsDetail { lines += detail(consumer.detail) }
        let d = disk.replicas.map { r in
            r.lostToPowerLoss.isEmpty ? Self.compactDisk(r) : o.red(Self.compactDisk(r))
        }
        lines.append("  " + o.bold("disk") + "      broker " + d.joined(separator: " · "))
        return lines
    }

    /// Something about the consumer lane worth its sentence: the HW went back, an error, or a lagging HW.
    var consumerNeedsDetail: Bool {
        consumer.wentBack || consumer.error != nil || consumer.latestOffset != consumer.highWatermark
    }

    private func plain() -> [String] {
        var lines: [String] = []
        let shown = producer.shown
        for e in shown { lines.append("  producer: " + Self.words(e) + (e.changed ? "; " + e.detail : "")) }
        let rest = settled()
        if shown.isEmpty {
            lines.append("  producer: " + (rest.isEmpty ? "nothing sent" : "settled: " + rest))
        } else if !rest.isEmpty {
            lines.append("  producer: settled: " + rest)
        }
        lines.append("  consumer: " + consumerWords() + (consumerNeedsDetail ? "; " + consumer.detail : ""))
        for r in disk.replicas { lines.append("  disk: " + Self.diskWords(r)) }
        return lines
    }
}

extension ProducerLane.Send {
    /// The order settled writes are listed in.
    static let allCasesInOrder: [Self] = [.acknowledged, .failed, .sent]
}

/// `sim scenario NAME` ends with one summary: per variant, what was lost or diverged.
struct SimScenarioSummaryResult: CommandResult {
    struct Variant: Encodable {
        let kafka: String
        let truncation: String
        let lost: Int
        let lostRecords: [String]
        let diverged: [SimStepResult.Divergence]
        /// Text only: "Kafka 3.9 rules, leader-epoch truncation (KIP-101)".
        let label: String
        enum CodingKeys: String, CodingKey { case kafka, truncation, lost, lostRecords, diverged }
    }
    let model = ModelPicture.label
    let scenario: String
    let summary = true
    let variants: [Variant]

    enum CodingKeys: String, CodingKey { case model, scenario, summary, variants }

    func render(into out: Output) {
        if variants.count > 1 {
            out.line(out.bold("compared:"))
            for v in variants {
                out.line(
                    "  \(v.label): "
                        + SimScenarioRunner.verdict(
                            lost: v.lostRecords, diverged: v.diverged.map { ($0.replica, $0.offsets) }))
            }
        }
        out.hint("the model is left at the last step: `sim show`, `sim undo`, or keep moving it")
    }
}

/// `sim scenario` with no name: the lessons.
struct SimScenarioListResult: CommandResult {
    struct Lesson: Encodable {
        let name: String
        let steps: Int
        let kafka: [String]
        let summary: String
    }
    let model = ModelPicture.label
    let scenarios: [Lesson]

    func render(into out: Output) {
        var table = TextTable(headers: ["SCENARIO", "STEPS", "PLAYED WITH", "SHOWS"])
        for s in scenarios {
            table.append([
                s.name, "\(s.steps)", s.kafka.map { "Kafka \($0) rules" }.joined(separator: " then "), s.summary,
            ])
        }
        out.line(ModelPicture.label + ": scenarios")
        out.table(table)
        out.hint("`sim scenario <name>` plays one; at the prompt it pauses for your predictions")
    }
}

/// `sim replay` ends with what the counterexample did.
struct SimReplaySummaryResult: CommandResult {
    let model = ModelPicture.label
    let summary = true
    let lostRecords: [String]
    let diverged: [SimStepResult.Divergence]

    func render(into out: Output) {
        out.line(
            out.bold("result:") + " "
                + SimScenarioRunner.verdict(lost: lostRecords, diverged: diverged.map { ($0.replica, $0.offsets) }))
    }
}
