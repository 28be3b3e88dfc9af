/// A deterministic model of one partition's replicas, driven step by step
/// by `sim`. It is a model, never a cluster: nothing here talks to Kafka. It
/// follows the rules Kafka 3.9 documents and implements (the leader's
/// Partition and the followers' fetcher threads), with a simulated clock.
///
/// A value type: every step works on a copy, so a refused or invalid step
/// leaves the model as it was and `undo` is a stack of earlier values.
struct ReplicationModel: Hashable, Sendable {
    var config: ModelConfig
    /// Simulated milliseconds since the model started; only `tick` moves it.
    var clockMs = 0
    /// Broker id of the leader, nil while the partition is offline.
    var leader: Int?
    var leaderEpoch = 0
    /// In-sync replicas, by broker id, ascending.
    var isr: [Int]
    /// Replica of broker i at index i - 1; the replica list is 1...N, so broker 1 is the preferred leader.
    var replicas: [ModelReplica]
    /// Every write the producer sent, with what the producer was told.
    var writes: [ModelWrite] = []
    var nextValue = 0

    init(_ config: ModelConfig = ModelConfig()) {
        self.config = config
        replicas = (1...config.replicaCount).map { ModelReplica(id: $0) }
        isr = Array(1...config.replicaCount)
        leader = 1
        replicas[0].epochCache = [EpochEntry(epoch: 0, startOffset: 0)]
    }

    func replica(_ id: Int) -> ModelReplica { replicas[id - 1] }

    /// The leader's replica, if there is a leader.
    var leaderReplica: ModelReplica? { leader.map(replica) }

    /// The partition's high watermark: the leader's (nil while offline).
    var highWatermark: Int? { leaderReplica?.hw }

    /// Acknowledged writes the partition no longer holds: missing from the
    /// running leader's log (followers will truncate to match it) or, while
    /// there is no running leader, from every replica.
    var lostWrites: [ModelWrite] {
        let held: Set<String>
        if let l = leaderReplica, l.up {
            held = Set(l.log.map(\.value))
        } else {
            held = Set(replicas.flatMap { $0.log.map(\.value) })
        }
        return writes.filter { $0.status == .acknowledged && !held.contains($0.value) }
    }

    /// Offsets where a running follower holds a different record (value or
    /// epoch) than the leader, below both logs' ends. A follower that has yet
    /// to compare leader epochs with a new leader is not counted: its next
    /// fetch truncates the difference away.
    var divergence: [(replica: Int, offsets: [Int])] {
        guard let l = leaderReplica else { return [] }
        var result: [(Int, [Int])] = []
        // A broker behind a partition follows no one yet: it compares logs once healed.
        for f in replicas
        where f.id != l.id && f.up && !f.partitioned
            && !(config.truncation == .leaderEpoch && f.awaitingEpochCheck)
        {
            let offsets = (0..<min(f.leo, l.leo)).filter { f.log[$0] != l.log[$0] }
            if !offsets.isEmpty { result.append((f.id, offsets)) }
        }
        return result
    }

    /// Whether the controller counts broker `id` as alive and may elect it: running and not fenced
    /// (a broker behind a partition stays alive to the controller until its session expires).
    func isAlive(_ id: Int) -> Bool { replica(id).up && !replica(id).fenced }

    /// Where the current leader's epoch began in its log (Kafka's leaderEpochStartOffset).
    var leaderEpochStartOffset: Int? {
        leaderReplica?.epochCache.last { $0.epoch == leaderEpoch }?.startOffset
    }
}

enum TruncationMode: String, Sendable, CaseIterable {
    /// Before KIP-101 (Kafka < 0.11): a follower truncates to its own high watermark.
    case highWatermark = "hw"
    /// KIP-101 and after (with KIP-279): a follower truncates where its leader epochs diverge from the leader's.
    case leaderEpoch = "epoch"

    var label: String {
        switch self {
        case .highWatermark: "HW truncation (before KIP-101)"
        case .leaderEpoch: "leader-epoch truncation (KIP-101)"
        }
    }
}

enum ModelAcks: String, Sendable, CaseIterable {
    case none = "0", leader = "1", all = "all"

    init?(text: String) {
        switch text.lowercased() {
        case "0": self = .none
        case "1": self = .leader
        case "all", "-1": self = .all
        default: return nil
        }
    }
}

struct ModelConfig: Hashable, Sendable {
    /// The Kafka version whose rules the model plays (see `KafkaVersion.rules`).
    var kafka = KafkaVersion.v3_9
    var replicaCount = 3
    /// min.insync.replicas; Kafka's default is 1 (the compose cluster sets 2).
    var minInsyncReplicas = 1
    var uncleanLeaderElection = false
    /// replica.lag.time.max.ms, 30 s by default.
    var replicaLagTimeMaxMs = 30_000
    /// How long a crashed broker keeps its session (KRaft: broker.session.timeout.ms, 9 s;
    /// ZooKeeper: zookeeper.session.timeout.ms, 6 s): then it is fenced, and only then may it register again.
    var brokerSessionTimeoutMs = 9_000
    /// How long the leader holds an acks=all request waiting for the HW (the producer's request.timeout.ms).
    var requestTimeoutMs = 30_000
    var truncation = TruncationMode.leaderEpoch

    init(
        replicaCount: Int = 3, minInsyncReplicas: Int = 1, uncleanLeaderElection: Bool = false,
        replicaLagTimeMaxMs: Int = 30_000, brokerSessionTimeoutMs: Int = 9_000,
        truncation: TruncationMode = .leaderEpoch
    ) {
        self.replicaCount = replicaCount
        self.minInsyncReplicas = minInsyncReplicas
        self.uncleanLeaderElection = uncleanLeaderElection
        self.replicaLagTimeMaxMs = replicaLagTimeMaxMs
        self.brokerSessionTimeoutMs = brokerSessionTimeoutMs
        self.truncation = truncation
    }

