import Foundation
import Kafka

/// What `ReplicationCommands+Broker.swift`'s commands run, on each kind of cluster.
extension ReplicationCommands {
    static func runBrokerList(_ ctx: CommandContext) throws {
        try ctx.arguments.expectPositionals(atMost: 0)
        let c = try ctx.session.requireConnection()
        let metadata = try c.client.metadata()
        let stopped = c.control.stoppedBrokers
        var known = Set(metadata.brokers.map(\.id))
        if let mock = c.control.mock { known.formUnion(mock.brokerIds) }
        var compose: (any ComposeControl)? = nil
        if case .compose(let access) = c.control {
            known.formUnion(DockerCompose.brokerIds)
            compose = try? access.control(
                composeFile: ctx.session.composeFile, purpose: "read the broker containers' state",
                example: { "docker compose -f \($0) ps" })
        }
        let listed = Set(metadata.brokers.map(\.id))
        let partitions = metadata.topics.filter { !$0.isInternal }.flatMap(\.partitions)
        // On compose, the containers say which brokers run; metadata lags both ways.
        var containers: [Int32: ContainerState] = [:]
        if let compose {
            for id in DockerCompose.brokerIds { containers[id] = try? compose.containerState(forBroker: id) }
        }

        var rows: [BrokerListResult.Broker] = []
        for id in known.sorted() {
            let state =
                stopped.contains(id)
                ? "stopped"
                : containers[id].map { composeBrokerState(listed: listed.contains(id), container: $0) }
                    ?? (listed.contains(id) ? "up" : "not in metadata (stopped or fenced)")
            let leads = partitions.filter { $0.leader == id }.count
            let hosts = partitions.filter { $0.replicas.contains(id) }.count
            let address = metadata.brokers.first { $0.id == id }?.address ?? "-"
            rows.append(BrokerListResult.Broker(id: id, address: address, state: state, leads: leads, replicas: hosts))
        }
        ctx.output.emit(BrokerListResult(cluster: c.label, brokers: rows))
        ctx.output.hint("LEADS and REPLICAS count partitions of non-internal topics")
        if c.control.isMock {
            ctx.output.hint(
                "embedded: a stopped broker stays in the mock's metadata; kafkalab remembers which ones it stopped")
        }
    }

    /// A compose broker's state from its container and the metadata together.
    static func composeBrokerState(listed: Bool, container: ContainerState) -> String {
        switch (container, listed) {
        case (.running, true): "up"
        case (.running, false): "starting (container running, not registered yet)"
        case (.notRunning(let word), true): "down (container \(word)); still in metadata until fenced"
        case (.notRunning(let word), false): "down (container \(word))"
        case (.missing, _): listed ? "up (no container in the compose file)" : "no container"
        }
    }

    static func runBrokerAction(_ action: DockerCompose.Action, _ ctx: CommandContext) throws {
        let args = ctx.arguments
        guard !args.positionals.isEmpty else { throw ctx.usageError("missing <id>") }
        var ids: [Int32] = []
        for word in args.positionals {
            guard let id = Int32(word), id >= 0 else {
                throw ctx.usageError("broker ids are whole numbers, not '\(word)'")
            }
            if !ids.contains(id) { ids.append(id) }
        }
        let c = try ctx.session.requireConnection()
        switch c.control {
        case .inProcessMock(let mock as any MockClusterControl), .servedMock(let mock as any MockClusterControl):
            ctx.output.emit(
                try embeddedControl(
                    action, ids: ids, cluster: mock, connection: c, state: ReplicationLabState.of(ctx.session),
                    cancellation: ctx.cancellation))
        case .compose:
            let state = ReplicationLabState.of(ctx.session)
            let wait = try args.seconds("--wait", default: 60, minimum: 1, maximum: 3_600)
            try composeControl(
                action, ids: ids, connection: c, waitSeconds: wait,
                composeFile: args.value("--compose-file") ?? ctx.session.composeFile, ctx.output,
                cancellation: ctx.cancellation
            ) {
                if let before = try? IsrWatcher.snapshot(
                    of: c, scope: .allTopicsAndInternal, timeoutMs: c.client.timeoutMs, time: 0)
                {
                    state.recordBrokerChange(
                        "broker \(action.rawValue) \(ReplicationCommands.ids(ids))", before: before)
                }
            }
        case .other:
            let live = Set(try c.client.metadata().brokers.map(\.id))
            try externalInstructions(action, ids: ids, live: live, bootstrap: c.bootstrap, ctx.output)
        }
    }

