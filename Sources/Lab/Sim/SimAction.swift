/// One move of the model, as typed after `sim` or as a scenario step.
enum SimAction: Equatable, Sendable {
    case produce(acks: ModelAcks, count: Int)
    /// A producer that sends to one broker (on its side of a network partition, or with stale metadata).
    case produceTo(broker: Int, acks: ModelAcks, count: Int)
    /// nil fetches once for every running follower, in broker order.
    case fetch(Int?)
    case tick(ms: Int)
    case stop(Int)
    case kill(Int)
    /// A power loss: the broker crashes and its log loses what was not flushed to disk.
    case killLosingUnflushed(Int)
    case start(Int)
    case elect(Int?)
    case set(String, String)
    /// A network partition cuts the broker off from the controller and the other brokers.
    case partition(Int)
    /// Every partitioned broker reaches the cluster again.
    case heal

    /// The command a learner would type for it.
    var commandLine: String {
        switch self {
        case let .produce(acks, count): "sim produce --acks \(acks.rawValue)" + (count == 1 ? "" : " --count \(count)")
        case let .produceTo(broker, acks, count):
            "sim produce --to \(broker) --acks \(acks.rawValue)" + (count == 1 ? "" : " --count \(count)")
        case .fetch(let id): "sim fetch \(id.map(String.init) ?? "all")"
        case .tick(let ms): "sim tick \(ReplicationModel.argument(ms))"
        case .stop(let id): "sim stop \(id)"
        case .kill(let id): "sim kill \(id)"
        case .killLosingUnflushed(let id): "sim kill \(id) --lose-unflushed"
        case .start(let id): "sim start \(id)"
        case .elect(let id): "sim elect" + (id.map { " \($0)" } ?? "")
        case let .set(option, value): "sim set \(option) \(value)"
        case .partition(let id): "sim partition \(id)"
        case .heal: "sim heal"
        }
    }

    /// Applies the action to the model; throws (model unchanged) when it cannot be done.
    func apply(to model: inout ReplicationModel) throws -> ModelStep {
        var copy = model
        let step: ModelStep
        switch self {
        case let .produce(acks, count): step = try copy.produce(acks: acks, count: count)
        case let .produceTo(broker, acks, count): step = try copy.produce(acks: acks, count: count, to: broker)
        case .fetch(let id?): step = try copy.fetch(id)
        case .fetch(nil):
            guard let leader = copy.leader else {
                throw ModelError("no follower can fetch: the partition has no leader")
            }
            if copy.replica(leader).partitioned {
                throw ModelError(
                    "no follower can fetch: leader \(leader) is behind a network partition (`sim heal` ends it)")
            }
            let followers = copy.replicas.filter { $0.id != leader && $0.up && !$0.partitioned }.map(\.id)
            guard !followers.isEmpty else {
                throw ModelError("no follower can fetch; only leader \(leader) is up and reachable")
            }
            var all = ModelStep(event: "fetch")
            let down = copy.replicas.filter { $0.id != leader && !$0.up }.map(\.id)
            if !down.isEmpty {
                all.lines.append(
                    "broker\(down.count == 1 ? "" : "s") \(down.map(String.init).joined(separator: ",")) \(down.count == 1 ? "is" : "are") down and cannot fetch"
                )
            }
            let cut = copy.replicas.filter { $0.id != leader && $0.up && $0.partitioned }.map(\.id)
            if !cut.isEmpty {
                all.lines.append(
                    "broker\(cut.count == 1 ? "" : "s") \(cut.map(String.init).joined(separator: ",")) \(cut.count == 1 ? "is" : "are") behind a network partition and cannot fetch"
                )
            }
            for id in followers {
                let one = try copy.fetch(id)
                all.lines += one.lines
                all.answered += one.answered
            }
            step = all
        case .tick(let ms): step = try copy.tick(ms)
        case .stop(let id): step = try copy.stop(id)
        case .kill(let id): step = try copy.kill(id)
        case .killLosingUnflushed(let id): step = try copy.kill(id, loseUnflushed: true)
        case .start(let id): step = try copy.start(id)
        case .elect(let id): step = try copy.elect(id)
        case let .set(option, value): step = try copy.set(option, value)
        case .partition(let id): step = try copy.partition(id)
        case .heal: step = try copy.heal()
        }
        model = copy
        return step
    }
}
