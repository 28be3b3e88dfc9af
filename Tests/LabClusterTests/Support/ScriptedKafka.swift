import Foundation
import Kafka
import Synchronization
import TestSupport

@testable import Lab

/// A scripted stand-in for the compose cluster (Apache Kafka 3.9, KRaft, three
/// brokers 1..3 in containers kafka-1..3, controllers 101..103), for tests only.
///
/// Data goes through librdkafka's mock cluster (produce, consume, transactions
/// all run for real against it); what the mock cannot show is scripted here,
/// behind the seams the labs use (`ClusterClient` for metadata, watermarks,
/// topics, configs and groups; `ComposeControl` for `docker compose`).
///
/// Time is Kafka's, on a scripted clock (`clock`, milliseconds): the labs' bounded
/// waits pause on it (`ClusterClient.clock`), which moves it on at once, and a test
/// moves it with `clock.advance`. What the controller and the leaders decide comes
/// from `KafkaReplicationRules`, the rules the `sim` model uses too:
/// - `docker compose stop`: a controlled shutdown; the broker is fenced at once: out
///   of metadata and every ISR (the last ISR member stays), leadership moves to the
///   first live ISR member in replica order, or nowhere (no unclean election).
/// - `docker compose kill`: the broker stays registered, listed, in its ISRs and
///   leading until broker.session.timeout.ms (`sessionTimeoutMs`, 9 s) after its
///   last heartbeat; then it is fenced as above.
/// - `docker compose start`: the container runs at once; the broker registers
///   `startupMs` later, but not while its previous session is valid (a quick
///   restart after a kill waits for the fence). Registered, it fetches every
///   `fetchIntervalMs` and rejoins an ISR once it has caught up (its LEO reaches the
///   leader's HW and the start of the leader's epoch).
/// - `stallFetches(of:)`: a follower that runs and heartbeats but stops fetching
///   leaves the ISR at the leader's next shrink check after replica.lag.time.max.ms
///   (`lagTimeMaxMs`, 30 s; checks every lag/2, so 30-45 s later).
/// - A created topic is invisible for `topicPropagationMs`.
/// - Transactions run as Kafka's coordinator runs them (`transactions`,
///   `KafkaTransactionCoordinator`, the proxy's second interceptor): a second
///   init_transactions with a transactional.id fences the first producer, EndTxn
///   writes real commit/abort markers into the log `markerDelayMs` later, a transaction
///   open past its transaction.timeout.ms on `clock` is aborted and its producer fenced,
///   and read_committed fetches and ListOffsets see the last stable offset and the
///   aborted transactions, where the mock alone reports LSO = HW and lists none.
/// - Clients reach the mock through a protocol proxy (`proxy`, `KafkaWireProxy`:
///   the session's bootstrap is the proxy's, and its Metadata and FindCoordinator
///   answers name the proxy's listeners). While a partition's ISR is below its
///   min.insync.replicas (default 2; 2 for the internal topics), the proxy answers
///   every acks=all Produce to it NOT_ENOUGH_REPLICAS (acks=1 and acks=0 go
///   through), and, for a short __consumer_offsets or __transaction_state
///   partition, the coordinator calls that write to it (offset commits for its
///   groups, transactional calls for its transactional ids) COORDINATOR_NOT_AVAILABLE
///   (`KafkaMinIsrRefusal`, which cites Kafka's source). A group's or transactional
///   id's coordinator is the current leader of its internal partition, as in Kafka
///   (`ProxyView`; the mock would pick a broker by a hash of the key, stopped or not).
/// - A topic with cleanup.policy=compact is cleaned by a scripted log cleaner
///   (`ScriptedLogCleaner`, Kafka's rules) on reads after the first
///   `cleanerBackoffReads` (log.cleaner.backoff.ms, counted in reads).
/// - `docker compose exec` answers the `ls -ln` the `segments` command runs, as
///   busybox in the apache/kafka image prints it, for replicas on running containers.
/// - DescribeGroups answers `groupDescriptions`, else "Dead" with no members
///   (Kafka's answer for a group it does not know).
/// `@unchecked Sendable`: the protocols are Sendable because a real connection is
/// shared with watcher threads; a stand-in is scripted and queried from the one
/// test thread that drives its session, so its mutable script needs no lock. The
/// proxy's threads read only `proxyView`, which is behind mutexes and which the
/// test thread republishes whenever the model or the topic configs change.
final class ScriptedKafka: ClusterClient, ComposeControl, @unchecked Sendable {
    // Declared before `mock` so that they are released first.
    let admin: AdminClient
    /// A read_committed admin handle through the proxy: the LSO as a client asks for it.
    let committedAdmin: AdminClient
    /// Between the labs' clients and the mock: refuses what Kafka refuses below min ISR,
    /// and runs transactions as Kafka's coordinator does.
    let proxy: KafkaWireProxy
    let minIsrRefusal: KafkaMinIsrRefusal
    let transactions: KafkaTransactionCoordinator
    let mock: EmbeddedCluster
    let file = "/stand-in/docker-compose.yml"
    var timeoutMs: Int32 { admin.timeoutMs }