    // MARK: Embedded

    /// Stops or starts brokers of the mock and moves leadership as a controller would; the result
    /// says what changed (the `broker` command emits it, `min-isr demo` tells it as one of its steps).
    static func embeddedControl(
        _ action: DockerCompose.Action, ids: [Int32], cluster: any MockClusterControl,
        connection c: ClusterConnection, state: ReplicationLabState? = nil, cancellation: Cancellation? = nil
    ) throws -> BrokerControlResult {
        let stopped = cluster.stoppedBrokers
        let range = "1..\(cluster.brokerCount)"
        // Every id is checked before anything changes, so a bad one leaves the cluster as it was.
        for id in ids {
            guard cluster.brokerIds.contains(id) else {
                throw LabError.notFound("no broker \(id): the embedded cluster has brokers \(range) (`broker list`)")
            }
            if action == .start, !stopped.contains(id) {
                throw LabError.invalid("broker \(id) is already running (`broker list`)")
            }
            if action != .start, stopped.contains(id) {
                throw LabError.invalid("broker \(id) is already stopped (`broker start \(id)` brings it back)")
            }
        }
        let brokerWord = ids.count == 1 ? "broker \(ids[0])" : "brokers \(ReplicationCommands.ids(ids))"

        if action == .start {
            if let before = try? IsrWatcher.snapshot(
                of: c, scope: .allTopicsAndInternal, timeoutMs: c.client.timeoutMs, time: 0)
            {
                state?.recordBrokerChange("broker start \(ReplicationCommands.ids(ids))", before: before)
            }
            for id in ids { try cluster.startBroker(id) }
            settleMetadata(c, cancellation)
            let moves = try electLeadersForReturning(Set(ids), cluster: cluster, connection: c)
            return BrokerControlResult(
                action: action, brokers: ids, moves: moves, note: "embedded: leadership does not move back")
        }

        let down = stopped.union(ids)
        if down.count >= cluster.brokerCount {
            throw LabError.invalid(
                "stopping \(brokerWord) would leave no broker running, and kafkalab needs one to read metadata; start another first (`broker start <id>`)"
            )
        }
        let before = try IsrWatcher.snapshot(
            of: c, scope: .allTopicsAndInternal, timeoutMs: c.client.timeoutMs, time: 0)
        state?.recordBrokerChange("broker \(action.rawValue) \(ReplicationCommands.ids(ids))", before: before)
        let moves = LeaderElection.movesAway(from: Set(ids), down: down, partitions: before.partitions)
        for id in ids { try cluster.stopBroker(id) }
        for m in moves { try cluster.setLeader(topic: m.topic, partition: m.partition, broker: m.to) }
        settleMetadata(c, cancellation)

        return BrokerControlResult(
            action: action, brokers: ids, moves: moves,
            note:
                "embedded: stop and kill are the same; leadership moved by kafkalab as the controller would; the ISR is not modelled"
        )
    }

    /// Waits until a metadata request succeeds again. Right after the mock closes a
    /// broker's connections, librdkafka may still send a request to it and wait out
    /// the whole time-out; short attempts let it notice the broker is gone first.
    /// Attempts of 250 ms, so that Ctrl-C is heard between them.
    static func settleMetadata(_ c: ClusterConnection, _ cancellation: Cancellation? = nil) {
        for _ in 0..<20 {
            if cancellation?.isCancelled == true { return }
            if (try? c.client.metadata(timeoutMs: 250)) != nil { return }
        }
    }

