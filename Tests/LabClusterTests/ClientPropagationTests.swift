import Foundation
import Kafka
import Testing

@testable import Lab

/// The connection's properties (security above all) reach every kind of client a
/// command makes. The embedded cluster speaks neither TLS nor SASL, so the probe
/// is SASL settings that librdkafka keeps but does not use under PLAINTEXT; what
/// is checked is each client's final librdkafka configuration as `rd_kafka_new`
/// received it (`ClientCreationLog`), not the dictionaries that led to it.
@Suite("Connection properties reach every client")
struct ClientPropagationTests {
    static let user = "propagation-probe-\(UUID().uuidString.prefix(8))"
    static let file = """
        sasl.mechanism=PLAIN
        sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="\(user)" password="probe-secret";
        key.serializer=org.apache.kafka.common.serialization.StringSerializer
        """

    func hasProbe(_ config: [String: String]) -> Bool {
        config["sasl.username"] == Self.user && config["sasl.password"] == "probe-secret"
            && config["sasl.mechanisms"] == "PLAIN"
    }

    /// A script session on a fresh embedded cluster of `brokers`, connected with the probe file's profile.
    static func probeSession(brokers: Int) throws -> (Session, Dispatcher, OutputBuffer) {
        var profile = ClusterProfile()
        try profile.add(fileText: file, path: "probe.properties")
        let buffer = OutputBuffer()
        let session = Session(output: .capturing(format: .table, into: buffer), isScript: true)
        let dispatcher = CommandCatalog.dispatcher()
        session.dispatcher = dispatcher
        session.connect(try ClusterConnection(embeddedBrokers: brokers, profile: profile))
        return (session, dispatcher, buffer)
    }

    @Test func everyClientKindGetsTheConnectionsProperties() throws {
        let log = ClientCreationLog()
        log.start()
        defer { log.stop() }
        let (session, dispatcher, buffer) = try Self.probeSession(brokers: 1)
        defer { session.disconnect() }
        let bootstrap = session.connection!.bootstrap

        /// The clients made on this test's cluster since `from` (other suites' clients name other brokers).
        func ours(since from: Int) -> [ClientCreationLog.Entry] {
            log.recorded.dropFirst(from).filter {
                ($0.config["metadata.broker.list"] ?? $0.config["bootstrap.servers"]) == bootstrap
            }
        }
        let admin = ours(since: 0)
        #expect(
            admin.count == 1 && admin.allSatisfy { $0.config["client.id"] == "kafkalab-admin" && hasProbe($0.config) })

        var mark = log.recorded.count
        _ = try? session.connection!.client.lastStableOffset(topic: "__none", partition: 0, timeoutMs: 500)
        let lso = ours(since: mark)
        #expect(lso.map { $0.config["client.id"] } == ["kafkalab-admin-lso"])
        #expect(lso.allSatisfy { hasProbe($0.config) })