    /// Kafka's time for this cluster; the labs pause on it.
    let scriptedClock = ScriptedClock()
    var clock: any LabClock { scriptedClock }
    var nowMs: Int { scriptedClock.nowMs }

    /// broker.session.timeout.ms (Kafka's default).
    var sessionTimeoutMs = 9_000
    /// replica.lag.time.max.ms (Kafka's default).
    var lagTimeMaxMs = 30_000
    /// From `docker compose start` to the broker's registration request (JVM start, log recovery).
    var startupMs = 3_000
    /// A refused registration (the old session still valid) is retried with backoff,
    /// and a new registration is fenced until its first heartbeat: from the old
    /// session's expiry to the broker being listed again.
    var reRegistrationMs = 1_000
    /// A follower's fetch interval while it catches up (replica.fetch.wait.max.ms).
    var fetchIntervalMs = 500
    /// From CreateTopics to every broker having applied the new topic.
    var topicPropagationMs = 300
    /// From EndTxn to its markers in the log.
    var markerDelayMs: Int {
        get { transactions.markerDelayMs }
        set { transactions.markerDelayMs = newValue }
    }
    /// Wall time after which the mock (the data path) moves a killed broker's leadership.
    var fenceSeconds = 1.0
    /// Wall milliseconds a leader holds its next Produce answer once a follower in its
    /// ISR was killed (Kafka: until the fence). 0 by default, to keep the suite fast:
    /// the mock under the stand-in acknowledges without its followers.
    var killedFollowerHoldsWritesMs: Int32 = 0
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
    /// Metadata poll number → milliseconds of Kafka's time that pass just before it:
    /// the time a command spends waiting on the mock in wall time (a stalled delivery).
    var advanceAtPoll: [Int: Int] = [:]

    /// The coordinators' logs, as a used compose cluster lists them: replication
    /// factor 3, min.insync.replicas 2 (docker-compose.yml), Kafka's 50 partitions
    /// each. Only metadata here (the mock's coordinators keep no such topics): their
    /// ISRs follow the brokers by the same rules, for the labs' checks to read.
    static let internalTopics = ["__consumer_offsets", "__transaction_state"]
    static let internalPartitionCount = 50
    var internalPartitions: Int { Self.internalPartitionCount }

    struct PartitionModel {
        var replicas: [Int32]
        var leader: Int32
        var isr: [Int32]
        /// Where the current leader's epoch began (the mock's end offset when it took over).
        var leaderEpochStartOffset: Int64 = 0
        /// Per follower: its log end offset as the leader last saw it, and when it last caught up.
        var followerLeo: [Int32: Int64] = [:]
        var lastCaughtUpMs: [Int32: Int] = [:]
    }

    var containers: [Int32: ContainerState] = [1: .running, 2: .running, 3: .running]
    /// Registered and unfenced: listed in metadata, eligible for ISRs and leadership.
    private(set) var registered: Set<Int32> = [1, 2, 3]
    /// Crashed brokers still registered: when each sent its last heartbeat.
    private var crashedAtMs: [Int32: Int] = [:]
    /// Started containers not yet registered: when each registers.
    private var registerAtMs: [Int32: Int] = [:]
    /// Registered brokers that catch up: when each fetches next.
    private var nextFetchMs: [Int32: Int] = [:]
    /// Followers that run but do not fetch (`stallFetches`).
    private var stalled: Set<Int32> = []
    private var topicVisibleAtMs: [String: Int] = [:]
    var model: [String: [Int32: PartitionModel]] = [:] { didSet { publishToProxy() } }
    var topicConfigs: [String: [String: String]] = [:] { didSet { publishToProxy() } }
    /// What the proxy's threads know of the model: refused partitions, coordinators.
    private let proxyView: ProxyView

