import Foundation
import Kafka
import Synchronization

/// Everything a kafkalab session holds between commands: the cluster
/// connection, the current topic, the producer and consumer properties, the
/// output settings, and the long-lived clients built from them.
///
/// Used from the REPL's thread only; clients it owns call back on
/// librdkafka's threads into their own Sendable state, never into this class.
public final class Session {
    public let output: Output
    public internal(set) var connection: ClusterConnection?
    public var currentTopic: String?
    public internal(set) var settings = ClientSettings()
    /// Reading commands from a script (stdin not a terminal, `source`, `-c`).
    public var isScript: Bool
    /// In a script nobody can press Ctrl-C: a command that would wait for it
    /// (`isr watch` without --for, `consume --follow` without --idle) stops after this many seconds.
    public var scriptWaitLimit: Double = 10
    /// Seconds without any progress (no delivery report while messages wait)
    /// after which `bench` stops and says why, instead of waiting out message.timeout.ms.
    public var progressStallLimit: Double = 5
    /// `progressStallLimit` for the session's producer: longer by its linger.ms, the time it
    /// holds a message on purpose.
    var producerStallLimit: Double {
        ProgressStall.limit(progressStallLimit, producerProperties: settings.producerProperties)
    }
    /// Path of the docker-compose.yml that `broker stop` and friends drive.
    public var composeFile: String?
    /// The dispatcher running this session's commands (for `source`).
    public var dispatcher: Dispatcher?
    /// The files of the `source` commands running inside each other, outermost
    /// first (resolved paths): `source` refuses one already running. Changed only by `source`.
    var sourcing: [String] = []
    /// How many `source` commands are running inside each other.
    var sourceDepth: Int { sourcing.count }
    /// Reads one line from the person at the terminal, for a command that asks
    /// (the `sim` prediction prompt): set by the interactive shell to a line
    /// editor of its own (history off); nil in scripts. Ctrl-C and Ctrl-D come
    /// back as replies, never as a read that fails again and again.
    public var askUser: ((_ prompt: String) -> UserReply)?
    /// Seconds any single cluster request may take before it is reported as failed.
    public var requestTimeoutMs: Int32 = 10_000

    /// Long-lived clients and per-lab state, dropped when their inputs change.
    var sessionProducer: SessionProducer?
    /// Per-lab state, one per `LabState` type, for command families that keep
    /// something between commands (an open transaction, a lag history). Reached
    /// only through `lab(_:orMake:)`, `existingLab(_:)` and `replaceLab(_:)`.
    public private(set) var labState: [ObjectIdentifier: any LabState] = [:]

    public init(output: Output, isScript: Bool) {
        self.output = output
        self.isScript = isScript
    }

    /// The connection, or a one-line error telling the user how to make one
    /// (an embedded cluster whose thread ended is said at once, not retried
    /// as a transient transport error for the whole request time-out).
    public func requireConnection() throws -> ClusterConnection {
        guard let connection else {
            throw LabError.invalid("not connected; `connect embedded` or `connect HOST:PORT`")
        }
        if let ended = connection.control.endedMessage { throw LabError.unsupported(ended) }
        return connection
    }

    public func connect(_ connection: ClusterConnection) {
        disconnect()
        self.connection = connection
    }

    public func disconnect() {
        for state in labState.values { state.sessionWillDisconnect(self) }
        sessionProducer = nil
        labState.removeAll()
        if connection != nil {
            // Tearing down an embedded cluster takes up to 1 s (librdkafka
            // 2.0.2's mock joins an internal broker thread that wakes only
            // once a second); nothing waits for it, so the last reference is
            // handed to a thread of its own and released there.
            let last = Unmanaged.passRetained(connection!)
            connection = nil
            Thread.detachNewThread { last.release() }
        }
    }

    /// The topic named by the user, or the current one, or a one-line error.
    public func topic(_ explicit: String?, usage: String) throws -> String {
        if let explicit { return explicit }
        if let currentTopic { return currentTopic }
        throw LabError.usage("no topic given and no current topic (`use <topic>`)", usage: usage)
    }

    /// The prompt: `kafkalab [embedded:3] orders> `.
    public var prompt: String {
        var text = "kafkalab [\(connection?.label ?? "offline")]"
        if let currentTopic { text += " \(currentTopic)" }
        for state in labState.values.sorted(by: { $0.statusOrder < $1.statusOrder }) {
            if let extra = state.promptSuffix(in: self) { text += " \(extra)" }
        }
        return text + "> "
    }

    // MARK: Configuration

    public func updateSettings(
        _ change: (inout ClientSettings) throws -> ClientSettings.Change
    ) throws -> ClientSettings.Change {
        var copy = settings
        let result = try change(&copy)
        for state in labState.values { try state.settingsWillChange(result, in: self) }
        settings = copy
        if result.scope != .consumer { sessionProducer = nil }
        return result
    }

    /// Properties for a new producer on this connection.
    public func producerProperties(_ extra: [String: String] = [:]) throws -> [String: String] {
        let c = try requireConnection()
        return c.clientProperties(.producer).merging(settings.producerProperties) { $1 }.merging(extra) { $1 }
    }

    /// Properties for a command's own plain producer (bench, compaction demo): the
    /// session's, without transactional.id. A transactional producer writes only
    /// inside a transaction, so inheriting the id made such runs fail with _STATE.
    public func plainProducerProperties(_ extra: [String: String] = [:]) throws -> [String: String] {
        var properties = try producerProperties(extra)
        properties.removeValue(forKey: "transactional.id")
        properties.removeValue(forKey: "transaction.timeout.ms")
        return properties
    }

