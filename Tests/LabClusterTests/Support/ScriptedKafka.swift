import Foundation
import Kafka

@testable import Lab

/// A scripted stand-in for the compose cluster (Apache Kafka 3.9, KRaft, three
/// brokers 1..3 in containers kafka-1..3, controllers 101..103), for tests only.
///
/// Data goes through librdkafka's mock cluster (produce, consume, transactions
/// all run for real against it); what the mock cannot show is scripted here,
/// behind the seams the labs use (`ClusterClient` for metadata, watermarks,
/// topics, configs and groups; `ComposeControl` for `docker compose`), the way
/// Kafka 3.9 behaves:
/// - `docker compose stop`: a controlled shutdown; the broker leaves metadata and
///   every ISR at once, leadership moves to the first remaining in-sync replica.
/// - `docker compose kill`: the broker stays listed, and leads, for
///   `pollsUntilFenced` metadata polls; then it is fenced (gone, out of every ISR).
/// - `docker compose start`: the container runs at once; the broker registers
///   (appears in metadata) only after `pollsUntilRegistered` polls, and rejoins
///   the ISRs one poll later.
/// - A created topic is invisible for `pollsTopicHidden` polls.
/// - Transaction markers (`scriptMarkers`) reach the high watermark only
///   `markerDelayQueries` watermark queries after the data: until then the LSO
///   stays behind the HW.
/// - When a partition's ISR falls below its min.insync.replicas (default 2), the
///   next Produce answers NOT_ENOUGH_REPLICAS (injected into the mock once per
///   time the ISR falls: the mock cannot tell acks=1 from acks=all).
///
/// - A topic with cleanup.policy=compact is cleaned by a scripted log cleaner
///   (`ScriptedLogCleaner`, Kafka's rules) on reads after the first
///   `cleanerBackoffReads` (log.cleaner.backoff.ms, counted in reads).
/// - `docker compose exec` answers the `ls -ln` the `segments` command runs, as
///   busybox in the apache/kafka image prints it, for replicas on running containers.
/// - DescribeGroups answers `groupDescriptions`, else "Dead" with no members
///   (Kafka's answer for a group it does not know).
/// Offsets of scripted markers are appended after the mock's data, not
/// interleaved: tests check counts and bounds, not marker positions.
/// `@unchecked Sendable`: the protocols are Sendable because a real connection is
/// shared with watcher threads; a stand-in is scripted and queried from the one
/// test thread that drives its session, so its mutable script needs no lock.
final class ScriptedKafka: ClusterClient, ComposeControl, @unchecked Sendable {
    // Declared before `mock` so that it is released first.
    let admin: AdminClient
    let mock: EmbeddedCluster
    let file = "/stand-in/docker-compose.yml"
    var timeoutMs: Int32 { admin.timeoutMs }

    var pollsUntilFenced = 3
    var pollsUntilRegistered = 2
    var pollsTopicHidden = 1
    var markerDelayQueries = 2
    /// Wall time after which the mock (the data path) moves a killed broker's leadership.
    var fenceSeconds = 1.0
    var activeControllerId: Int32? = 102
    /// ListGroups: the groups each broker lists; a broker in `groupListingFailures` answers with that error.
    var groupsByBroker: [Int32: [GroupListing]] = [:]
    var groupListingFailures: [Int32: Int32] = [:]
    var groupDescriptions: [String: GroupDescription] = [:]
    /// Reads of a compacted partition before the cleaner's first pass.
    var cleanerBackoffReads = 1
    /// Per "topic/partition": the cleaner's state and how often the partition was read.
    var cleaners: [String: (cleaner: ScriptedLogCleaner, reads: Int)] = [:]
    var deletedTopics: Set<String> = []

    var composeCalls: [String] = []
    private(set) var metadataPolls = 0

    struct PartitionModel {
        var replicas: [Int32]
        var leader: Int32
        var isr: [Int32]
    }
    private struct MarkerScript {
        var thresholds: [Int64]
        var pending: [Int: Int] = [:]  // threshold index → queries left
        var visible = 0
    }

    var containers: [Int32: ContainerState] = [1: .running, 2: .running, 3: .running]
    private var registered: Set<Int32> = [1, 2, 3]
    private var fenceCountdown: [Int32: Int] = [:]
    private var registerCountdown: [Int32: Int] = [:]
    private var rejoinCountdown: [Int32: Int] = [:]
    private var hiddenTopics: [String: Int] = [:]
    var model: [String: [Int32: PartitionModel]] = [:]
    var topicConfigs: [String: [String: String]] = [:]
    private var markers: [String: MarkerScript] = [:]
    private var underMinIsr: Set<String> = []

    init() throws {
        mock = try EmbeddedCluster(brokers: 3)
        admin = try AdminClient(
            config: AdminClusterClient.bounded(
                AdminClusterClient.highWatermarkProperties(["bootstrap.servers": mock.bootstrap]), timeoutMs: 5_000),
            timeoutMs: 5_000)
    }

