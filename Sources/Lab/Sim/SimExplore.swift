import Foundation

/// `sim explore`: a breadth-first model checker over the `sim` model. From a
/// fresh model it tries every move (produce, each follower's fetch, the clock
/// to its next timed event, and the chosen faults on each broker) in every
/// order up to `depth` moves, skipping states already seen, and returns the
/// shortest sequence that loses an acknowledged write or leaves two replicas
/// with different records below the HW. Pure: the caller prints.
struct ModelExplorer: Sendable {
    enum Fault: String, CaseIterable, Sendable {
        case stop, kill, restart, elect
        case loseUnflushed = "lose-unflushed"
        /// A network partition around a running broker, `sim heal`, and producers that still reach a zombie leader.
        case partition
    }

    var config: ModelConfig
    var acks: ModelAcks = .all
    /// How many records the producer may send (each `produce` sends one).
    var writes = 2
    var depth = 6
    var faults: Set<Fault> = [.stop, .kill, .restart]
    /// The search stops (and says so) after this many distinct states.
    var stateLimit = 2_000_000

    struct Found: Sendable {
        /// "lost acknowledged write" or "replicas differ below the HW".
        let property: String
        let path: [SimAction]
    }

    struct Outcome: Sendable {
        let found: Found?
        /// Distinct states seen (deduplicated by the whole model state, clock included).
        let states: Int
        /// Moves searched to: every sequence this long was tried, unless `limited`.
        let depthSearched: Int
        /// The state limit ended the search before `depth`.
        let limited: Bool
    }

    /// The moves possible from `m`.
    func moves(_ m: ReplicationModel) -> [SimAction] {
        var list: [SimAction] = []
        if m.writes.count < writes, m.leader != nil { list.append(.produce(acks: acks, count: 1)) }
        if let l = m.leader, m.replica(l).up, !m.replica(l).partitioned {
            for r in m.replicas where r.id != l && r.up && !r.partitioned { list.append(.fetch(r.id)) }
        }
        if faults.contains(.partition), m.writes.count < writes {
            for r in m.replicas where r.zombieEpoch != nil && r.up {
                list.append(.produceTo(broker: r.id, acks: acks, count: 1))
            }
        }
        if let next = m.nextEvent(), next.0 > m.clockMs { list.append(.tick(ms: next.0 - m.clockMs)) }
        for r in m.replicas {
            if r.up {
                if faults.contains(.stop) && !r.partitioned { list.append(.stop(r.id)) }
                if faults.contains(.partition) && !r.partitioned { list.append(.partition(r.id)) }
                if faults.contains(.kill) { list.append(.kill(r.id)) }
                if faults.contains(.loseUnflushed) { list.append(.killLosingUnflushed(r.id)) }
            } else if faults.contains(.restart) {
                list.append(.start(r.id))
            }
        }
        if faults.contains(.partition), m.replicas.contains(where: { $0.up && $0.partitioned }) { list.append(.heal) }
        if faults.contains(.elect) { list.append(.elect(nil)) }
        return list
    }

    /// What is wrong with `m`, if anything.
    static func violation(_ m: ReplicationModel) -> String? {
        if !m.lostWrites.isEmpty { return "lost acknowledged write" }
        if let hw = m.highWatermark, m.divergence.contains(where: { $0.offsets.contains { $0 < hw } }) {
            return "replicas differ below the HW"
        }
        return nil
    }

    /// Breadth first, so the first violation found is a shortest one. `check` is
    /// called every few thousand states (it throws on Ctrl-C); `progress` gets the
    /// depth being searched and the states seen so far.
    func run(check: () throws -> Void = {}, progress: (Int, Int) -> Void = { _, _ in }) throws -> Outcome {
        let start = ReplicationModel(config)
        var seen: Set<ReplicationModel> = [start]
        // Paths are kept as parent links: node i came from parents[i] by moves[i].
        var parents: [Int32] = [-1]
        var via: [SimAction] = [.tick(ms: 1)]
        var frontier: [(model: ReplicationModel, node: Int32)] = [(start, 0)]
        func path(_ node: Int32) -> [SimAction] {
            var list: [SimAction] = []
            var n = node
            while n > 0 {
                list.append(via[Int(n)])
                n = parents[Int(n)]
            }
            return list.reversed()
        }
        for level in 1...max(1, depth) {
            progress(level, seen.count)
            var next: [(model: ReplicationModel, node: Int32)] = []
            for (model, node) in frontier {
                for move in moves(model) {
                    var m = model
                    guard (try? move.apply(to: &m)) != nil else { continue }
                    guard seen.insert(m).inserted else { continue }
                    parents.append(node)
                    via.append(move)
                    let id = Int32(parents.count - 1)
                    if let property = Self.violation(m) {
                        return Outcome(
                            found: Found(property: property, path: path(id)), states: seen.count,
                            depthSearched: level, limited: false)
                    }
                    if seen.count % 4096 == 0 { try check() }
                    if seen.count >= stateLimit {
                        return Outcome(found: nil, states: seen.count, depthSearched: level - 1, limited: true)
                    }
                    next.append((m, id))
                }
            }
            frontier = next
            if frontier.isEmpty { return Outcome(found: nil, states: seen.count, depthSearched: depth, limited: false) }
        }
        return Outcome(found: nil, states: seen.count, depthSearched: depth, limited: false)
    }
}

/// What `sim explore` prints: the search, and the shortest counterexample as steps.
struct SimExploreResult: CommandResult {
    struct Settings: Encodable {
        let acks: String
        let minInsyncReplicas: Int
        let replicas: Int
        let unclean: Bool
        let truncation: String
        let faults: [String]
        let writes: Int
    }
    let model = ModelPicture.label
    let kafka: String
    let settings: Settings
    let found: Bool
    let property: String?
    /// The counterexample's commands, in order.
    let commands: [String]
    /// Each step as the stepping JSON prints it.
    let steps: [SimStepResult]
    let lost: [String]
    let states: Int
    let depth: Int
    let limited: Bool
    let elapsedMs: Int

    func render(into out: Output) {
        out.line(
            out.bold("sim explore") + " (a model, not a cluster) under Kafka \(kafka) rules: acks=\(settings.acks), "
                + "min.insync.replicas=\(settings.minInsyncReplicas), \(settings.replicas) replicas, unclean "
                + "\(settings.unclean ? "on" : "off"), \(settings.truncation) truncation, faults "
                + (settings.faults.isEmpty ? "none" : settings.faults.joined(separator: ","))
                + ", \(settings.writes) writes")
        if found, let property {
            out.line(
                "found: \(property) in \(commands.count) step\(commands.count == 1 ? "" : "s") (the shortest; "
                    + "\(states) distinct states searched in \(elapsedMs) ms)")
            for (i, c) in commands.enumerated() { out.line("  \(i + 1). \(c)") }
            if !lost.isEmpty { out.line("  lost: " + lost.joined(separator: ", ")) }
            out.hint("`sim replay` steps through it with the picture")
        } else if limited {
            out.line(
                "none found within \(depth) steps; the search stopped at \(states) distinct states, before depth "
                    + "\(depth + 1) was complete (\(elapsedMs) ms)")
        } else {
            out.line(
                "none within \(depth) steps: \(states) distinct states searched in \(elapsedMs) ms; longer sequences "
                    + "were not tried")
        }
    }
}
