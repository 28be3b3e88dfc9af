import Foundation
import Kafka

/// The cluster a session talks to: the embedded mock cluster it started, the
/// one a `kafkalab serve` process runs, or an external one reached by
/// bootstrap list (the compose cluster or any other).
/// Sendable: immutable, and its clients are thread-safe (so it can be
/// released on another thread).
public final class ClusterConnection: Sendable {
    // Declared before `control` so it is released first: an admin client
    // that outlives the cluster logs connection failures while shutting down.
    /// The session's admin handle, for connecting and for the dispatcher's
    /// cancellation only: the labs ask the cluster through `client`, the seam the
    /// tests' stand-in sits behind, so that every compose-mode path can be run here.
    let admin: AdminClient
    /// The cluster-facing calls of the labs (metadata, watermarks, groups, topic creation).
    public let client: any ClusterClient
    public let bootstrap: String
    /// What kind of cluster this is, with the handle that does what the Kafka
    /// protocol cannot (the mock's API, `docker compose`); labs ask it for capabilities.
    public let control: ClusterControl
    /// What `--cluster`, `--config` and `-X` set for every client on this
    /// connection (security above all). Clients get it only through
    /// `clientProperties(_:_:)` (ClusterConnection+ClientProperties.swift).
    public let profile: ClusterProfile

    public static let composeBootstrap = "localhost:19092,localhost:29092,localhost:39092"

    /// Starts an embedded cluster of `brokers` brokers and connects to it.
    /// `profile` is for tests only: the mock speaks neither TLS nor SASL.
    public init(
        embeddedBrokers brokers: Int, timeoutMs: Int32 = 10_000, profile: ClusterProfile = ClusterProfile()
    )
        throws
    {
        let cluster = try EmbeddedCluster(brokers: brokers)
        control = .inProcessMock(cluster)
        bootstrap = cluster.bootstrap
        self.profile = profile
        let real = try AdminClusterClient(base: Self.clientProperties(.admin, bootstrap, profile), timeoutMs: timeoutMs)
        admin = real.admin
        client = real
    }

    /// A connection in compose (or external) mode whose cluster-facing calls go
    /// to `client` and whose compose control is `control`'s, with clients
    /// connecting to `bootstrap` for data. Internal on purpose: only tests
    /// (`@testable`) reach it, with a scripted stand-in; the shell can never connect to one.
    init(standIn client: any ClusterClient, admin: AdminClient, control: ClusterControl, bootstrap: String) {
        self.client = client
        self.admin = admin
        self.control = control
        self.bootstrap = bootstrap
        profile = ClusterProfile()
    }

    /// Connects to an external cluster and checks within `timeoutMs` that it
    /// answers; throws a one-line error if it does not.
    /// `cancellation` (Ctrl-C) ends the wait for the cluster's answer within a quarter of a second.
    public init(
        bootstrap: String, profile: ClusterProfile = ClusterProfile(), timeoutMs: Int32 = 10_000,
        cancellation: Cancellation? = nil
    ) throws {
        guard !bootstrap.isEmpty, bootstrap.split(separator: ",").allSatisfy({ $0.contains(":") }) else {
            throw LabError.invalid("bootstrap must be HOST:PORT[,HOST:PORT...], not '\(bootstrap)'")
        }
        self.bootstrap = bootstrap
        let hosts = Set(bootstrap.split(separator: ",").map(String.init))
        if let served = ServeDiscovery.find(bootstrap: bootstrap) {
            control = .servedMock(served)
        } else if hosts.contains("localhost:19092") || hosts.contains("127.0.0.1:19092") {
            control = .compose(ComposeAccess())
        } else {
            control = .other
        }
        self.profile = profile
        let real = try AdminClusterClient(base: Self.clientProperties(.admin, bootstrap, profile), timeoutMs: timeoutMs)
        admin = real.admin
        client = real
        // Asked in short slices so that Ctrl-C is heard while nothing answers.
        let deadline = Date().addingTimeInterval(Double(timeoutMs) / 1000)
        while true {
            do {
                _ = try admin.metadata(timeoutMs: Int32(max(50, min(250, deadline.timeIntervalSinceNow * 1000))))
                break
            } catch let e as KafkaError {
                if cancellation?.isCancelled == true { throw LabError.interrupted }
                if Date() >= deadline {
                    throw LabError.invalid(
                        "cannot reach \(bootstrap) within \(Arguments.formatDuration(Double(timeoutMs) / 1000)) (\(e.name)); is the cluster running? (`docker compose up -d` for the project's cluster)"
                    )
                }
            }
        }
    }

    /// Nil when this cluster can do `capability`; otherwise one line saying why not.
    public func cannot(_ capability: ClusterCapability) -> String? { control.cannot(capability) }

    /// Whether this cluster can do `capability`.
    public func can(_ capability: ClusterCapability) -> Bool { control.can(capability) }

    /// The prompt's cluster label, e.g. `embedded:3`, `served:3` or `compose`.
    public var label: String {
        switch control {
        case .inProcessMock(let cluster): "embedded:\(cluster.brokerCount)"
        case .servedMock(let cluster): "served:\(cluster.brokerCount)"
        case .compose: "compose"
        case .other: bootstrap.split(separator: ",").first.map(String.init) ?? bootstrap
        }
    }