    /// A session-ready connection in compose mode whose cluster is this stand-in.
    func connection() -> ClusterConnection {
        ClusterConnection(
            standIn: self, admin: admin, control: .compose(ComposeAccess(standIn: self)), bootstrap: mock.bootstrap)
    }

    /// Markers of transactions on `topic/partition`: one is written after the
    /// mock's high watermark reaches each threshold (the end of each transaction's data).
    func scriptMarkers(topic: String, partition: Int32, afterMockOffsets thresholds: [Int64]) {
        markers["\(topic)/\(partition)"] = MarkerScript(thresholds: thresholds)
    }

    func isr(_ topic: String, _ partition: Int32) -> [Int32]? { model[topic]?[partition]?.isr }

    // MARK: ComposeControl

    func containerState(forBroker id: Int32) throws -> ContainerState { containers[id] ?? .missing }

    func perform(_ action: DockerCompose.Action, broker id: Int32) throws {
        composeCalls.append("\(action.rawValue) kafka-\(id)")
        defer { if action != .start { settleAdmin() } }
        switch action {
        case .stop:
            containers[id] = .notRunning("exited")
            try mock.stopBroker(id)
            try deregister(id)
        case .kill:
            containers[id] = .notRunning("exited")
            try mock.stopBroker(id)
            fenceCountdown[id] = pollsUntilFenced
            // A producer waiting on the dead leader polls the mock, not this script:
            // the mock moves leadership after `fenceSeconds` of wall time, as the
            // controller would after broker.session.timeout.ms.
            var moves: [(topic: String, partition: Int32, to: Int32)] = []
            for (topic, parts) in model {
                for (p, m) in parts where m.leader == id {
                    moves.append((topic, p, m.isr.first { $0 != id && registered.contains($0) } ?? -1))
                }
            }
            let mock = self.mock
            let planned = moves
            DispatchQueue.global().asyncAfter(deadline: .now() + fenceSeconds) {
                for m in planned { try? mock.setLeader(topic: m.topic, partition: m.partition, broker: m.to) }
            }
        case .start:
            containers[id] = .running
            try mock.startBroker(id)
            registerCountdown[id] = pollsUntilRegistered
        }
    }

    func activeController() throws -> Int32? { activeControllerId }

    // MARK: ClusterClient

    func metadata(timeoutMs: Int32?) throws -> ClusterMetadata {
        metadataPolls += 1
        try advance()
        let md = try admin.metadata(timeoutMs: timeoutMs)
        var topics: [TopicInfo] = []
        for t in md.topics where !deletedTopics.contains(t.name) {
            if let left = hiddenTopics[t.name], left > 0 {
                hiddenTopics[t.name] = left - 1
                continue
            }
            var parts: [PartitionInfo] = []
            for p in t.partitions {
                let m = try partitionModel(t.name, p)
                parts.append(
                    PartitionInfo(
                        id: p.id, leader: m.leader, replicas: m.replicas, isr: m.isr,
                        offlineReplicas: m.replicas.filter { !registered.contains($0) }))
            }
            topics.append(TopicInfo(name: t.name, partitions: parts))
        }
        updateProduceRefusals()
        return ClusterMetadata(
            brokers: md.brokers.filter { registered.contains($0.id) }, topics: topics,
            originBrokerId: registered.min() ?? -1)
    }

    func watermarks(topic: String, partition: Int32, timeoutMs: Int32?) throws -> Watermarks {
        let w = try admin.watermarks(topic: topic, partition: partition, timeoutMs: timeoutMs)
        let key = "\(topic)/\(partition)"
        guard var script = markers[key] else { return w }
        for index in script.visible..<script.thresholds.count where w.high >= script.thresholds[index] {
            let left = max(0, (script.pending[index] ?? markerDelayQueries + 1) - 1)
            script.pending[index] = left
        }
        while script.visible < script.thresholds.count, script.pending[script.visible] == 0 {
            script.pending[script.visible] = nil
            script.visible += 1
        }
        markers[key] = script
        return Watermarks(low: w.low, high: w.high + Int64(script.visible))
    }

    func lastStableOffset(topic: String, partition: Int32, timeoutMs: Int32?) throws -> Int64 {
        let key = "\(topic)/\(partition)"
        let high = try watermarks(topic: topic, partition: partition, timeoutMs: timeoutMs).high
        guard let script = markers[key], let open = script.pending.keys.min() else { return high }
        // The unresolved transaction began where the previous one's marker ended.
        let began = open == 0 ? 0 : script.thresholds[open - 1]
        return began + Int64(script.visible)
    }

