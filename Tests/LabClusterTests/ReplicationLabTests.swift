import Foundation
import Kafka
import Testing

@testable import Lab

/// The replication lab on the embedded cluster, driven the way a user types it.
@Suite("Replication lab on the embedded cluster")
struct ReplicationLabTests {
    private func leaders(_ t: TestSession, _ topic: String) throws -> [Int32: Int32] {
        let info = try #require(try t.session.connection!.admin.metadata().topic(topic))
        return Dictionary(uniqueKeysWithValues: info.partitions.map { ($0.id, $0.leader) })
    }

    @Test func isrListsEveryPartitionAndNeverInventsALeaderEpoch() throws {
        let t = try TestSession()
        _ = try t.output(of: "topic create orders --partitions 4")
        let json = try t.json("isr orders")
        guard case .array(let partitions)? = json["partitions"] else { throw TestFailure("no partitions in \(json)") }
        #expect(partitions.count == 4)
        for p in partitions {
            #expect(p["leader_epoch"] == .null)
            #expect(p["replicas"] == .ints([1, 2, 3] as [Int32]))
            #expect(p["state"] == .strings(["ok"]))
        }
        #expect(json["min_insync_replicas"] == .null)
        guard case .string(let note)? = json["leader_epoch_note"] else { throw TestFailure("no epoch note") }
        #expect(note.contains("does not expose"))
        let text = try t.output(of: "isr orders")
        #expect(text.contains("PARTITION") && text.contains("OFFLINE") && text.contains("HIGH"))
    }

    @Test func stoppingALeaderIsSeenAsBrokerGoneAndLeaderChangeAndProducingStillWorks() throws {
        let t = try TestSession()
        _ = try t.output(of: "topic create orders --partitions 4")
        let before = try leaders(t, "orders")
        let victim = before[0]!
        let watcher = try IsrWatcher(connection: t.session.connection!, scope: .topic("orders"))

        let stopOutput = try t.output(of: "broker stop \(victim)")
        let led = before.filter { $0.value == victim }.count
        #expect(
            stopOutput.contains(
                "leadership of \(led) partition\(led == 1 ? "" : "s") moved from broker \(victim), as the controller would; the embedded cluster does not model the ISR"
            ))

        let events = try watcher.poll()
        #expect(events.contains(.brokerGone(victim)))
        let changes = events.compactMap { event -> (Int32, Int32, Int32)? in
            if case let .leaderChange(_, partition, from, to) = event { return (partition, from, to) }
            return nil
        }
        #expect(changes.count == led)
        for (partition, from, to) in changes {
            #expect(from == victim)
            #expect(to != victim)
            #expect(before[partition] == victim)
        }
        #expect(try leaders(t, "orders").values.allSatisfy { $0 != victim })

        let produced = try t.output(of: "produce --partition 0 after-the-move")
        #expect(produced.contains("produced 1 of 1 message(s) to orders: p0"))

