import Foundation
import Kafka

/// Whether an acks=all write can be acknowledged now. With the ISR of a partition
/// below its min.insync.replicas, the leader refuses every acks=all write with
/// NOT_ENOUGH_REPLICAS, a retriable error that librdkafka retries until
/// message.timeout.ms (300 s by default): `produce` would sit for five minutes
/// and end with _MSG_TIMED_OUT. Found before sending, it is one clear line.
enum ProduceAvailability {
    /// The partitions (of those targeted) whose ISR is below `minIsr`, with their ISR.
    static func belowMinIsr(_ topic: TopicInfo, partition: Int32?, minIsr: Int) -> [(partition: Int32, isr: [Int32])] {
        topic.partitions
            .filter { partition == nil || $0.id == partition }
            .filter { $0.leader >= 0 && $0.isr.count < minIsr }
            .map { ($0.id, $0.isr) }
    }

    /// Whether a producer with these properties writes with acks=all (librdkafka's
    /// default, and implied by idempotence and transactions).
    static func writesWithAcksAll(_ properties: [String: String]) -> Bool {
        let acks = properties["acks"] ?? properties["request.required.acks"] ?? "all"
        return acks == "all" || acks == "-1"
    }

    /// The targeted partitions below their min.insync.replicas on a real cluster, and
    /// that minimum; nil when every one can take an acks=all write.
    static func shortPartitions(
        _ topic: TopicInfo, partition: Int32?, connection c: ClusterConnection
    ) -> (below: [(partition: Int32, isr: [Int32])], minIsr: Int)? {
        guard c.can(.replication) else { return nil }
        // A full ISR of two or more replicas meets any min.insync.replicas up to the replication
        // factor: skip DescribeConfigs then. A single replica is below the compose cluster's 2
        // (a topic created while only one broker was up) even with its ISR full.
        guard topic.partitions.contains(where: { $0.isr.count < max($0.replicas.count, 2) }) else { return nil }
        guard
            let minIsr = (try? c.client.describeTopicConfig(topic.name))?
                .first(where: { $0.name == "min.insync.replicas" })?.value.flatMap({ Int($0) })
        else { return nil }
        let below = belowMinIsr(topic, partition: partition, minIsr: minIsr)
        return below.isEmpty ? nil : (below, minIsr)
    }

    static func listed(_ below: [(partition: Int32, isr: [Int32])], of total: Int) -> String {
        let shown = below.prefix(4).map { "\($0.partition) (ISR [\($0.isr.map(String.init).joined(separator: ","))])" }
        let more = below.count > shown.count ? " and \(below.count - shown.count) more" : ""
        return shown.joined(separator: ", ") + more + (below.count > 4 ? " of \(total)" : "")
    }

    /// Throws the one-line refusal when the session's producer uses acks=all and a
    /// targeted partition is below min.insync.replicas on a real cluster. A user who
    /// set message.timeout.ms chose how long to wait: then it only warns.
    static func check(_ topic: TopicInfo, partition: Int32?, session: Session) throws {
        guard let c = session.connection else { return }
        // A transactional producer adds each partition to its transaction first
        // (AddPartitionsToTxn, written to __transaction_state).
        if let id = (try? session.producerProperties())?["transactional.id"], !id.isEmpty {
            try checkCoordinator(.transactions, key: id, connection: c, lab: "produce")
        }
        try check(
            topic, partition: partition, properties: session.settings.producerProperties, connection: c,
            output: session.output,
            remedies:
                "`set acks 1` writes with fewer copies, `broker start <id>` restores the ISR, `min-isr demo` shows the broker's answer"
        )
    }

    /// The same check for a lab's own producer (`seed`, `bench`, the demos), named by `lab`.
    static func check(
        topic name: String, properties: [String: String], connection c: ClusterConnection, output: Output,
        lab: String
    ) throws {
        guard c.can(.replication), writesWithAcksAll(properties), let topic = try c.client.metadata().topic(name) else {
            return
        }
        try check(
            topic, partition: nil, properties: properties, connection: c, output: output,
            remedies: "`broker start <id>` restores the ISR; \(lab) waits for nothing until then", prefix: "\(lab): ")
    }

    private static func check(
        _ topic: TopicInfo, partition: Int32?, properties: [String: String], connection c: ClusterConnection,
        output: Output, remedies: String, prefix: String = ""
    ) throws {
        guard writesWithAcksAll(properties), let short = shortPartitions(topic, partition: partition, connection: c)
        else { return }
        let text =
            "\(prefix)acks=all: \(topic.name) partition(s) \(listed(short.below, of: topic.partitions.count)) are below min.insync.replicas \(short.minIsr), so the leader refuses every acks=all write with NOT_ENOUGH_REPLICAS, which librdkafka retries until message.timeout.ms"
        if let timeout = properties["message.timeout.ms"] {
            output.warning(text + " (\(timeout) ms, as you set it) and then reports _MSG_TIMED_OUT")
            return
        }
        throw LabError.invalid(text + " (300 s) before failing; " + remedies)
    }

    /// How long `produce` waits for delivery reports before it looks at the ISRs again.
    static let stallRecheckSeconds = 2.0

