/// A change in cluster replication seen between two metadata snapshots.
///
/// Broker lists are in ascending id order; `isr` and `replicas` payloads keep the
/// order metadata reported them in, so they print the way `kafka-topics` shows them.
enum ReplicationEvent: Sendable, Equatable {
    /// Followers dropped out of the ISR (fell behind or their broker died).
    case isrShrink(topic: String, partition: Int32, left: [Int32], isr: [Int32])
    /// Followers caught up and rejoined the ISR.
    case isrExpand(topic: String, partition: Int32, joined: [Int32], isr: [Int32])
    /// Leadership moved between two live brokers.
    case leaderChange(topic: String, partition: Int32, from: Int32, to: Int32)
    /// The partition lost its leader: reads and writes fail until one is elected.
    case partitionOffline(topic: String, partition: Int32, lastLeader: Int32)
    /// A partition that had no leader got one again.
    case partitionOnline(topic: String, partition: Int32, leader: Int32)
    /// The assigned replica list changed (reassignment, or replication factor change).
    case replicasChanged(topic: String, partition: Int32, from: [Int32], to: [Int32])
    /// A broker listed before is missing from metadata.
    case brokerGone(Int32)
    /// A broker not listed before is in metadata (restarted, or newly added).
    case brokerBack(Int32)
    /// A partition not present before (topic created or partitions added).
    case partitionAppeared(topic: String, partition: Int32, leader: Int32, replicas: [Int32])
    /// A partition present before is gone (topic deleted, or not in this metadata response).
    case partitionRemoved(topic: String, partition: Int32)

    /// Every `kind` value, in the order summaries list them.
    static let allKinds: [String] = [
        "broker-gone", "broker-back",
        "partition-appeared", "partition-removed",
        "partition-offline", "partition-online", "leader-change",
        "replicas-changed", "isr-shrink", "isr-expand",
    ]

    /// Stable short name, for JSON output and counting; never localised or reworded.
    var kind: String {
        switch self {
        case .isrShrink: "isr-shrink"
        case .isrExpand: "isr-expand"
        case .leaderChange: "leader-change"
        case .partitionOffline: "partition-offline"
        case .partitionOnline: "partition-online"
        case .replicasChanged: "replicas-changed"
        case .brokerGone: "broker-gone"
        case .brokerBack: "broker-back"
        case .partitionAppeared: "partition-appeared"
        case .partitionRemoved: "partition-removed"
        }
    }

    /// The topic the event concerns, or nil for broker events.
    var topic: String? {
        switch self {
        case .isrShrink(let topic, _, _, _), .isrExpand(let topic, _, _, _),
            .leaderChange(let topic, _, _, _), .partitionOffline(let topic, _, _),
            .partitionOnline(let topic, _, _), .replicasChanged(let topic, _, _, _),
            .partitionAppeared(let topic, _, _, _), .partitionRemoved(let topic, _):
            topic
        case .brokerGone, .brokerBack:
            nil
        }
    }

    /// The partition the event concerns, or nil for broker events.
    var partition: Int32? {
        switch self {
        case .isrShrink(_, let partition, _, _), .isrExpand(_, let partition, _, _),
            .leaderChange(_, let partition, _, _), .partitionOffline(_, let partition, _),
            .partitionOnline(_, let partition, _), .replicasChanged(_, let partition, _, _),
            .partitionAppeared(_, let partition, _, _), .partitionRemoved(_, let partition):
            partition
        case .brokerGone, .brokerBack:
            nil
        }
    }

    /// The broker id of a broker event, or nil for partition events.
    var broker: Int32? {
        switch self {
        case .brokerGone(let id), .brokerBack(let id): id
        default: nil
        }
    }

    /// One human-readable line, e.g. `orders/2 ISR shrink: broker 2 left, ISR now [1,3]`.
    var description: String {
        switch self {
        case let .isrShrink(topic, partition, left, isr):
            "\(topic)/\(partition) ISR shrink: \(brokerPhrase(left)) left, ISR now \(bracketed(isr))"
        case let .isrExpand(topic, partition, joined, isr):
            "\(topic)/\(partition) ISR expand: \(brokerPhrase(joined)) joined, ISR now \(bracketed(isr))"
        case let .leaderChange(topic, partition, from, to):
            "\(topic)/\(partition) leader \(from) → \(to)"
        case let .partitionOffline(topic, partition, lastLeader):
            "\(topic)/\(partition) offline: no leader (was \(lastLeader))"
        case let .partitionOnline(topic, partition, leader):
            "\(topic)/\(partition) online: leader \(leader)"
        case let .replicasChanged(topic, partition, from, to):
            "\(topic)/\(partition) replicas \(bracketed(from)) → \(bracketed(to))"
        case let .brokerGone(id):
            "broker \(id) gone from metadata"
        case let .brokerBack(id):
            "broker \(id) back in metadata"
        case let .partitionAppeared(topic, partition, leader, replicas):
            "\(topic)/\(partition) appeared: leader \(leader), replicas \(bracketed(replicas))"
        case let .partitionRemoved(topic, partition):
            "\(topic)/\(partition) removed"
        }
    }
}