        let startOutput = try t.output(of: "broker start \(victim)")
        #expect(startOutput.contains("started broker \(victim)"))
        let back = try watcher.poll()
        #expect(back.contains(.brokerBack(victim)))
        // Leadership stays where it moved, as on Kafka until a preferred-leader election.
        #expect(!back.contains { if case .leaderChange = $0 { true } else { false } })
        #expect(watcher.summary.eventCounts["broker-gone"] == 1)
        #expect(watcher.summary.eventCounts["broker-back"] == 1)
    }

    /// Stops a broker from another thread while `isr watch` runs, as a second
    /// shell would; the moves are decided before the thread starts.
    private func stopInBackground(
        _ t: TestSession, topic: String, broker: Int32, after seconds: Double
    ) throws -> Thread {
        let cluster = t.embedded
        let snapshot = try IsrWatcher.snapshot(
            of: t.session.connection!, scope: .allTopicsAndInternal, timeoutMs: 5_000, time: 0)
        let moves = LeaderElection.movesAway(from: [broker], down: [broker], partitions: snapshot.partitions)
        let thread = Thread {
            Thread.sleep(forTimeInterval: seconds)
            try? cluster.stopBroker(broker)
            for m in moves { try? cluster.setLeader(topic: m.topic, partition: m.partition, broker: m.to) }
        }
        thread.start()
        return thread
    }

    @Test func isrWatchPrintsTheStopAndSummarisesIt() throws {
        let t = try TestSession()
        _ = try t.output(of: "topic create orders --partitions 3")
        let leader = try leaders(t, "orders")[0]!
        _ = try stopInBackground(t, topic: "orders", broker: leader, after: 0.6)
        let text = try t.output(of: "isr watch orders --interval 200ms --for 4s")
        #expect(text.contains("watching orders: 3 partitions"))
        #expect(text.contains("broker \(leader) gone (stopped; the mock still lists it in metadata)"))
        #expect(text.contains("orders/0 leader \(leader) → "))
        #expect(text.contains("broker-gone 1"))
        #expect(text.contains("leader-change"))
        #expect(text.contains("time up"))
    }

    @Test func isrWatchInJSONStreamsOneDocumentPerEventThenTheSummary() throws {
        let t = try TestSession()
        _ = try t.output(of: "topic create orders --partitions 2")
        let leader = try leaders(t, "orders")[0]!
        _ = try stopInBackground(t, topic: "orders", broker: leader, after: 0.5)
        let text = try t.output(of: "isr watch --all --interval 100ms --for 4s --json")
        let documents = try text.split(separator: "\n").map { try JSONValue.parse(String($0)) }
        let summary = try #require(documents.last)
        #expect(summary["summary"] == .bool(true))
        let events = documents.dropLast()
        #expect(events.contains { $0["kind"] == .string("broker-gone") && $0["broker_id"] == .integer(leader) })
        #expect(events.contains { $0["kind"] == .string("leader-change") && $0["from"] == .integer(leader) })
        let counts = summary["events"]?.arrayValue ?? []
        #expect(counts.first { $0["kind"] == .string("broker-gone") }?["count"] == .integer(1))
    }

    @Test func aWatchAfterBrokerStopReportsWhatChangedSinceThen() throws {
        let t = try TestSession()
        _ = try t.output(of: "topic create orders --partitions 3")
        let before = try leaders(t, "orders")
        let victim = before[0]!
        _ = try t.output(of: "broker stop \(victim)")
        let text = try t.output(of: "isr watch orders --for 300ms")
        #expect(text.contains("since before `broker stop \(victim)`"))
        #expect(text.contains("broker \(victim) gone"))
        for (partition, leader) in before where leader == victim {
            #expect(text.contains("orders/\(partition) leader \(victim) → "))
        }
        // Changes before the watch are listed, not counted as seen during it.
        #expect(text.contains("no events"))
        _ = try t.output(of: "broker start \(victim)")
        let again = try t.output(of: "isr watch orders --for 300ms")
        #expect(again.contains("since the previous watch ended"))
        #expect(again.contains("broker \(victim) back"))
        #expect(!again.contains("gone"))
    }

    @Test func badInputIsOneLineAndChangesNothing() throws {
        let t = try TestSession()
        _ = try t.output(of: "topic create orders --partitions 2")
        #expect(try t.failure(of: "isr nope").contains("unknown topic 'nope'"))
        #expect(try t.failure(of: "isr watch ordres").contains("did you mean orders?"))
        #expect(try t.failure(of: "isr watch orders --interval 50ms") == "--interval must be at least 100ms, not 50ms")
        #expect(try t.failure(of: "broker stop 9").contains("no broker 9: the embedded cluster has brokers 1..3"))
        #expect(try t.failure(of: "broker stop x").contains("broker ids are whole numbers, not 'x'"))
        #expect(try t.failure(of: "broker start 2").contains("broker 2 is already running"))
        // A bad id anywhere in the list stops nothing.
        _ = try t.failure(of: "broker stop 1 9")
        #expect(t.embedded.stoppedBrokers.isEmpty)
        _ = try t.output(of: "broker kill 2")
        #expect(try t.failure(of: "broker stop 2") == "broker 2 is already stopped (`broker start 2` brings it back)")
        #expect(try t.failure(of: "broker stop 1 3").contains("would leave no broker running"))
        #expect(t.embedded.stoppedBrokers == [2])
        for failure in ["isr nope", "broker stop 9", "broker stop 2"] {
            #expect(!(try t.failure(of: failure)).contains("\n"))
        }
        #expect(t.session.currentTopic == "orders")
    }

    @Test func killOnTheEmbeddedClusterSaysItIsTheSameAsStop() throws {
        let t = try TestSession()
        _ = try t.output(of: "topic create orders --partitions 2")
        let text = try t.output(of: "broker kill 3")
        #expect(text.contains("killed broker 3 (embedded: stop and kill are the same here"))
        let json = try t.json("broker list")
        guard case .array(let brokers)? = json["brokers"] else { throw TestFailure("no brokers") }
        #expect(brokers.first { $0["id"] == .integer(3) }?["state"] == .string("stopped"))
        #expect(brokers.first { $0["id"] == .integer(3) }?["leads"] == .integer(0))
    }

    @Test func dockerMissingIsOneClearLineBeforeAnythingRuns() throws {
        let buffer = OutputBuffer()
        let out = Output.capturing(into: buffer)
        let composeFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docker-compose.yml").path
        do {
            try ReplicationCommands.composeControl(
                .stop, ids: [2], composeFile: composeFile, out,
                environment: ["PATH": "/nonexistent-kafkalab-test"])
            Issue.record("ran without docker")
        } catch let e as LabError {
            #expect(e.description.hasPrefix("docker is not installed or not on PATH"))
            #expect(e.description.contains("docker compose -f \(composeFile) stop kafka-2"))
            #expect(!e.description.contains("\n"))
        }
        #expect(buffer.stdout.isEmpty)
        #expect(throws: LabError.self) {
            try ReplicationCommands.composeControl(.stop, ids: [7], composeFile: composeFile, out)
        }
        #expect(throws: LabError.self) {
            try ReplicationCommands.composeControl(
                .start, ids: [2], composeFile: composeFile, out,
                environment: ["PATH": "/nonexistent-kafkalab-test"])
        }
    }

    @Test func aMissingComposeFileIsNamed() throws {
        // A directory with an executable named docker stands in for an installed Docker.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafkalab-docker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let fake = dir.appendingPathComponent("docker")
        try "#!/bin/sh\nexit 0\n".write(to: fake, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)
        do {
            _ = try DockerCompose.locate(
                composeFile: nil, action: .stop, brokers: [2],
                environment: ["PATH": dir.path], workingDirectory: dir.path)
            Issue.record("found a compose file that is not there")
        } catch let e as LabError {
            #expect(e.description.hasPrefix("no compose file at \(dir.path)/docker-compose.yml"))
        }
    }

    /// A directory holding a shell script named `docker` that logs its arguments, and
    /// a compose file; `script` is the body run after logging.
    private func fakeDocker(_ script: String) throws -> (dir: URL, compose: String, log: URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kafkalab-docker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let log = dir.appendingPathComponent("calls.log")
        let docker = dir.appendingPathComponent("docker")
        try "#!/bin/sh\necho \"$@\" >> \(log.path)\n\(script)\n".write(to: docker, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: docker.path)
        let compose = dir.appendingPathComponent("docker-compose.yml")
        try "name: kafkalab\n".write(to: compose, atomically: true, encoding: .utf8)
        return (dir, compose.path, log)
    }

    @Test func composeStopRunsDockerComposeForEachBrokerContainer() throws {
        let fake = try fakeDocker(#"case "$4" in ps) echo running ;; esac; exit 0"#)
        defer { try? FileManager.default.removeItem(at: fake.dir) }
        let buffer = OutputBuffer()
        var remembered = false
        try ReplicationCommands.composeControl(
            .stop, ids: [2, 3], composeFile: fake.compose,
            Output.capturing(into: buffer), environment: ["PATH": fake.dir.path]
        ) {
            remembered = true
        }
        let calls = try String(contentsOf: fake.log, encoding: .utf8).split(separator: "\n")
        #expect(
            calls == [
                "compose -f \(fake.compose) ps --all --format {{.State}} kafka-1",
                "compose -f \(fake.compose) ps --all --format {{.State}} kafka-2",
                "compose -f \(fake.compose) ps --all --format {{.State}} kafka-3",
                "compose -f \(fake.compose) stop kafka-2", "compose -f \(fake.compose) stop kafka-3",
            ])
        #expect(remembered)
        #expect(buffer.stdout.contains("docker compose -f \(fake.compose) stop kafka-3: done"))
        #expect(buffer.stdout.contains("a controlled shutdown: the controller moved leadership away"))
    }

    @Test func composeEligibilityAndTheQuorumLeaderComeFromDocker() throws {
        // kafka-2 exited (stopped or killed), the others running; the quorum tool answers in controller-1.
        let fake = try fakeDocker(
            #"""
            case "$4" in
              ps) if [ "$8" = kafka-2 ]; then echo exited; else echo running; fi ;;
              exec) printf 'ClusterId: abc\nLeaderId: 103\nLeaderEpoch: 7\n' ;;
            esac
            exit 0
            """#)
        defer { try? FileManager.default.removeItem(at: fake.dir) }
        let compose = try DockerCompose.locate(
            composeFile: fake.compose, action: .start, brokers: [2], environment: ["PATH": fake.dir.path])
        #expect(try compose.containerState(forBroker: 2) == .notRunning("exited"))
        #expect(try compose.containerState(forBroker: 1) == .running)
        #expect(try compose.activeController() == 103)
        let calls = try String(contentsOf: fake.log, encoding: .utf8)
        #expect(
            calls.contains(
                "compose -f \(fake.compose) exec -T controller-1 env KAFKA_HEAP_OPTS=-Xmx64m /opt/kafka/bin/kafka-metadata-quorum.sh --bootstrap-controller localhost:9093 describe --status"
            ))
        do {
            try ReplicationCommands.composeControl(
                .stop, ids: [2], composeFile: fake.compose,
                Output.capturing(into: OutputBuffer()), environment: ["PATH": fake.dir.path])
            Issue.record("stopped a broker whose container is not running")
        } catch let e as LabError {
            #expect(
                e.description
                    == "broker 2 is not running (`docker compose ps` says kafka-2 is exited); `broker start 2` starts it"
            )
        }
        let buffer = OutputBuffer()
        try ReplicationCommands.composeControl(
            .start, ids: [2], composeFile: fake.compose,
            Output.capturing(into: buffer), environment: ["PATH": fake.dir.path])
        #expect(try String(contentsOf: fake.log, encoding: .utf8).contains("compose -f \(fake.compose) start kafka-2"))
    }

    @Test func composeFailuresAreOneLine() throws {
        let notStarted = try fakeDocker("exit 0")
        defer { try? FileManager.default.removeItem(at: notStarted.dir) }
        do {
            try ReplicationCommands.composeControl(
                .kill, ids: [2], composeFile: notStarted.compose,
                Output.capturing(into: OutputBuffer()), environment: ["PATH": notStarted.dir.path])
            Issue.record("killed a container that does not exist")
        } catch let e as LabError {
            #expect(e.description.contains("has no container kafka-2: the cluster was not started from this file"))
        }

        let noDaemon = try fakeDocker(
            #"echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock" >&2; exit 1"#)
        defer { try? FileManager.default.removeItem(at: noDaemon.dir) }
        do {
            try ReplicationCommands.composeControl(
                .start, ids: [2], composeFile: noDaemon.compose,
                Output.capturing(into: OutputBuffer()), environment: ["PATH": noDaemon.dir.path])
            Issue.record("docker failure not reported")
        } catch let e as LabError {
            #expect(
                e.description
                    == "`docker compose -f \(noDaemon.compose) ps kafka-1` failed (exit 1): Cannot connect to the Docker daemon at unix:///var/run/docker.sock"
            )
        }
    }

    @Test func otherClustersGetInstructionsInsteadOfAction() throws {
        let buffer = OutputBuffer()
        try ReplicationCommands.externalInstructions(
            .kill, ids: [2], live: [1, 2, 3], bootstrap: "kafka.example:9092",
            Output.capturing(into: buffer))
        #expect(buffer.stdout.contains("for broker 2 of kafka.example:9092, crash it on its host (`kill -9"))
        #expect(throws: LabError.self) {
            try ReplicationCommands.externalInstructions(
                .stop, ids: [5], live: [1, 2, 3], bootstrap: "k:9092",
                Output.capturing(into: OutputBuffer()))
        }
    }

    @Test(arguments: [
        (KafkaErrorCode.notEnoughReplicas, "NOT_ENOUGH_REPLICAS"),
        (KafkaErrorCode.notEnoughReplicasAfterAppend, "NOT_ENOUGH_REPLICAS_AFTER_APPEND"),
        (KafkaErrorCode.requestTimedOut, "REQUEST_TIMED_OUT"),
    ])
    func produceNamesTheInjectedBrokerErrorWithItsMeaning(code: Int32, name: String) throws {
        let t = try TestSession()
        _ = try t.output(of: "topic create orders --partitions 1")
        _ = try t.output(of: "set retries 0")
        _ = try t.output(of: "set acks all")
        _ = try t.output(of: "produce warm-up")  // the producer is connected before the error is injected
        t.embedded.injectErrors(api: .produce, [code])
        let before = t.buffer.stdout.count
        let message = try t.failure(of: "produce refused")
        let printed = String(t.buffer.stdout.dropFirst(before))
        let meaning = try #require(ErrorMeanings.meaning(of: name))
        #expect(printed.contains("failed: 1 × \(name): \(meaning)"))
        #expect(message.contains(name))
    }

    @Test func retriedErrorsEndAsLocalMessageTimeout() throws {
        let t = try TestSession()
        _ = try t.output(of: "topic create orders --partitions 1")
        _ = try t.output(of: "set message.timeout.ms 1500")
        _ = try t.output(of: "set retry.backoff.ms 50")
        _ = try t.output(of: "produce warm-up")
        t.embedded.injectErrors(api: .produce, Array(repeating: KafkaErrorCode.notEnoughReplicas, count: 200))
        let before = t.buffer.stdout.count
        _ = try t.failure(of: "produce never")
        #expect(
            String(t.buffer.stdout.dropFirst(before)).contains(
                "failed: 1 × _MSG_TIMED_OUT: \(ErrorMeanings.meaning(of: "_MSG_TIMED_OUT")!)"))
    }

    @Test func minIsrDemoOnTheEmbeddedClusterSaysTheRejectionCannotBeObserved() throws {
        let t = try TestSession()
        let json = try t.json("min-isr demo")
        #expect(json["rejection_observable"] == .bool(false))
        guard case .array(let steps)? = json["steps"] else { throw TestFailure("no steps") }
        #expect(steps.count == 5)
        // Whatever the mock answered is reported; a rejection is never printed unless observed.
        for step in steps {
            guard case .string(let outcome)? = step["outcome"] else { throw TestFailure("no outcome") }
            #expect(step["error"] == (outcome == "delivered" ? .null : .string(outcome)))
        }
        guard case .object(let settings)? = json["producer_properties"] else { throw TestFailure("no settings") }
        #expect(
            Set(settings.map(\.0)) == [
                "acks", "enable.idempotence", "retries", "message.timeout.ms", "request.timeout.ms",
            ])
        #expect(t.embedded.stoppedBrokers.isEmpty)

        let text = try t.output(of: "min-isr demo")
        #expect(text.contains("rejection cannot be observed here"))
        #expect(text.contains("kafkalab does not fake the rejection"))
        #expect(!text.contains("failed with NOT_ENOUGH_REPLICAS"))
        #expect(text.contains("why does min.insync.replicas=2 need three brokers"))
    }

    @Test func explainListsConceptsAndEveryCommandItNamesExists() throws {
        let t = try TestSession()
        let list = try t.output(of: "explain")
        for name in ["isr", "hw", "leo", "leader-epoch", "unclean-election", "min-isr", "acks"] {
            #expect(list.contains(name))
            let text = try t.output(of: "explain \(name)")
            #expect(text.contains(Concepts.table[name]!.title))
        }
        #expect(try t.output(of: "explain min.insync.replicas").contains("min.insync.replicas: how many copies"))
        #expect(try t.failure(of: "explain isrr") == "unknown concept 'isrr'; did you mean isr?")
        #expect(try t.failure(of: "explain zzzzzz").contains("`explain` lists the concepts"))
        for concept in Concepts.table.values {
            for command in concept.commands {
                let words = command.split(separator: " ").map(String.init).filter {
                    !$0.hasPrefix("<") && !$0.hasPrefix("-")
                }
                #expect((try? t.dispatcher.resolve(words)) != nil, "\(concept.name) names `\(command)`")
            }
        }
    }
}

extension RealClusterOnlyWithBootstrap {
    @Suite(
        "min-isr demo on a real cluster",
        .enabled(if: ProcessInfo.processInfo.environment["KAFKALAB_TEST_BOOTSTRAP"] != nil))
    struct MinIsrRealClusterTests {
        @Test(.timeLimit(.minutes(10))) func theBrokerRefusesAcksAllWithOneReplicaLeft() throws {
            let bootstrap = ProcessInfo.processInfo.environment["KAFKALAB_TEST_BOOTSTRAP"]!
            let buffer = OutputBuffer()
            let session = Session(output: .capturing(format: .json, into: buffer), isScript: true)
            let dispatcher = CommandCatalog.dispatcher()
            session.dispatcher = dispatcher
            session.composeFile =
                URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("docker-compose.yml").path
            let connection = try ClusterConnection(bootstrap: bootstrap)
            // Elsewhere the demo waits for a person to stop brokers; only compose is driven.
            try #require(
                connection.control.name == "compose",
                "KAFKALAB_TEST_BOOTSTRAP must be the compose cluster (\(ClusterConnection.composeBootstrap))")
            session.connect(connection)
            defer { session.disconnect() }
            let topic = "min-isr-test-\(UUID().uuidString.prefix(8))"
            let outcome = dispatcher.execute("min-isr demo \(topic) --wait 120s", in: session)
            #expect(outcome == .succeeded, "stderr: \(buffer.stderr)")
            let json = try JSONValue.parse(String(buffer.stdout.split(separator: "\n").last ?? ""))
            guard case .array(let steps)? = json["steps"] else { throw TestFailure("no steps: \(buffer.stdout)") }
            let outcomes = steps.map { $0["outcome"] }
            #expect(
                outcomes == [
                    .string("delivered"), .string("delivered"), .string("NOT_ENOUGH_REPLICAS"),
                    .string("delivered"), .string("delivered"),
                ])
            #expect(steps[3]["acks"] == .string("1"))
            // Leave the cluster whole for the suites after this one: every broker
            // registered and every partition, internal ones included, fully in sync.
            let deadline = Date().addingTimeInterval(120)
            var whole = false
            while !whole && Date() < deadline {
                if let md = try? connection.client.metadata() {
                    whole =
                        md.brokers.count == 3
                        && md.topics.allSatisfy { $0.partitions.allSatisfy { Set($0.isr) == Set($0.replicas) } }
                }
                if !whole { Thread.sleep(forTimeInterval: 1) }
            }
            #expect(whole, "the ISR was not full again within 120 s after the demo")
        }
    }
}  // extension RealClusterOnlyWithBootstrap