    /// A returning broker gives leaderless partitions their leader back; partitions
    /// that have a leader keep it.
    static func electLeadersForReturning(
        _ ids: Set<Int32>, cluster: any MockClusterControl,
        connection c: ClusterConnection
    ) throws -> [LeaderElection.Move] {
        let now = try IsrWatcher.snapshot(of: c, scope: .allTopicsAndInternal, timeoutMs: c.client.timeoutMs, time: 0)
        let moves = LeaderElection.movesOnStart(of: ids, partitions: now.partitions)
        for m in moves { try cluster.setLeader(topic: m.topic, partition: m.partition, broker: m.to) }
        return moves
    }

    // MARK: Compose

    static func composeControl(
        _ action: DockerCompose.Action, ids: [Int32], connection: ClusterConnection? = nil,
        waitSeconds: Double = 60, composeFile: String?, _ out: Output, cancellation: Cancellation = Cancellation(),
        environment: [String: String] = ProcessInfo.processInfo.environment,
        beforeChange: () -> Void = {}
    ) throws {
        for id in ids {
            guard DockerCompose.brokerIds.contains(id) else {
                throw LabError.notFound(
                    "no broker \(id) on the compose cluster: its brokers are 1..3 (containers kafka-1..kafka-3)")
            }
        }
        var access = ComposeAccess()
        if case .compose(let given) = connection?.control { access = given }
        let compose = try access.control(
            composeFile: composeFile, action: action, brokers: ids, environment: environment)
        // Eligibility from the containers, not from metadata: a killed broker stays
        // listed until fenced (broker.session.timeout.ms), a started one appears only
        // once it has registered.
        var states: [Int32: ContainerState] = [:]
        for id in DockerCompose.brokerIds { states[id] = try compose.containerState(forBroker: id) }
        for id in ids {
            let service = DockerCompose.service(forBroker: id)
            switch states[id]! {
            case .missing:
                throw LabError.invalid(
                    "\(compose.file) has no container \(service): the cluster was not started from this file (`docker compose -f \(compose.file) up -d --wait`, or --compose-file PATH)"
                )
            case .running where action == .start:
                throw LabError.invalid(
                    "broker \(id) is already running (`docker compose ps` says \(service) is running)")
            case .notRunning(let word) where action != .start:
                throw LabError.invalid(
                    "broker \(id) is not running (`docker compose ps` says \(service) is \(word)); `broker start \(id)` starts it"
                )
            default: break
            }
        }
        if action != .start, !DockerCompose.brokerIds.contains(where: { !ids.contains($0) && states[$0]!.isRunning }) {
            throw LabError.invalid(
                "that would stop every broker, and kafkalab needs one to read metadata; leave one running")
        }
        // Brokers metadata lists while their containers are down were killed and are not
        // fenced yet: that listing is their old session, not a registration.
        let stale: Set<Int32> =
            action == .start
            ? Set(((try? connection?.client.metadata(timeoutMs: 1_500)) ?? nil)?.brokers.map(\.id) ?? [])
                .intersection(ids) : []
        beforeChange()
        for id in ids {
            if cancellation.isCancelled { throw LabError.interrupted }
            out.progress("running \(DockerCompose.commandLine(file: compose.file, action: action, broker: id)) ...")
            try compose.perform(action, broker: id)
            out.line("\(DockerCompose.commandLine(file: compose.file, action: action, broker: id)): done")
        }
        var registered: [Int32]? = nil
        if action == .start, let client = connection?.client {
            registered = try waitUntilRegistered(
                ids, stale: stale, client: client, limit: waitSeconds, out, cancellation)
        }
        out.emit(
            BrokerControlResult(
                action: action, brokers: ids, leadershipMoves: nil, composeFile: compose.file, registered: registered,
                note: composeConsequence(action)))
    }