extension ReplicationEvent: CustomStringConvertible {}

/// The events that explain how replication changed from `old` to `new`.
///
/// Order is deterministic so that output and tests are stable: broker events first
/// (gone, then back, each by ascending id), then partition events by topic name and
/// partition number. Within one partition: appeared/removed, then the leader event,
/// then replicas changed, then ISR shrink, then ISR expand — the leader matters most
/// to a reader, and a shrink usually explains the expand that follows it.
///
/// A partition that appears or disappears yields only that event. ISR and replica
/// lists are compared as sets, so a reordering alone is not a change.
func replicationEvents(from old: ReplicationSnapshot, to new: ReplicationSnapshot) -> [ReplicationEvent] {
    var events: [ReplicationEvent] = []
    events += old.brokers.subtracting(new.brokers).sorted().map(ReplicationEvent.brokerGone)
    events += new.brokers.subtracting(old.brokers).sorted().map(ReplicationEvent.brokerBack)

    let before = partitionsByKey(old.partitions)
    let after = partitionsByKey(new.partitions)
    let keys = Set(before.keys).union(after.keys).sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }

    for key in keys {
        switch (before[key], after[key]) {
        case (nil, let appeared?):
            events.append(
                .partitionAppeared(
                    topic: key.topic, partition: key.partition,
                    leader: appeared.leader, replicas: appeared.replicas))
        case (_?, nil):
            events.append(.partitionRemoved(topic: key.topic, partition: key.partition))
        case (let was?, let now?):
            events += partitionEvents(from: was, to: now)
        case (nil, nil):
            break
        }
    }
    return events
}

private struct PartitionKey: Hashable {
    var topic: String
    var partition: Int32
}

/// A metadata response should list each partition once; if one repeats, the last
/// entry wins so that a diff never reports a change between two copies of itself.
private func partitionsByKey(_ partitions: [PartitionState]) -> [PartitionKey: PartitionState] {
    Dictionary(
        partitions.map { (PartitionKey(topic: $0.topic, partition: $0.partition), $0) },
        uniquingKeysWith: { _, last in last })
}

private func partitionEvents(from was: PartitionState, to now: PartitionState) -> [ReplicationEvent] {
    var events: [ReplicationEvent] = []
    let topic = now.topic, partition = now.partition

    switch (was.hasLeader, now.hasLeader) {
    case (true, false):
        events.append(.partitionOffline(topic: topic, partition: partition, lastLeader: was.leader))
    case (false, true):
        events.append(.partitionOnline(topic: topic, partition: partition, leader: now.leader))
    case (true, true) where was.leader != now.leader:
        events.append(.leaderChange(topic: topic, partition: partition, from: was.leader, to: now.leader))
    default:
        break
    }

    if Set(was.replicas) != Set(now.replicas) {
        events.append(.replicasChanged(topic: topic, partition: partition, from: was.replicas, to: now.replicas))
    }

    let isrBefore = Set(was.isr), isrAfter = Set(now.isr)
    let left = isrBefore.subtracting(isrAfter).sorted()
    let joined = isrAfter.subtracting(isrBefore).sorted()
    if !left.isEmpty {
        events.append(.isrShrink(topic: topic, partition: partition, left: left, isr: now.isr))
    }
    if !joined.isEmpty {
        events.append(.isrExpand(topic: topic, partition: partition, joined: joined, isr: now.isr))
    }
    return events
}

private func brokerPhrase(_ ids: [Int32]) -> String {
    ids.count == 1 ? "broker \(ids[0])" : "brokers \(ids.map(String.init).joined(separator: ","))"
}

private func bracketed(_ ids: [Int32]) -> String {
    "[" + ids.map(String.init).joined(separator: ",") + "]"
}