    /// `interceptors` see each client request after the stand-in's own (coordinator
    /// placement, then the min-ISR refusals), in this order.
    init(interceptors: [any KafkaWireInterceptor] = []) throws {
        mock = try EmbeddedCluster(brokers: 3)
        let view = ProxyView(mock: mock, internalPartitions: Int32(Self.internalPartitionCount))
        proxyView = view
        minIsrRefusal = KafkaMinIsrRefusal(internalPartitions: view.internalPartitions) { topic, partition in
            view.refuses(topic, partition)
        }
        let clock = scriptedClock
        transactions = KafkaTransactionCoordinator(
            upstreams: mock.bootstrap, markerDelayMs: 200, nowMs: { clock.nowMs })
        // A refused request never reaches the transaction coordinator, as on Kafka.
        proxy = try KafkaWireProxy(
            upstreams: mock.bootstrap,
            interceptors: [CoordinatorPlacement(view: view), minIsrRefusal, transactions] + interceptors)
        admin = try AdminClient(
            config: AdminClusterClient.bounded(
                AdminClusterClient.highWatermarkProperties(["bootstrap.servers": mock.bootstrap]), timeoutMs: 5_000),
            timeoutMs: 5_000)
        committedAdmin = try AdminClient(
            config: AdminClusterClient.bounded(
                [
                    "bootstrap.servers": proxy.bootstrap, "client.id": "kafkalab-admin-lso",
                    "isolation.level": "read_committed",
                ], timeoutMs: 5_000),
            timeoutMs: 5_000)
        // Markers fall due on Kafka's time: a lab's pause on the clock writes them.
        scriptedClock.afterAdvance { [weak transactions = self.transactions] in transactions?.writeDueMarkers() }
    }

    deinit {
        // Its listeners and connection threads end here, before the mock goes.
        proxy.stop()
    }

    /// A session-ready connection in compose mode whose cluster is this stand-in.
    func connection() -> ClusterConnection {
        ClusterConnection(
            standIn: self, admin: admin, control: .compose(ComposeAccess(standIn: self)), bootstrap: proxy.bootstrap)
    }

    func isr(_ topic: String, _ partition: Int32) -> [Int32]? { model[topic]?[partition]?.isr }

    /// Moves Kafka's time on by `ms` and lets the cluster act on it (fencing,
    /// registration, catching up, ISR shrinks, transaction markers), as a metadata poll would see it.
    func advance(ms: Int) throws {
        scriptedClock.advance(ms: ms)
        try catchUp()
    }

    /// Broker `id` keeps running and heartbeating but stops fetching (a network
    /// partition between it and the leaders): the leaders drop it from their ISRs
    /// after replica.lag.time.max.ms. `resumeFetches` lets it catch up again.
    func stallFetches(of id: Int32) throws {
        try catchUp()
        stalled.insert(id)
        // Caught up until now: its last fetch reached the leader's end.
        for (topic, parts) in model {
            for (p, m) in parts where m.isr.contains(id) && m.leader != id {
                model[topic]?[p]?.lastCaughtUpMs[id] = nowMs
            }
        }
    }

    func resumeFetches(of id: Int32) throws {
        try catchUp()
        stalled.remove(id)
        if registered.contains(id) { nextFetchMs[id] = nowMs }
    }

    // MARK: ComposeControl

    func containerState(forBroker id: Int32) throws -> ContainerState { containers[id] ?? .missing }