    /// This configuration under another version's rules and defaults (truncation, the
    /// session timeout, and unclean election, which stays on when it was set).
    func playing(_ version: KafkaVersion) -> ModelConfig {
        var c = self
        c.kafka = version
        c.truncation = version.truncation
        c.brokerSessionTimeoutMs = version.sessionTimeoutDefaultMs
        c.uncleanLeaderElection = uncleanLeaderElection || version.uncleanDefault
        return c
    }
}

/// One record in a replica's log: the offset it has there, the leader epoch
/// it was written in, and its value (`m0`, `m1`, ... in the order produced).
struct ModelRecord: Hashable, Sendable {
    var offset: Int
    var epoch: Int
    var value: String
}

/// An entry of a replica's leader epoch cache (the leader-epoch-checkpoint file):
/// epoch `epoch` began at `startOffset` in this replica's log.
struct EpochEntry: Hashable, Sendable {
    var epoch: Int
    var startOffset: Int
}

struct ModelReplica: Hashable, Sendable {
    let id: Int
    /// The broker is running.
    var up = true
    /// The controller has fenced the broker (controlled shutdown at once, a crash after broker.session.timeout.ms).
    var fenced = false
    /// When the broker stopped heartbeating to the controller (a crash, or a network partition);
    /// cleared once it is fenced.
    var crashedAtMs: Int?
    /// Running, but behind a network partition (`sim partition`): it cannot fetch, no follower can
    /// fetch from it, and it cannot reach the controller, which fences it once its session expires.
    var partitioned = false
    /// A zombie leader: fenced behind a partition while it led, it still believes it leads this
    /// epoch (nothing tells it otherwise) and appends what producers on its side send.
    var zombieEpoch: Int?
    var log: [ModelRecord] = []
    /// How much of the log is on disk. Kafka leaves flushing to the operating system by default
    /// (log.flush.interval.messages and .ms unset); the model flushes only at a clean shutdown,
    /// so a power loss (`kill --lose-unflushed`) keeps just what an earlier stop flushed.
    var flushedLeo = 0
    var hw = 0
    var epochCache: [EpochEntry] = []

    // What the leader knows of this replica as a follower (Kafka's remote replica state).
    /// The follower's LEO as of its last fetch request; nil when unknown (just after a leader change).
    var knownLeo: Int? = 0
    var lastCaughtUpMs = 0
    var lastFetchLeaderLeo: Int? = 0
    /// Became a follower (leader change or restart) and has not yet compared leader epochs with the leader.
    var awaitingEpochCheck = false
    /// The broker exited on its own (a 0.10 follower refused to truncate); down until started again.
    var halted = false
    var lastFetchMs = 0

    init(id: Int) { self.id = id }

    var leo: Int { log.count }
    var latestEpoch: Int? { epochCache.last?.epoch }

    /// OffsetsForLeaderEpoch as the leader answers it (LeaderEpochFileCache.endOffsetFor):
    /// the largest epoch at or below `requested`, and where it ended in this log.
    /// nil means UNDEFINED (the requested epoch is newer than any here).
    func endOffset(forEpoch requested: Int) -> (epoch: Int, endOffset: Int)? {
        guard let latest = epochCache.last else { return nil }
        if latest.epoch == requested { return (requested, leo) }
        guard let higher = epochCache.first(where: { $0.epoch > requested }) else { return nil }
        guard let floor = epochCache.last(where: { $0.epoch <= requested }) else {
            return (requested, higher.startOffset)
        }
        return (floor.epoch, higher.startOffset)
    }

    mutating func truncate(to offset: Int) {
        guard offset < leo else { return }
        log.removeSubrange(offset...)
        flushedLeo = min(flushedLeo, offset)
        epochCache.removeAll { $0.startOffset >= offset }
        hw = min(hw, offset)
    }

    /// Appends records, noting each new epoch's start offset in the epoch cache.
    mutating func append(_ records: [ModelRecord]) {
        for r in records {
            if latestEpoch.map({ r.epoch > $0 }) ?? true {
                epochCache.append(EpochEntry(epoch: r.epoch, startOffset: r.offset))
            }
            log.append(r)
        }
    }

    /// A new leader notes where its epoch begins (Partition.makeLeader), dropping conflicting entries.
    mutating func assignEpoch(_ epoch: Int) {
        let end = leo
        epochCache.removeAll { $0.epoch >= epoch || $0.startOffset >= end }
        epochCache.append(EpochEntry(epoch: epoch, startOffset: end))
    }
}

/// What the producer sent and what it was told.
struct ModelWrite: Hashable, Sendable {
    enum Status: Hashable, Sendable {
        /// acks=all, appended by the leader, waiting for the HW to pass it.
        case pending
        case acknowledged
        /// acks=0: the producer never hears back.
        case unacknowledged
        case failed(String)
    }
    var value: String
    var offset: Int
    var epoch: Int
    var acks: ModelAcks
    var status: Status
    /// When the producer sent it (acks=all waits at most requestTimeoutMs from here).
    var sentAtMs = 0

    var statusText: String {
        switch status {
        case .pending: "pending"
        case .acknowledged: "acknowledged"
        case .unacknowledged: "sent (acks=0, no answer)"
        case .failed(let e): "failed: \(e)"
        }
    }
}

/// A request the model cannot carry out (no such broker, a stopped broker
/// fetching, ...): one line, the model unchanged.
struct ModelError: Error, Equatable, CustomStringConvertible {
    let description: String
    init(_ text: String) { description = text }
}