    /// Properties for a new consumer on this connection.
    public func consumerProperties(group: String, _ extra: [String: String] = [:]) throws -> [String: String] {
        let c = try requireConnection()
        return c.clientProperties(.consumer).merging(settings.consumerProperties) { $1 }
            .merging(["group.id": group]) { $1 }.merging(extra) { $1 }
    }

    /// The session's producer, created on first use from the current settings.
    public func producer() throws -> SessionProducer {
        if let p = sessionProducer, p.producer.fatalError == nil { return p }
        if let old = sessionProducer, let fatal = old.producer.fatalError {
            output.warning("the previous producer hit a fatal error (\(fatal.name)); a fresh one replaces it")
        }
        var properties = try producerProperties()
        if properties["transactional.id"] != nil, properties["transaction.timeout.ms"] == nil {
            // librdkafka's 60 s would let the coordinator abort a transaction while a
            // learner types; the broker allows up to transaction.max.timeout.ms.
            properties["transaction.timeout.ms"] = String(Self.sessionTransactionTimeoutMs)
        }
        let p = try SessionProducer(properties: properties)
        sessionProducer = p
        return p
    }

    /// The session transactional producer's transaction.timeout.ms unless the user
    /// set one: the broker's default transaction.max.timeout.ms (900 s).
    public static let sessionTransactionTimeoutMs = 900_000

    /// The transaction.timeout.ms the session's transactional producer uses.
    public var effectiveTransactionTimeoutMs: Int {
        settings.producerProperties["transaction.timeout.ms"].flatMap { Int($0) } ?? Self.sessionTransactionTimeoutMs
    }

    /// Drops the session producer (after a fatal error or a config change).
    public func resetProducer() { sessionProducer = nil }

    /// Topic names on the cluster (for completion and existence checks).
    public func topicNames() throws -> [String] {
        try requireConnection().client.metadata().topics.map(\.name)
    }

    /// Group names to offer at a TAB: those this session joined, its group.id,
    /// and what the cluster lists (nothing on the embedded cluster, which has no ListGroups).
    public func knownGroupNames() -> [String] {
        var names = joinedGroups.names
        if let id = settings.consumer["group.id"] ?? settings.common["group.id"] { names.append(id) }
        if let listed = try? connection?.client.listGroups() { names += listed.groups.map(\.id) }
        return Array(Set(names)).sorted()
    }

    /// Fails with a one-line error when the topic does not exist (the
    /// embedded cluster would otherwise auto-create it on first use).
    public func requireTopic(_ name: String) throws -> TopicInfo {
        let md = try requireConnection().client.metadata()
        guard let t = md.topic(name) else {
            let near = NearestNames.suggest(name, from: md.topics.map(\.name))
            let hint =
                near.isEmpty ? "`topic create \(name)` makes it" : "did you mean " + near.joined(separator: ", ") + "?"
            throw LabError.notFound("unknown topic '\(name)'; \(hint)")
        }
        return t
    }
}

/// The producer behind `produce`, with its delivery reports gathered.
public final class SessionProducer {
    public let producer: Producer
    public let deliveries: DeliveryTally
    /// The latest statistics (producer id and epoch live in its `eos` section).
    public let statistics: LatestStatistics

    init(properties: [String: String]) throws {
        let log = DeliveryTally()
        let stats = LatestStatistics()
        var props = properties
        if props["statistics.interval.ms"] == nil { props["statistics.interval.ms"] = "1000" }
        producer = try Producer(
            config: props, onDelivery: { log.record($0) },
            onStatistics: { stats.update($0) })
        deliveries = log
        statistics = stats
    }
}

/// Delivery reports since the last `take()`, gathered from librdkafka's poll thread.
public final class DeliveryLog: Sendable {
    private let reports = Mutex<[DeliveryReport]>([])
    public init() {}
    public func record(_ r: DeliveryReport) { reports.withLock { $0.append(r) } }
    public func take() -> [DeliveryReport] {
        reports.withLock { r in
            defer { r = [] }; return r
        }
    }
}

/// The most recent statistics document of a client, decoded.
public final class LatestStatistics: Sendable {
    private let latest = Mutex<ClientStatistics?>(nil)
    public init() {}
    public func update(_ json: String) {
        guard let s = try? ClientStatistics.decode(json) else { return }
        latest.withLock { $0 = s }
    }
    public var value: ClientStatistics? { latest.withLock { $0 } }
}

extension Session {
    /// A lab's state in this session, made with `make` on first use; it lives
    /// until the session disconnects. The one way a lab reaches its state.
    func lab<S: LabState>(_ type: S.Type, orMake make: () -> S) -> S {
        if let state = labState[ObjectIdentifier(type)] as? S { return state }
        let state = make()
        labState[ObjectIdentifier(type)] = state
        return state
    }

    /// A lab's state if a command has made it.
    func existingLab<S: LabState>(_ type: S.Type) -> S? { labState[ObjectIdentifier(type)] as? S }

    /// Puts a fresh state in place of the lab's current one (`sim` resets its model).
    func replaceLab<S: LabState>(_ state: S) { labState[ObjectIdentifier(S.self)] = state }
}

/// What `Session.askUser` read.
public enum UserReply: Equatable, Sendable {
    case line(String)
    /// Ctrl-C at the question.
    case interrupted
    /// Ctrl-D (or the end of input).
    case endOfInput
}