    /// Creates a topic through the Admin API, or the mock API on the embedded
    /// cluster (which has no CreateTopics and ignores topic configs). A
    /// cluster whose metadata names no controller cannot answer CreateTopics:
    /// that fails at once, in one line, instead of after the request time-out.
    public func createTopic(
        _ name: String, partitions: Int32, replicationFactor: Int32, configs: [String: String]
    ) throws {
        if let mock = control.mock {
            try mock.createTopic(name, partitions: partitions, replicationFactor: replicationFactor)
            try electLiveLeaders(of: name, in: mock)
        } else {
            let brokers = try client.metadata().brokers.map(\.id)
            let controller = client.metadataControllerId(timeoutMs: client.timeoutMs)
            if controller.map(brokers.contains) != true,
                let refusal = Self.cannotCreateTopics(
                    controller: controller, brokers: brokers,
                    clusterId: client.clusterId(timeoutMs: 1_000), bootstrap: bootstrap)
            {
                throw LabError.unsupported(refusal)
            }
            try client.createTopic(name, partitions: partitions, replicationFactor: replicationFactor, configs: configs)
        }
    }

    /// Creates the topic if the metadata does not list it, then waits (bounded)
    /// until the metadata lists it with every partition led: in KRaft the
    /// brokers apply a new topic asynchronously, so a client right after
    /// CreateTopics may not see it yet. `created` says whether this call made it.
    public func ensureTopic(
        _ name: String, partitions: Int32, replicationFactor: Int32,
        configs: [String: String] = [:], waitSeconds: Double = 10,
        cancellation: Cancellation? = nil
    ) throws -> (topic: TopicInfo, created: Bool) {
        var created = false
        if try client.metadata().topic(name) == nil {
            try createTopic(name, partitions: partitions, replicationFactor: replicationFactor, configs: configs)
            created = true
        }
        let clock = client.clock
        let deadline = clock.now + waitSeconds
        while true {
            if let t = try? client.metadata().topic(name), !t.partitions.isEmpty {
                let complete = t.partitions.count == Int(partitions) && t.partitions.allSatisfy { $0.leader >= 0 }
                if !created || complete { return (t, created) }
            }
            if cancellation?.isCancelled == true { throw LabError.interrupted }
            if clock.now > deadline {
                throw LabError.invalid(
                    "\(created ? "created" : "found") \(name), but the metadata did not list it with \(partitions) led partition(s) within \(Int(waitSeconds)) s; `topic describe \(name)` shows where it stands"
                )
            }
            clock.sleep(0.1)
        }
    }

    /// Why CreateTopics cannot succeed here, or nil when it can be tried:
    /// librdkafka sends it to the controller, and waits the whole time-out for
    /// one when Metadata names none among the brokers (librdkafka's mock says 0).
    static func cannotCreateTopics(
        controller: Int32?, brokers: [Int32], clusterId: String?, bootstrap: String
    ) -> String? {
        if let controller, brokers.contains(controller) { return nil }
        let named = controller.map { "controller id \($0)" } ?? "no controller id"
        if clusterId?.hasPrefix("mockCluster") == true {
            return
                "cannot create topics on \(bootstrap): it is librdkafka's mock cluster (id \(clusterId!), \(named)), which has no CreateTopics, and no `kafkalab serve` control channel on this machine serves it; serve it with `kafkalab serve` or create topics in the process that runs it"
        }
        return
            "cannot create topics on \(bootstrap): its metadata names \(named), not one of its brokers (\(brokers.sorted().map(String.init).joined(separator: ","))), so CreateTopics has no controller to go to"
    }

    /// The mock hands out leadership of a new topic's partitions round-robin,
    /// stopped brokers included; a KRaft controller never would, and librdkafka
    /// then waits on the dead leader far past any time-out. Leadership goes to
    /// the first live replica instead (none: the partition stays offline).
    private func electLiveLeaders(of topic: String, in mock: any MockClusterControl) throws {
        let stopped = mock.stoppedBrokers
        guard !stopped.isEmpty else { return }
        let md = try client.metadata()
        guard let info = md.topic(topic) else { return }
        let states = info.partitions.map {
            PartitionState(topic: topic, partition: $0.id, leader: $0.leader, replicas: $0.replicas, isr: $0.isr)
        }
        for move in LeaderElection.movesAway(from: stopped, down: stopped, partitions: states) {
            try mock.setLeader(topic: move.topic, partition: move.partition, broker: move.to)
        }
    }

    /// Whether a TCP connection to `host:port` opens within `timeout` seconds.
    public static func isReachable(host: String, port: UInt16, timeout: Double) -> Bool {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var info: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &info) == 0, let info else { return false }
        defer { freeaddrinfo(info) }
        let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let flags = fcntl(fd, F_GETFL, 0)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        let rc = connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen)
        if rc == 0 { return true }
        guard errno == EINPROGRESS else { return false }
        var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&pfd, 1, Int32(timeout * 1000)) == 1 else { return false }
        var soError: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &len)
        return soError == 0
    }
}