    /// After `docker compose start` returns, the broker still has to start its JVM
    /// and register with the controller: polls metadata until every id is listed.
    /// A `stale` id (killed, still listed by its old session) counts only once it has
    /// left the listing and come back: Kafka refuses the new incarnation's
    /// registration until the old session expires (broker.session.timeout.ms).
    /// Returns the ids that registered; says so and returns early at the limit.
    static func waitUntilRegistered(
        _ brokers: [Int32], stale: Set<Int32> = [], client: any ClusterClient, limit: Double, _ out: Output,
        _ cancellation: Cancellation
    ) throws -> [Int32] {
        let clock = client.clock
        let started = clock.now
        var listed = Set<Int32>()
        var oldSession = stale
        if !stale.isEmpty {
            let which = stale.sorted()
            out.line(
                "broker\(which.count == 1 ? "" : "s") \(ids(which)) \(which.count == 1 ? "is" : "are") still in metadata from before \(which.count == 1 ? "it was" : "they were") killed: the controller refuses a new registration until that session expires (broker.session.timeout.ms, 9 s by default, after the last heartbeat) and fences it"
            )
        }
        while true {
            if cancellation.isCancelled { throw LabError.interrupted }
            if let md = try? client.metadata(timeoutMs: 1_500) {
                let now = Set(md.brokers.map(\.id))
                oldSession.subtract(oldSession.subtracting(now))
                listed = now.intersection(brokers).subtracting(oldSession)
            }
            let waited = clock.now - started
            if listed.count == brokers.count {
                out.line(
                    String(
                        format: "broker%@ %@ registered and listed in metadata after %.1f s",
                        brokers.count == 1 ? "" : "s", ids(brokers), waited))
                return brokers
            }
            if waited > limit {
                let missing = brokers.filter { !listed.contains($0) }
                out.warning(
                    "broker\(missing.count == 1 ? "" : "s") \(ids(missing)) started but not yet registered after \(Int(limit)) s; `broker list` shows when \(missing.count == 1 ? "it is" : "they are") (docker compose logs \(missing.map(DockerCompose.service(forBroker:)).joined(separator: " ")))"
                )
                return brokers.filter { listed.contains($0) }
            }
            out.progress(
                String(
                    format: "waiting for broker(s) %@ to register: %.0f s (Ctrl-C stops waiting)",
                    ids(brokers.filter { !listed.contains($0) }), waited))
            clock.sleep(0.2)
        }
    }

    static func composeConsequence(_ action: DockerCompose.Action) -> String {
        switch action {
        case .stop:
            "a controlled shutdown: the controller moved leadership away and removed the broker from every ISR before it exited"
        case .kill:
            "a crash: the controller notices only after broker.session.timeout.ms (9 s by default); until then the broker stays in metadata and leaders on it look alive"
        case .start:
            "the broker catches up and rejoins the ISR; leadership stays where it moved until a preferred-leader election (the KRaft controller checks every 300 s by default and moves back every partition whose preferred replica is in sync; a ZooKeeper controller only above 10 % imbalance per broker)"
        }
    }

    // MARK: External

    static func externalInstructions(
        _ action: DockerCompose.Action, ids: [Int32], live: Set<Int32>,
        bootstrap: String, _ out: Output
    ) throws {
        if action != .start {
            for id in ids where !live.contains(id) {
                throw LabError.notFound(
                    "no broker \(id) in metadata (brokers: \(ReplicationCommands.ids(live.sorted())))")
            }
        }
        let how: String =
            switch action {
            case .stop:
                "stop it with a controlled shutdown on its host (`kafka-server-stop.sh`, `systemctl stop kafka`, or `docker stop <container>`)"
            case .kill: "crash it on its host (`kill -9 <broker pid>` or `docker kill <container>`)"
            case .start:
                "start it again on its host (`kafka-server-start.sh`, `systemctl start kafka`, or `docker start <container>`)"
            }
        let brokerWord = ids.count == 1 ? "broker \(ids[0])" : "brokers \(ReplicationCommands.ids(ids))"
        let text =
            "kafkalab controls brokers only on the embedded and the project's compose cluster; for \(brokerWord) of \(bootstrap), \(how), then watch with `isr watch --all`"
        out.emit(BrokerInstructionsResult(action: action.rawValue, brokers: ids, performed: false, instructions: text))
    }
}
