import Foundation
import Kafka

/// What the session can do to its cluster besides speaking the Kafka protocol:
/// one case per kind of cluster, each carrying the handle that does it. A lab
/// asks for a capability (`cannot(.stopBrokers)`) instead of checking a kind,
/// and the answer says in one line why this cluster cannot.
public enum ClusterControl: Sendable {
    /// librdkafka's mock cluster, started in this process.
    case inProcessMock(EmbeddedCluster)
    /// The mock a `kafkalab serve` process runs, controlled through its channel.
    case servedMock(ServedCluster)
    /// The project's docker-compose cluster, whose containers `docker compose` controls.
    case compose(ComposeAccess)
    /// Any other cluster: the Kafka protocol only.
    case other

    /// The mock's own API (in this process or served): create topics, stop brokers,
    /// move leaders, inject errors. Nil on a real cluster.
    public var mock: (any MockClusterControl)? {
        switch self {
        case .inProcessMock(let cluster): cluster
        case .servedMock(let cluster): cluster
        case .compose, .other: nil
        }
    }

    /// librdkafka's mock, in this process or served: the labs treat both alike,
    /// and where the mock behaves unlike Kafka (timings, ignored settings) they say so.
    public var isMock: Bool { mock != nil }

    /// The one line for an in-process mock whose thread has ended (a signal
    /// in its poll used to end it): nil while it runs, and on any other cluster.
    public var endedMessage: String? {
        if case .inProcessMock(let cluster) = self, !cluster.isRunning { return EmbeddedCluster.endedMessage }
        return nil
    }

    /// Brokers kafkalab stopped on the mock (it keeps them in metadata); empty on
    /// a real cluster, whose metadata drops a stopped broker itself.
    public var stoppedBrokers: Set<Int32> { mock?.stoppedBrokers ?? [] }

    /// The kind's name in JSON documents and reports: embedded, served, compose or external.
    public var name: String {
        switch self {
        case .inProcessMock: "embedded"
        case .servedMock: "served"
        case .compose: "compose"
        case .other: "external"
        }
    }

    /// Nil when this cluster can do `capability`; otherwise one line saying why not.
    public func cannot(_ capability: ClusterCapability) -> String? {
        switch (capability, self) {
        case (.stopBrokers, .other):
            "kafkalab controls brokers only on the embedded and the project's compose cluster"
        case (.injectErrors, .compose), (.injectErrors, .other):
            "only librdkafka's mock (the embedded cluster) can be told to fail or delay requests; a real broker answers for itself"
        case (.describeGroups, .inProcessMock), (.describeGroups, .servedMock):
            "the embedded cluster cannot list or describe groups (no ListGroups/DescribeGroups)"
        case (.deleteTopics, .inProcessMock), (.deleteTopics, .servedMock):
            "the embedded cluster cannot delete topics (librdkafka's mock has no DeleteTopics)"
        case (.topicConfigs, .inProcessMock), (.topicConfigs, .servedMock):
            "the embedded cluster has no topic configs (librdkafka's mock ignores them)"
        case (.replication, .inProcessMock), (.replication, .servedMock):
            "the embedded cluster runs no replication: its ISR always equals the replica list"
        case (.segmentFiles, .inProcessMock), (.segmentFiles, .servedMock):
            "the embedded cluster keeps partitions in memory"
        case (.segmentFiles, .other):
            "segment files live on the brokers' disks; kafkalab reaches them only on the project's compose cluster"
        case (.logCleaner, .inProcessMock), (.logCleaner, .servedMock):
            "librdkafka's mock has no log cleaner and ignores topic configs, so nothing is ever compacted here"
        case (.transactionMarkers, .inProcessMock), (.transactionMarkers, .servedMock):
            "the embedded cluster writes no transaction markers"
        case (.askQuorum, .inProcessMock), (.askQuorum, .servedMock):
            "the mock runs no KRaft quorum, so there is no controller"
        case (.askQuorum, .other):
            "kafkalab asks the KRaft quorum only on the project's compose cluster, inside a controller container"
        default: nil
        }
    }

    /// Whether this cluster can do `capability` (`cannot` says why not).
    public func can(_ capability: ClusterCapability) -> Bool { cannot(capability) == nil }
}

/// What a lab may ask of its cluster; `ClusterControl.cannot(_:)` answers.
public enum ClusterCapability: String, Sendable, CaseIterable {
    /// Stop, kill and start brokers (`broker stop|kill|start`).
    case stopBrokers
    /// Make requests fail or answer late on purpose.
    case injectErrors
    /// ListGroups and DescribeGroups (members, hosts, client ids).
    case describeGroups
    /// DeleteTopics.
    case deleteTopics
    /// Topic configs stored and enforced (min.insync.replicas, cleanup.policy, ...).
    case topicConfigs
    /// Followers that replicate, so that the ISR, acks and min.insync.replicas mean something.
    case replication
    /// Segment files kafkalab can list on the brokers' disks.
    case segmentFiles
    /// A log cleaner that compacts.
    case logCleaner
    /// Commit and abort markers written to the log.
    case transactionMarkers
    /// The active KRaft controller, named by the quorum.
    case askQuorum
}

/// How the session reaches the compose cluster's containers: docker on PATH with
/// the compose file, or the stand-in a test gave (which runs no docker).
public struct ComposeAccess: Sendable {
    /// Set only by tests (`@testable`): compose control that does not run docker.
    let standIn: (any ComposeControl)?

    public init() { standIn = nil }

    init(standIn: any ComposeControl) { self.standIn = standIn }

    /// What runs `docker compose` to do `action` to `brokers` (one-line error when
    /// docker or the compose file is missing, worded for that action).
    public func control(
        composeFile: String?, action: DockerCompose.Action, brokers: [Int32],
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> any ComposeControl {
        if let standIn { return standIn }
        return try DockerCompose.locate(
            composeFile: composeFile, action: action, brokers: brokers, environment: environment)
    }

    /// The same, for any other use of the compose cluster (`purpose` and `example` word the error).
    public func control(
        composeFile: String?, purpose: String, example: (String) -> String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> any ComposeControl {
        if let standIn { return standIn }
        return try DockerCompose.locate(
            composeFile: composeFile, purpose: purpose, example: example, environment: environment)
    }
}