    func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32, configs: [String: String]) throws {
        if deletedTopics.contains(name) {
            throw LabError.unsupported(
                "the stand-in cannot re-create deleted topic \(name) (the mock under it keeps its data)")
        }
        let listed = try admin.metadata().topic(name) != nil
        if model[name] != nil || listed {
            throw KafkaError(code: 36, message: "Topic '\(name)' already exists.")  // TOPIC_ALREADY_EXISTS
        }
        try mock.createTopic(name, partitions: partitions, replicationFactor: replicationFactor)
        topicConfigs[name] = configs
        hiddenTopics[name] = pollsTopicHidden
    }

    func describeTopicConfig(_ topic: String) throws -> [ConfigEntry] {
        let value = topicConfigs[topic]?["min.insync.replicas"]
        return [
            ConfigEntry(
                name: "min.insync.replicas", value: value ?? "2",
                source: value == nil ? "STATIC_BROKER_CONFIG" : "DYNAMIC_TOPIC_CONFIG",
                isDefault: false, isSensitive: false, isReadOnly: false)
        ]
    }

    func listGroups() throws -> GroupListings {
        var groups: [GroupListing] = []
        var errors: [KafkaError] = []
        for id in registered.sorted() {
            if let code = groupListingFailures[id] {
                errors.append(KafkaError(code: code))
            } else {
                groups += groupsByBroker[id] ?? []
            }
        }
        if groups.isEmpty, let first = errors.first { throw first }
        return GroupListings(groups: groups.sorted { $0.id < $1.id }, errors: errors)
    }

    func describeGroup(_ id: String) throws -> GroupDescription {
        groupDescriptions[id]
            ?? GroupDescription(
                id: id, state: "Dead", partitionAssignor: "", isSimple: false, coordinator: registered.min(),
                members: [])
    }

    func committedOffsets(group: String, partitions: [TopicPartition]) throws -> [TopicPartitionOffset] {
        try admin.committedOffsets(group: group, partitions: partitions)
    }

    func clusterId(timeoutMs: Int32) -> String? { "0rZpFfcFRxWgExCPnbz7jg" }

    /// KRaft: any live broker; never the active controller.
    func metadataControllerId(timeoutMs: Int32) -> Int32? { registered.max() }

    // MARK: The script

    /// Right after the mock closes a broker's connections, the admin handle may still
    /// send a request to it and wait out its time-out (a mock artefact; embedded mode
    /// does the same in `broker stop`): short requests let it notice first.
    private func settleAdmin() {
        for _ in 0..<5 { if (try? admin.metadata(timeoutMs: 1_000)) != nil { return } }
    }

    private func advance() throws {
        for (id, left) in fenceCountdown {
            if left <= 1 {
                fenceCountdown[id] = nil
                try deregister(id)
            } else {
                fenceCountdown[id] = left - 1
            }
        }
        for (id, left) in rejoinCountdown {
            if left <= 1 {
                rejoinCountdown[id] = nil
                try rejoin(id)
            } else {
                rejoinCountdown[id] = left - 1
            }
        }
        for (id, left) in registerCountdown {
            if left <= 1 {
                registerCountdown[id] = nil
                registered.insert(id)
                rejoinCountdown[id] = 1
            } else {
                registerCountdown[id] = left - 1
            }
        }
    }

    /// Leaves metadata and every ISR; leadership moves to the first remaining in-sync replica.
    private func deregister(_ id: Int32) throws {
        registered.remove(id)
        for (topic, parts) in model {
            for (p, var m) in parts {
                m.isr.removeAll { $0 == id }
                if m.leader == id {
                    m.leader = m.isr.first { registered.contains($0) } ?? -1
                    try mock.setLeader(topic: topic, partition: p, broker: m.leader)
                }
                model[topic]?[p] = m
            }
        }
    }

    /// Caught up: back in the ISR of its partitions; leads those that had no leader.
    private func rejoin(_ id: Int32) throws {
        for (topic, parts) in model {
            for (p, var m) in parts where m.replicas.contains(id) {
                if !m.isr.contains(id) { m.isr.append(id) }
                m.isr.sort()
                if m.leader < 0 {
                    m.leader = id
                    try mock.setLeader(topic: topic, partition: p, broker: id)
                }
                model[topic]?[p] = m
            }
        }
    }

    private func partitionModel(_ topic: String, _ p: PartitionInfo) throws -> PartitionModel {
        if let m = model[topic]?[p.id] { return m }
        var m = PartitionModel(
            replicas: p.replicas, leader: p.leader, isr: p.replicas.filter { registered.contains($0) })
        if !registered.contains(m.leader) {
            m.leader = m.isr.first ?? -1
            try mock.setLeader(topic: topic, partition: p.id, broker: m.leader)
        }
        model[topic, default: [:]][p.id] = m
        return m
    }

    private func updateProduceRefusals() {
        var now: Set<String> = []
        for (topic, parts) in model where !topic.hasPrefix("__") {
            let minIsr = Int(topicConfigs[topic]?["min.insync.replicas"] ?? "2") ?? 2
            for (p, m) in parts where m.leader >= 0 && m.isr.count < minIsr { now.insert("\(topic)/\(p)") }
        }
        if !now.subtracting(underMinIsr).isEmpty {
            mock.injectErrors(api: .produce, [19])  // NOT_ENOUGH_REPLICAS
        }
        if now.isEmpty && !underMinIsr.isEmpty { mock.clearInjectedErrors(api: .produce) }
        underMinIsr = now
    }
}