    func perform(_ action: DockerCompose.Action, broker id: Int32) throws {
        try catchUp()
        composeCalls.append("\(action.rawValue) kafka-\(id)")
        defer { if action != .start { settleAdmin() } }
        switch action {
        case .stop:
            registerAtMs[id] = nil
            noteFollowerLogEnds(of: id)
            containers[id] = .notRunning("exited")
            try mock.stopBroker(id)
            try fence(id)
        case .kill:
            noteFollowerLogEnds(of: id)
            containers[id] = .notRunning("exited")
            try mock.stopBroker(id)
            registerAtMs[id] = nil
            nextFetchMs[id] = nil
            if registered.contains(id) { crashedAtMs[id] = nowMs }
            if killedFollowerHoldsWritesMs > 0 {
                let leaders = Set(
                    model.filter { !Self.internalTopics.contains($0.key) }.values.flatMap(\.values)
                        .filter { $0.isr.contains(id) && $0.leader != id && $0.leader >= 0 }.map(\.leader))
                for leader in leaders {
                    try? mock.delayNextResponse(
                        broker: leader, api: .produce, milliseconds: killedFollowerHoldsWritesMs)
                }
            }
            // A producer waiting on the dead leader polls the mock, not this script:
            // the mock moves leadership after `fenceSeconds` of wall time, as the
            // controller would after broker.session.timeout.ms.
            var moves: [(topic: String, partition: Int32, to: Int32)] = []
            for (topic, parts) in model {
                for (p, m) in parts where m.leader == id && !Self.internalTopics.contains(topic) {
                    let next = KafkaReplicationRules.electLeader(
                        replicas: m.replicas.map(Int.init), isr: m.isr.map(Int.init), current: nil, unclean: false,
                        isAlive: { $0 != Int(id) && self.registered.contains(Int32($0)) })
                    moves.append((topic, p, next.map { Int32($0.leader) } ?? -1))
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
            // Its registration is refused, and retried, while the old session is valid.
            var at = nowMs + startupMs
            if let crashed = crashedAtMs[id],
                !KafkaReplicationRules.mayRegister(
                    previousFenced: false, lastHeartbeatMs: crashed, sessionTimeoutMs: sessionTimeoutMs, nowMs: at)
            {
                at =
                    KafkaReplicationRules.fenceTime(lastHeartbeatMs: crashed, sessionTimeoutMs: sessionTimeoutMs)
                    + reRegistrationMs
            }
            registerAtMs[id] = at
        }
    }

    func activeController() throws -> Int32? { activeControllerId }

    // MARK: ClusterClient

    func metadata(timeoutMs: Int32?) throws -> ClusterMetadata {
        metadataPolls += 1
        if let due = advanceAtPoll.removeValue(forKey: metadataPolls) { scriptedClock.advance(ms: due) }
        try catchUp()
        let md = try admin.metadata(timeoutMs: timeoutMs)
        var topics: [TopicInfo] = []
        for t in md.topics where !deletedTopics.contains(t.name) {
            if let visible = topicVisibleAtMs[t.name], nowMs < visible { continue }
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
        for name in Self.internalTopics {
            var parts: [PartitionInfo] = []
            for id in 0..<Int32(internalPartitions) {
                let placed = PartitionInfo(
                    id: id, leader: id % 3 + 1, replicas: [1, 2, 3], isr: [1, 2, 3], offlineReplicas: [])
                let m = try partitionModel(name, placed)
                parts.append(
                    PartitionInfo(
                        id: id, leader: m.leader, replicas: m.replicas, isr: m.isr,
                        offlineReplicas: m.replicas.filter { !registered.contains($0) }))
            }
            topics.append(TopicInfo(name: name, partitions: parts))
        }
        return ClusterMetadata(
            brokers: md.brokers.filter { registered.contains($0.id) }, topics: topics,
            originBrokerId: registered.min() ?? -1)
    }

    func watermarks(topic: String, partition: Int32, timeoutMs: Int32?) throws -> Watermarks {
        if Self.internalTopics.contains(topic) { return Watermarks(low: 0, high: 0) }
        transactions.writeDueMarkers()
        return try admin.watermarks(topic: topic, partition: partition, timeoutMs: timeoutMs)
    }

    /// ListOffsets "latest" with read_committed, through the proxy, as a client asks.
    func lastStableOffset(topic: String, partition: Int32, timeoutMs: Int32?) throws -> Int64 {
        if Self.internalTopics.contains(topic) { return 0 }
        transactions.writeDueMarkers()
        return try committedAdmin.watermarks(topic: topic, partition: partition, timeoutMs: timeoutMs).high
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
        topicVisibleAtMs[name] = nowMs + topicPropagationMs
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

    private enum Event {
        // In this order when due at the same time.
        case fence(Int32)
        case register(Int32)
        case fetch(Int32)
        case shrink(topic: String, partition: Int32, follower: Int32)

        var rank: Int {
            switch self {
            case .fence: 0
            case .register: 1
            case .fetch: 2
            case .shrink: 3
            }
        }
    }

    /// What the cluster does next on its own, and when.
    private func nextEvent() -> (atMs: Int, event: Event)? {
        var due: [(Int, Event)] = []
        for (id, crashed) in crashedAtMs {
            due.append(
                (
                    KafkaReplicationRules.fenceTime(lastHeartbeatMs: crashed, sessionTimeoutMs: sessionTimeoutMs),
                    .fence(id)
                ))
        }
        for (id, at) in registerAtMs { due.append((at, .register(id))) }
        for (id, at) in nextFetchMs where !stalled.contains(id) { due.append((at, .fetch(id))) }
        for (topic, parts) in model {
            for (p, m) in parts where registered.contains(m.leader) && crashedAtMs[m.leader] == nil {
                for f in m.isr where f != m.leader && (stalled.contains(f) || crashedAtMs[f] != nil) {
                    let at = KafkaReplicationRules.shrinkTime(
                        lastCaughtUpMs: m.lastCaughtUpMs[f] ?? 0, checksStartedAtMs: 0, maxLagMs: lagTimeMaxMs)
                    due.append((at, .shrink(topic: topic, partition: p, follower: f)))
                }
            }
        }
        return due.min { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1.rank < $1.1.rank }
    }

    /// Lets the cluster do, in time order, whatever fell due up to now.
    private func catchUp() throws {
        while let (at, event) = nextEvent(), at <= nowMs {
            switch event {
            case .fence(let id):
                try fence(id)
            case .register(let id):
                try register(id, at: at)
            case .fetch(let id):
                try fetch(id, at: at)
            case .shrink(let topic, let p, let f):
                model[topic]?[p]?.isr.removeAll { $0 == f }
            }
        }
    }

    /// The controller fences `id` (a controlled shutdown, or a session that timed
    /// out): out of metadata and of every ISR but as its last member; partitions it
    /// led elect the first live ISR member in replica order, or go offline.
    private func fence(_ id: Int32) throws {
        registered.remove(id)
        crashedAtMs[id] = nil
        nextFetchMs[id] = nil
        for (topic, parts) in model {
            for (p, var m) in parts where m.replicas.contains(id) {
                m.isr = KafkaReplicationRules.isr(m.isr.map(Int.init), without: Int(id)).map(Int32.init)
                if m.leader == id { try elect(&m, topic, p) }
                model[topic]?[p] = m
            }
        }
    }

    /// Registered: listed again, leads offline partitions whose ISR it is in, and
    /// starts fetching to catch up.
    private func register(_ id: Int32, at: Int) throws {
        registerAtMs[id] = nil
        registered.insert(id)
        for (topic, parts) in model {
            for (p, var m) in parts where m.leader < 0 && m.replicas.contains(id) {
                try elect(&m, topic, p)
                model[topic]?[p] = m
            }
        }
        nextFetchMs[id] = at
    }

    /// One fetch by a follower catching up: the leader notes the offset it asked
    /// from, and takes it into the ISR once that reaches the HW and the start of
    /// the leader's epoch; the follower then holds what the leader had.
    private func fetch(_ id: Int32, at: Int) throws {
        var behind = false
        for (topic, parts) in model {
            for (p, var m) in parts where m.replicas.contains(id) && m.leader >= 0 && m.leader != id {
                guard !m.isr.contains(id) else { continue }
                // A crashed leader answers no fetch until it is fenced and another leads.
                guard crashedAtMs[m.leader] == nil else {
                    behind = true
                    continue
                }
                let end = logEnd(topic, p) ?? 0
                let offset = m.followerLeo[id] ?? 0
                if KafkaReplicationRules.mayJoinIsr(
                    followerLeo: Int(offset), leaderHighWatermark: Int(end),
                    leaderEpochStartOffset: Int(m.leaderEpochStartOffset))
                {
                    m.isr.append(id)
                    m.lastCaughtUpMs[id] = at
                } else {
                    behind = true
                }
                m.followerLeo[id] = end
                model[topic]?[p] = m
            }
        }
        nextFetchMs[id] = behind ? at + fetchIntervalMs : nil
    }

    /// The controller's election for `m`, applied to the mock (the data path).
    private func elect(_ m: inout PartitionModel, _ topic: String, _ p: Int32) throws {
        let choice = KafkaReplicationRules.electLeader(
            replicas: m.replicas.map(Int.init), isr: m.isr.map(Int.init), current: nil, unclean: false,
            isAlive: { self.registered.contains(Int32($0)) })
        let leader = choice.map { Int32($0.leader) } ?? -1
        guard leader != m.leader else { return }
        m.leader = leader
        // The new leader knows its ISR before a write reaches it: published to the proxy
        // first (the caller stores `m` again when it is done with it).
        if model[topic]?[p] != nil { model[topic]?[p] = m }
        if !Self.internalTopics.contains(topic) { try mock.setLeader(topic: topic, partition: p, broker: leader) }
        if leader >= 0 {
            m.leaderEpochStartOffset = logEnd(topic, p) ?? m.leaderEpochStartOffset
            // Registered replicas outside the ISR start fetching from the new leader.
            for r in m.replicas where r != leader && !m.isr.contains(r) && registered.contains(r) {
                nextFetchMs[r] = min(nextFetchMs[r] ?? nowMs, nowMs)
            }
        }
    }

    /// Before `id` goes down: where its logs end (they were in sync), and when it last caught up.
    private func noteFollowerLogEnds(of id: Int32) {
        for (topic, parts) in model {
            for (p, var m) in parts where m.replicas.contains(id) && m.isr.contains(id) {
                if m.leader >= 0, registered.contains(m.leader) {
                    m.followerLeo[id] = logEnd(topic, p)
                }
                m.lastCaughtUpMs[id] = nowMs
                model[topic]?[p] = m
            }
        }
    }

    /// The leader's log end on the mock; the internal topics are empty here.
    private func logEnd(_ topic: String, _ p: Int32) -> Int64? {
        if Self.internalTopics.contains(topic) { return 0 }
        return try? admin.watermarks(topic: topic, partition: p, timeoutMs: 1_000).high
    }

    private func partitionModel(_ topic: String, _ p: PartitionInfo) throws -> PartitionModel {
        if let m = model[topic]?[p.id] { return m }
        // Kafka places a new partition's replicas with the leader first (its preferred
        // replica) and the others after it in turn; the mock lists every partition's as 1,2,3.
        let sorted = p.replicas.sorted()
        let first = sorted.firstIndex(of: p.leader) ?? 0
        let replicas = Array(sorted[first...] + sorted[..<first])
        var m = PartitionModel(
            replicas: replicas, leader: p.leader, isr: replicas.filter { registered.contains($0) })
        if !registered.contains(m.leader) { try elect(&m, topic, p.id) }
        model[topic, default: [:]][p.id] = m
        return m
    }

    /// Min ISR of `topic` as the brokers apply it: the topic's override, else the
    /// compose cluster's min.insync.replicas (2; __transaction_state's is 2 as well).
    private func minInsyncReplicas(_ topic: String) -> Int {
        Int(topicConfigs[topic]?["min.insync.replicas"] ?? "2") ?? 2
    }

    private func publishToProxy() {
        var refused: Set<String> = []
        var leaders: [String: [Int32: Int32]] = [:]
        for (topic, parts) in model {
            let minIsr = minInsyncReplicas(topic)
            for (p, m) in parts {
                if Self.internalTopics.contains(topic) { leaders[topic, default: [:]][p] = m.leader }
                if m.leader >= 0
                    && KafkaReplicationRules.refusesAppend(
                        acksAll: true, isrSize: m.isr.count, minInsyncReplicas: minIsr)
                {
                    refused.insert("\(topic)/\(p)")
                }
            }
        }
        proxyView.publish(refused: refused, internalLeaders: leaders)
    }
}

/// What the proxy's threads need of the stand-in's model, published by the test thread
/// whenever the model changes: the partitions whose leader refuses acks=all appends now
/// (ISR below min.insync.replicas), and the leaders of the internal topics' partitions.
///
/// Kafka's group and transaction coordinator for a key is the leader of the key's
/// partition of __consumer_offsets or __transaction_state (KafkaApis
/// .getCoordinator → partitionFor, then that partition's leader); the mock picks one by
/// a CRC of the key, stopped broker or not. So each key a FindCoordinator asks for is
/// placed on the mock at its partition's leader, and moved when that leader changes
/// (the mock then answers NOT_COORDINATOR at the old one, and the client looks again).
/// Sendable: its mutable state is behind mutexes; `mock` is thread-safe.
final class ProxyView: Sendable {
    let mock: EmbeddedCluster
    let internalPartitions: Int32
    private let refused = Mutex<Set<String>>([])
    private struct Coordinators {
        var leaders: [String: [Int32: Int32]] = [:]
        /// "group"/"transaction" and key → the broker the mock has it on.
        var placed: [String: (type: String, key: String, broker: Int32)] = [:]
    }
    private let coordinators = Mutex(Coordinators())

    init(mock: EmbeddedCluster, internalPartitions: Int32) {
        self.mock = mock
        self.internalPartitions = internalPartitions
    }

    func refuses(_ topic: String, _ partition: Int32) -> Bool {
        refused.withLock { $0.contains("\(topic)/\(partition)") }
    }

    static func internalTopic(forKeyType type: String) -> String {
        type == "transaction" ? "__transaction_state" : "__consumer_offsets"
    }

    /// Before a FindCoordinator for `key` reaches the mock: its coordinator is the
    /// current leader of its partition (left where it is while that partition has none).
    func place(keyType type: String, key: String) {
        let partition = KafkaMinIsrRefusal.coordinatorPartition(for: key, partitions: internalPartitions)
        coordinators.withLock { c in
            guard let leader = c.leaders[Self.internalTopic(forKeyType: type)]?[partition], leader > 0,
                c.placed["\(type)/\(key)"]?.broker != leader
            else { return }
            if (try? mock.setCoordinator(keyType: type, key: key, broker: leader)) != nil {
                c.placed["\(type)/\(key)"] = (type, key, leader)
            }
        }
    }

    func publish(refused now: Set<String>, internalLeaders: [String: [Int32: Int32]]) {
        refused.withLock { $0 = now }
        coordinators.withLock { c in
            guard c.leaders != internalLeaders else { return }
            c.leaders = internalLeaders
            for (id, placed) in c.placed {
                let partition = KafkaMinIsrRefusal.coordinatorPartition(for: placed.key, partitions: internalPartitions)
                guard let leader = internalLeaders[Self.internalTopic(forKeyType: placed.type)]?[partition],
                    leader > 0, leader != placed.broker
                else { continue }
                if (try? mock.setCoordinator(keyType: placed.type, key: placed.key, broker: leader)) != nil {
                    c.placed[id]?.broker = leader
                }
            }
        }
    }
}

/// Places each FindCoordinator's key on the mock where Kafka's coordinator would be
/// (`ProxyView.place`), then lets the request through.
struct CoordinatorPlacement: KafkaWireInterceptor {
    let view: ProxyView

    func intercept(_ request: KafkaWireRequest, on connection: KafkaWireConnection) -> KafkaWireVerdict? {
        guard request.api == .findCoordinator, request.apiVersion <= 2 else { return nil }
        var r = request.reader
        guard let key = try? r.string() else { return nil }
        let keyType = request.apiVersion >= 1 ? ((try? r.int8()) ?? 0) : 0
        view.place(keyType: keyType == 1 ? "transaction" : "group", key: key)
        return nil
    }
}

/// The stand-in's clock: milliseconds of Kafka's time that pass only when a test
/// advances them or a lab pauses on it (a pause passes at once). Sendable: its
/// mutable values (the time, what runs after each move) are behind mutexes.
final class ScriptedClock: LabClock {
    private let ms = Mutex(0)
    private let observer = Mutex<(@Sendable () -> Void)?>(nil)
    var nowMs: Int { ms.withLock { $0 } }
    var now: Double { Double(nowMs) / 1000 }
    func sleep(_ seconds: Double) {
        guard seconds > 0 else { return }
        advance(ms: max(1, Int((seconds * 1000).rounded(.up))))
    }
    func advance(ms delta: Int) {
        ms.withLock { $0 += delta }
        observer.withLock { $0 }?()
    }
    /// What the cluster does once its time has moved (write the markers that fell due).
    func afterAdvance(_ action: @escaping @Sendable () -> Void) { observer.withLock { $0 = action } }
}