    /// Why acks=all deliveries still outstanding after `waited` seconds may not come:
    /// the targeted partitions are below min.insync.replicas now (a broker killed before
    /// the first check was still in the ISR until fenced). nil when they are not.
    static func stalled(
        _ topicName: String, partition: Int32?, properties: [String: String], outstanding: Int, waited: Double,
        session: Session
    ) -> String? {
        guard let c = session.connection, c.can(.replication), writesWithAcksAll(properties),
            let topic = try? c.client.metadata(timeoutMs: 1_500).topic(topicName)
        else { return nil }
        guard let short = shortPartitions(topic, partition: partition, connection: c) else {
            return waitingOnDownFollower(topic, partition: partition, outstanding: outstanding, waited: waited, session)
        }
        let timeout = properties["message.timeout.ms"].map { "\($0) ms, as you set it" } ?? "300 s"
        return
            "\(outstanding) delivery report(s) outstanding after \(Int(waited)) s: \(topic.name) partition(s) \(listed(short.below, of: topic.partitions.count)) are now below min.insync.replicas \(short.minIsr) (a broker went down after the check before sending), so the leader refuses these acks=all writes and librdkafka retries them until message.timeout.ms (\(timeout)); Ctrl-C stops waiting"
    }

    /// On the compose cluster: an ISR member whose container is down (killed, not yet
    /// fenced) holds every acks=all write until the controller fences it,
    /// broker.session.timeout.ms after its last heartbeat; then the ISR shrinks and the
    /// HW moves. nil when no targeted ISR has such a member.
    static func waitingOnDownFollower(
        _ topic: TopicInfo, partition: Int32?, outstanding: Int, waited: Double, _ session: Session
    ) -> String? {
        guard let c = session.connection, case .compose(let access) = c.control,
            let compose = try? access.control(
                composeFile: session.composeFile, purpose: "look at the brokers", example: { $0 })
        else { return nil }
        let targeted = topic.partitions.filter { partition == nil || $0.id == partition }
        var down: [Int32: String] = [:]
        for id in Set(targeted.flatMap(\.isr)) {
            if case .notRunning(let word)? = try? compose.containerState(forBroker: id) { down[id] = word }
        }
        guard let (id, word) = down.min(by: { $0.key < $1.key }) else { return nil }
        let held = targeted.filter { $0.isr.contains(id) }.map { String($0.id) }.joined(separator: ",")
        return
            "\(outstanding) delivery report(s) outstanding after \(Int(waited)) s: broker \(id), in the ISR of \(topic.name) partition(s) \(held), is down (\(DockerCompose.service(forBroker: id)) \(word)) but not yet fenced, and an acks=all write waits for every ISR member; the controller fences it broker.session.timeout.ms (9 s by default) after its last heartbeat, then the ISR shrinks and the write is acknowledged if the ISR still meets min.insync.replicas"
    }

    /// The internal topics whose writes (always acks=all) the coordinators need.
    enum CoordinatorLog: String {
        /// The transaction coordinator's log: every transactional call writes to it.
        case transactions = "__transaction_state"
        /// The group coordinator's log: offset commits and completed rebalances write to it.
        case groups = "__consumer_offsets"

        /// What a key of this log names.
        var keyName: String {
            switch self {
            case .transactions: "transactional.id"
            case .groups: "group"
            }
        }

        /// The partition of this log that `key` (a group id or a transactional.id) is
        /// written to, and whose leader is its coordinator: Kafka's
        /// `Utils.abs(key.hashCode) % partitions` (GroupMetadataManager.partitionFor,
        /// TransactionStateManager.partitionFor in Kafka 3.9, unchanged since 0.9 for groups and 0.11 for transactions), with
        /// Java's String.hashCode (over UTF-16 code units) and Utils.abs (Math.abs, with
        /// Integer.MIN_VALUE → 0).
        static func partition(for key: String, partitions: Int) -> Int32 {
            var hash: Int32 = 0
            for unit in key.utf16 { hash = hash &* 31 &+ Int32(unit) }
            let abs = hash == .min ? 0 : Swift.abs(hash)
            return abs % Int32(max(1, partitions))
        }

        var consequence: String {
            switch self {
            case .transactions:
                "the transaction coordinator cannot write a transaction's state, so every transactional call (init, commit, abort) is answered COORDINATOR_NOT_AVAILABLE and retried until it times out"
            case .groups:
                "the group coordinator cannot write, so offset commits are answered COORDINATOR_NOT_AVAILABLE and retried, and a rebalance cannot complete (reading without a group still works)"
            }
        }
    }

    /// Throws when a real cluster's coordinator log is below its min ISR: the writes a
    /// lab's transactions or group commits make would stall (Kafka retries them as
    /// COORDINATOR_NOT_AVAILABLE). Reads still work. Nothing to check while the
    /// internal topic does not exist yet. Given the group or transactional.id (`key`),
    /// only its partition matters; without one (a demo whose ids are made up as it
    /// runs), any short partition may be theirs.
    static func checkCoordinator(
        _ log: CoordinatorLog, key: String? = nil, connection c: ClusterConnection, lab: String
    ) throws {
        guard c.can(.replication), let topic = try c.client.metadata().topic(log.rawValue) else { return }
        if let key {
            let partition = CoordinatorLog.partition(for: key, partitions: topic.partitions.count)
            guard let short = shortPartitions(topic, partition: partition, connection: c) else { return }
            throw LabError.invalid(
                "\(lab): \(log.rawValue) partition \(listed(short.below, of: topic.partitions.count)), where \(log.keyName) \(key)'s coordinator writes, is below min.insync.replicas \(short.minIsr): \(log.consequence); `broker start <id>` restores the ISR"
            )
        }
        guard let short = shortPartitions(topic, partition: nil, connection: c) else { return }
        throw LabError.invalid(
            "\(lab): \(log.rawValue) partition(s) \(listed(short.below, of: topic.partitions.count)) are below min.insync.replicas \(short.minIsr): \(log.consequence); `broker start <id>` restores the ISR"
        )
    }
}