        // Each command, and the kind of client it makes.
        let commands = [
            ("topic create probe --partitions 2", "none (the mock's API)"),
            ("produce --topic probe --count 20 v{i}", "the session producer"),
            ("consume probe --count 5", "a consumer (assigned)"),
            ("bench none --topic probe --count 200 --runs 1 --warmup 0", "a benchmark's plain producer"),
            ("bench consume --topic probe --count 20", "a benchmark's consumer"),
            ("txn demo", "a demo's own producers and read-back consumer"),
            ("seed probe-seed --count 50 --partitions 2", "seed's producer"),
        ]
        for (line, kind) in commands {
            mark = log.recorded.count
            let outcome = dispatcher.execute(line, in: session)
            #expect(outcome == .succeeded, "\(line): \(outcome) \(buffer.stderr.suffix(400))")
            let made = ours(since: mark)
            if kind.hasPrefix("none") { continue }
            #expect(!made.isEmpty, "\(line) made no client on the cluster (\(kind))")
            for entry in made {
                #expect(
                    hasProbe(entry.config), "\(line): a \(entry.type) (\(kind)) lacks the connection's SASL settings")
            }
        }

        // The throwaway validation clients of `set` have no brokers: they are the
        // producer and consumer built while it runs, with this connection's probe.
        mark = log.recorded.count
        #expect(dispatcher.execute("set client.id probe", in: session) == .succeeded)
        let checks = log.recorded.dropFirst(mark).filter { $0.config["sasl.username"] == Self.user }
        #expect(Set(checks.map(\.type)) == ["producer", "consumer"])
        #expect(session.validationBase.producer["sasl.username"] == Self.user)
        #expect(session.validationBase.consumer["sasl.password"] == "probe-secret")

        // And nothing printed the secret.
        #expect(!buffer.stdout.contains("probe-secret") && !buffer.stderr.contains("probe-secret"))
    }

    /// The demos' own clients (their own producers and consumers, group members), on a
    /// cluster of three brokers as min-isr demo needs.
    @Test func theDemosOwnClientsGetTheConnectionsProperties() throws {
        let log = ClientCreationLog()
        log.start()
        defer { log.stop() }
        let (session, dispatcher, buffer) = try Self.probeSession(brokers: 3)
        defer { session.disconnect() }
        let bootstrap = session.connection!.bootstrap
        let commands = [
            ("topic create demo-probe --partitions 2", "none (the mock's API)"),
            ("produce --topic demo-probe --count 4 v{i}", "the session producer"),
            ("consume demo-probe --count 2 --group probe-group", "a group member"),
            ("txn fence", "two transactional producers"),
            ("compaction demo --keys 5 --wait 5s", "the demo's producer and read-back consumer"),
            ("min-isr demo", "the demo's fresh producers"),
        ]
        for (line, kind) in commands {
            let mark = log.recorded.count
            let outcome = dispatcher.execute(line, in: session)
            #expect(outcome == .succeeded, "\(line): \(outcome) \(buffer.stderr.suffix(400))")
            if kind.hasPrefix("none") { continue }
            let made = log.recorded.dropFirst(mark).filter {
                ($0.config["metadata.broker.list"] ?? $0.config["bootstrap.servers"]) == bootstrap
            }
            #expect(!made.isEmpty, "\(line) made no client on the cluster (\(kind))")
            for entry in made {
                #expect(
                    hasProbe(entry.config), "\(line): a \(entry.type) (\(kind)) lacks the connection's SASL settings")
            }
        }
    }

    /// The long demos' clients, made by the same functions the demos call (`lag demo` runs
    /// for half a minute and `idempotence demo` for twenty seconds, too long for the suite):
    /// the lag demo's producer and group member, each idempotence run's producer (plain,
    /// idempotent, transactional), and the read-back consumer that counts the duplicates.
    @Test func theLongDemosClientsGetTheConnectionsProperties() throws {
        let log = ClientCreationLog()
        log.start()
        defer { log.stop() }
        let (session, dispatcher, buffer) = try Self.probeSession(brokers: 1)
        defer { session.disconnect() }
        let c = try #require(session.connection)
        #expect(dispatcher.execute("topic create long-probe --partitions 1", in: session) == .succeeded)
        func made(by kind: String, _ make: () throws -> Void) throws {
            let mark = log.recorded.count
            try make()
            let ours = log.recorded.dropFirst(mark).filter {
                ($0.config["metadata.broker.list"] ?? $0.config["bootstrap.servers"]) == c.bootstrap
            }
            #expect(!ours.isEmpty, "\(kind) made no client on the cluster")
            for entry in ours {
                #expect(hasProbe(entry.config), "\(kind): its \(entry.type) lacks the connection's SASL settings")
            }
        }
        try made(by: "lag demo's producer") {
            let p = try LagDemo.makeProducer(c)
            #expect(p.config["client.id"] == "kafkalab-lag-demo-producer")
        }
        try made(by: "lag demo's group member") {
            let consumer = try LagDemo.makeConsumer(c, group: "long-probe-group")
            consumer.close()
        }
        for kind in IdempotenceDemo.Kind.allCases {
            try made(by: "idempotence demo, run \(kind.rawValue)") {
                let run = try IdempotenceDemo.RunProducer(
                    kind, connection: c, socketTimeoutMs: IdempotenceDemo.embeddedSocketTimeoutMs)
                #expect(run.producer.config["enable.idempotence"] == (kind.idempotent ? "true" : "false"))
            }
        }
        try made(by: "idempotence demo's read-back") {
            _ = try ProducerDemos.readBack(
                "long-probe", from: [0: 0], isolation: "read_uncommitted", session: session,
                cancellation: Cancellation())
        }
        #expect(!buffer.stdout.contains("probe-secret") && !buffer.stderr.contains("probe-secret"))
    }

    /// The one builder, per side: bootstrap from the connection, the profile's
    /// properties by scope, the command's own last.
    @Test func clientPropertiesSplitTheProfileBySide() throws {
        var profile = ClusterProfile()
        try profile.add(fileText: Self.file + "\nacks=all\nsession.timeout.ms=45000\n", path: "p.properties")
        let producer = ClusterConnection.clientProperties(.producer, "h:1", profile)
        let consumer = ClusterConnection.clientProperties(.consumer, "h:1", profile)
        let admin = ClusterConnection.clientProperties(.admin, "h:1", profile)
        for config in [producer, consumer, admin] {
            #expect(hasProbe(config) && config["bootstrap.servers"] == "h:1")
        }
        #expect(producer["acks"] == "all" && consumer["acks"] == nil && admin["acks"] == nil)
        #expect(consumer["session.timeout.ms"] == "45000" && producer["session.timeout.ms"] == nil)
        #expect(admin["session.timeout.ms"] == nil)
    }
}
