import CRdKafka
import Foundation
import Synchronization

/// The result of a watermark query running on its own thread.
private final class WatermarkAnswer: Sendable {
    private let value = Mutex<(Int32, Watermarks)?>(nil)
    private let ready = DispatchSemaphore(value: 0)
    func set(_ code: Int32, _ marks: Watermarks) {
        value.withLock { $0 = (code, marks) }
        ready.signal()
    }
    func wait(milliseconds: Int) -> (Int32, Watermarks)? {
        guard ready.wait(timeout: .now() + .milliseconds(milliseconds)) == .success else { return nil }
        ready.signal()  // later waits see it too
        return value.withLock { $0 }
    }
}

/// Cluster inspection and administration over plain librdkafka APIs
/// (metadata, watermarks, the Admin API of librdkafka 2.0).
///
/// `@unchecked Sendable` (only because `OpaquePointer` is not Sendable): the
/// handle is thread-safe in librdkafka; the one mutable piece, the running
/// command's cancellation check, is behind a `Mutex`; everything else is a
/// `let` of a Sendable type.
public final class AdminClient: @unchecked Sendable {
    let rk: OpaquePointer
    private let callbacks = ClientCallbacks()
    private let poller: BackgroundPoller
    /// Upper bound for every call, so an unreachable cluster answers with an error, not a hang.
    public let timeoutMs: Int32
    /// While a command runs: whether it was cancelled (Ctrl-C). Calls wait in
    /// slices and give up with `_INTR` when it turns true.
    private let stopCheck = Mutex<(@Sendable () -> Bool)?>(nil)

    /// Runs `body` with calls on this client stopping early once `stop()` is true.
    public func stopping<T>(when stop: @escaping @Sendable () -> Bool, _ body: () throws -> T) rethrows -> T {
        let previous = stopCheck.withLock { s in
            defer { s = stop }; return s
        }
        defer { stopCheck.withLock { $0 = previous } }
        return try body()
    }

    private var shouldStop: Bool { stopCheck.withLock { $0 }?() ?? false }

    public static let interrupted = KafkaError(
        code: RD_KAFKA_RESP_ERR__INTR.rawValue, message: "interrupted", isRetriable: false)

    /// Repeats a blocking call in slices (250 ms, then 400 ms) until it
    /// succeeds, fails otherwise than by timing out or a lost connection, `timeoutMs` passes, or the command
    /// is cancelled (heard within a slice). A slice is a fresh request, so the second
    /// and later ones are longer, for slow clusters.
    private func sliced(_ timeoutMs: Int32, _ call: (Int32) -> rd_kafka_resp_err_t) throws -> rd_kafka_resp_err_t {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeoutMs))
        var slice: Int64 = 250
        // A cancelled command's later calls (a summary read after Ctrl-C) get one
        // short attempt, not a slice each: enough for a healthy cluster.
        if shouldStop {
            let err = call(min(100, timeoutMs))
            if err == RD_KAFKA_RESP_ERR__TIMED_OUT { throw Self.interrupted }
            return err
        }
        while true {
            let left = deadline - ContinuousClock.now
            let leftMs = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000
            let err = call(Int32(max(1, min(slice, leftMs))))
            // _TRANSPORT: the broker the request went to closed its connection (it
            // was just stopped); another broker can answer, so try again in time.
            if err == RD_KAFKA_RESP_ERR__TRANSPORT && ContinuousClock.now < deadline && !shouldStop {
                usleep(50_000)
                continue
            }
            if err != RD_KAFKA_RESP_ERR__TIMED_OUT { return err }
            if shouldStop { throw Self.interrupted }
            if ContinuousClock.now >= deadline { return err }
            slice = 400
        }
    }

    public init(config: [String: String], timeoutMs: Int32 = 10_000) throws {
        self.timeoutMs = timeoutMs
        let conf = try ClientConfig.makeConf(config)
        callbacks.printsLogs = config["debug"] != nil
        callbacks.install(on: conf)
        rk = try makeHandle(type: RD_KAFKA_PRODUCER, conf: conf)
        // Safe to share: deinit stops (joins) the poller before destroying the handle.
        let handle = SendableHandle(rk)
        poller = BackgroundPoller { _ = rd_kafka_poll(handle.pointer, 50) }
    }

    deinit {
        poller.stop()
        rd_kafka_destroy(rk)
    }

    // MARK: Metadata

    /// Metadata for all topics. (Asking for one named topic would make some
    /// brokers, and the embedded cluster, auto-create it.)
    public func metadata(timeoutMs: Int32? = nil) throws -> ClusterMetadata {
        var md: UnsafePointer<rd_kafka_metadata>?
        let err = try sliced(timeoutMs ?? self.timeoutMs) { rd_kafka_metadata(rk, 1, nil, &md, $0) }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let md else {
            throw KafkaError(
                err,
                message:
                    "no metadata from the cluster within \(timeoutMs ?? self.timeoutMs) ms (\(KafkaError.text(of: err.rawValue)))"
            )
        }
        defer { rd_kafka_metadata_destroy(md) }
        let m = md.pointee
        let brokers = (0..<Int(m.broker_cnt)).map { i -> BrokerInfo in
            let b = m.brokers[i]
            return BrokerInfo(id: b.id, host: String(cString: b.host), port: b.port)
        }.sorted { $0.id < $1.id }
        let live = Set(brokers.map(\.id))
        let topics = (0..<Int(m.topic_cnt)).map { i -> TopicInfo in
            let t = m.topics[i]
            let parts = (0..<Int(t.partition_cnt)).map { j -> PartitionInfo in
                let p = t.partitions[j]
                let replicas = Array(UnsafeBufferPointer(start: p.replicas, count: Int(p.replica_cnt)))
                let isr = Array(UnsafeBufferPointer(start: p.isrs, count: Int(p.isr_cnt)))
                return PartitionInfo(
                    id: p.id, leader: p.leader, replicas: replicas, isr: isr,
                    offlineReplicas: replicas.filter { !live.contains($0) },
                    errorCode: p.err.rawValue)
            }.sorted { $0.id < $1.id }
            return TopicInfo(name: String(cString: t.topic), partitions: parts, errorCode: t.err.rawValue)
        }.sorted { $0.name < $1.name }
        return ClusterMetadata(brokers: brokers, topics: topics, originBrokerId: m.orig_broker_id)
    }

    /// The cluster id, or nil when the cluster does not report one.
    public func clusterId(timeoutMs: Int32 = 2_000) -> String? {
        guard let p = rd_kafka_clusterid(rk, timeoutMs) else { return nil }
        defer { rd_kafka_mem_free(rk, p) }
        return String(cString: p)
    }

    /// The active controller's broker id, or nil when unknown (-1).
    public func controllerId(timeoutMs: Int32 = 2_000) -> Int32? {
        let id = rd_kafka_controllerid(rk, timeoutMs)
        return id < 0 ? nil : id
    }

    /// Queries the partition leader for its low and high watermarks.
    ///
    /// librdkafka 2.0.2's `rd_kafka_query_watermark_offsets` applies its time-out
    /// only to finding the leader: the two ListOffsets requests then wait for
    /// socket.timeout.ms (60 s), so with the leader's broker down the call
    /// outlived every time-out and Ctrl-C. It runs on its own thread here, and
    /// the caller stops waiting at the time-out or on cancellation; an
    /// abandoned query ends by itself (it keeps this client alive until then).
    public func watermarks(topic: String, partition: Int32, timeoutMs: Int32? = nil) throws -> Watermarks {
        let timeout = timeoutMs ?? self.timeoutMs
        let answer = WatermarkAnswer()
        let thread = Thread { [self] in
            var low: Int64 = 0, high: Int64 = 0
            let err = rd_kafka_query_watermark_offsets(rk, topic, partition, &low, &high, timeout)
            answer.set(err.rawValue, Watermarks(low: low, high: high))
        }
        thread.start()
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout))
        var cancelledAt: ContinuousClock.Instant?
        while true {
            if let (code, marks) = answer.wait(milliseconds: 20) {
                if code != 0 {
                    throw KafkaError(
                        code: code, message: "watermarks of \(topic)/\(partition): \(KafkaError.text(of: code))")
                }
                return marks
            }
            // As with the other calls: after a cancellation, one short wait (100 ms).
            if shouldStop {
                if cancelledAt == nil { cancelledAt = .now }
                if ContinuousClock.now - cancelledAt! > .milliseconds(100) { throw Self.interrupted }
            }
            if ContinuousClock.now >= deadline {
                throw KafkaError.timedOut("watermarks of \(topic)/\(partition): no answer within \(timeout) ms")
            }
        }
    }

    // MARK: Admin API

    /// Runs one Admin API request and hands its result event to `read`.
    private func withAdminResult<T>(
        _ expected: rd_kafka_event_type_t, timeoutMs: Int32? = nil,
        start: (OpaquePointer, OpaquePointer) -> Void,
        read: (OpaquePointer) throws -> T
    ) throws -> T {
        let timeout = timeoutMs ?? self.timeoutMs
        let queue = rd_kafka_queue_new(rk)!
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_ANY)!
        defer { rd_kafka_AdminOptions_destroy(options) }
        var errstr = [CChar](repeating: 0, count: 256)
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeout, &errstr, errstr.count)
        start(options, queue)
        // Polled in slices so that a cancelled command stops waiting at once.
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout) + 1_000)
        var answer: OpaquePointer?
        while answer == nil {
            answer = rd_kafka_queue_poll(queue, 100)
            if answer == nil && shouldStop { throw Self.interrupted }
            if answer == nil && ContinuousClock.now >= deadline { break }
        }
        guard let event = answer else {
            throw KafkaError.timedOut("no answer from the cluster within \(timeout) ms")
        }
        defer { rd_kafka_event_destroy(event) }
        let err = rd_kafka_event_error(event)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            let text = rd_kafka_event_error_string(event).map { String(cString: $0) }
            throw KafkaError(err, message: text)
        }
        guard rd_kafka_event_type(event) == expected else {
            throw KafkaError.invalidArgument("unexpected admin result \(String(cString: rd_kafka_event_name(event)))")
        }
        return try read(event)
    }

    public func createTopic(
        _ name: String, partitions: Int32, replicationFactor: Int32,
        configs: [String: String] = [:]
    ) throws {
        var errstr = [CChar](repeating: 0, count: 512)
        guard let topic = rd_kafka_NewTopic_new(name, partitions, replicationFactor, &errstr, errstr.count) else {
            throw KafkaError.invalidArgument(String(cBuffer: errstr))
        }
        defer { rd_kafka_NewTopic_destroy(topic) }
        for (k, v) in configs.sorted(by: { $0.key < $1.key }) {
            let err = rd_kafka_NewTopic_set_config(topic, k, v)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err) }
        }
        try withAdminResult(RD_KAFKA_EVENT_CREATETOPICS_RESULT) { options, queue in
            var topics: [OpaquePointer?] = [topic]
            rd_kafka_CreateTopics(rk, &topics, 1, options, queue)
        } read: { event in
            let result = rd_kafka_event_CreateTopics_result(event)
            var count = 0
            guard let results = rd_kafka_CreateTopics_result_topics(result, &count) else { return }
            try Self.throwFirstTopicError(results, count)
        }
    }

    public func deleteTopic(_ name: String) throws {
        let topic = rd_kafka_DeleteTopic_new(name)
        defer { rd_kafka_DeleteTopic_destroy(topic) }
        try withAdminResult(RD_KAFKA_EVENT_DELETETOPICS_RESULT) { options, queue in
            var topics: [OpaquePointer?] = [topic]
            rd_kafka_DeleteTopics(rk, &topics, 1, options, queue)
        } read: { event in
            let result = rd_kafka_event_DeleteTopics_result(event)
            var count = 0
            guard let results = rd_kafka_DeleteTopics_result_topics(result, &count) else { return }
            try Self.throwFirstTopicError(results, count)
        }
    }

    private static func throwFirstTopicError(_ results: UnsafeMutablePointer<OpaquePointer?>, _ count: Int) throws {
        for i in 0..<count {
            guard let r = results[i] else { continue }
            let err = rd_kafka_topic_result_error(r)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(err, message: rd_kafka_topic_result_error_string(r).map { String(cString: $0) })
            }
        }
    }

    /// Committed offsets of `group` for the given partitions, from the group
    /// coordinator. `offset` is `TopicPartitionOffset.invalid` where nothing was committed.
    public func committedOffsets(group: String, partitions: [TopicPartition]) throws -> [TopicPartitionOffset] {
        let list = TopicPartitionList(
            partitions.map {
                TopicPartitionOffset(topic: $0.topic, partition: $0.partition, offset: TopicPartitionOffset.invalid)
            })
        let request = list.withUnsafeList { rd_kafka_ListConsumerGroupOffsets_new(group, $0) }
        defer { rd_kafka_ListConsumerGroupOffsets_destroy(request) }
        return try withAdminResult(RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT) { options, queue in
            var requests: [OpaquePointer?] = [request]
            rd_kafka_ListConsumerGroupOffsets(rk, &requests, 1, options, queue)
        } read: { event in
            let result = rd_kafka_event_ListConsumerGroupOffsets_result(event)
            var count = 0
            guard let groups = rd_kafka_ListConsumerGroupOffsets_result_groups(result, &count), count > 0,
                let g = groups[0]
            else { return [] }
            if let e = rd_kafka_group_result_error(g) {
                let code = rd_kafka_error_code(e)
                throw KafkaError(code, message: rd_kafka_error_string(e).map { String(cString: $0) })
            }
            guard let parts = rd_kafka_group_result_partitions(g) else { return [] }
            return TopicPartitionList.read(parts).sorted { $0.topicPartition < $1.topicPartition }
        }
    }

    /// Consumer groups known to the cluster (ListGroups), with the errors of the
    /// brokers that did not answer: ListGroups goes to every broker, and one
    /// broker's error must not hide what the others listed.
    public func listGroups() throws -> GroupListings {
        try withAdminResult(RD_KAFKA_EVENT_LISTCONSUMERGROUPS_RESULT) { options, queue in
            rd_kafka_ListConsumerGroups(rk, options, queue)
        } read: { event in
            let result = rd_kafka_event_ListConsumerGroups_result(event)
            var errCount = 0
            var errors: [KafkaError] = []
            if let list = rd_kafka_ListConsumerGroups_result_errors(result, &errCount) {
                for i in 0..<errCount {
                    guard let e = list[i], rd_kafka_error_code(e) != RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
                    errors.append(
                        KafkaError(
                            rd_kafka_error_code(e), message: rd_kafka_error_string(e).map { String(cString: $0) }))
                }
            }
            var count = 0
            let valid = rd_kafka_ListConsumerGroups_result_valid(result, &count)
            let groups: [GroupListing] = (0..<count).compactMap { i in
                guard let g = valid?[i] else { return nil }
                return GroupListing(
                    id: String(cString: rd_kafka_ConsumerGroupListing_group_id(g)),
                    state: String(cString: rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupListing_state(g))),
                    isSimple: rd_kafka_ConsumerGroupListing_is_simple_consumer_group(g) != 0)
            }.sorted { $0.id < $1.id }
            // Nothing listed and errors only: the call failed as a whole.
            if groups.isEmpty, let first = errors.first { throw first }
            return GroupListings(groups: groups, errors: errors)
        }
    }

    /// State, assignor and members (with assignments) of one group (DescribeGroups).
    public func describeGroup(_ id: String) throws -> GroupDescription {
        try withAdminResult(RD_KAFKA_EVENT_DESCRIBECONSUMERGROUPS_RESULT) { options, queue in
            id.withCString { cid in
                var groups: [UnsafePointer<CChar>?] = [cid]
                rd_kafka_DescribeConsumerGroups(rk, &groups, 1, options, queue)
            }
        } read: { event in
            let result = rd_kafka_event_DescribeConsumerGroups_result(event)
            var count = 0
            guard let groups = rd_kafka_DescribeConsumerGroups_result_groups(result, &count), count > 0,
                let g = groups[0]
            else { throw KafkaError.invalidArgument("no description of group \(id)") }
            if let e = rd_kafka_ConsumerGroupDescription_error(g), rd_kafka_error_code(e) != RD_KAFKA_RESP_ERR_NO_ERROR
            {
                throw KafkaError(rd_kafka_error_code(e), message: rd_kafka_error_string(e).map { String(cString: $0) })
            }
            let members = (0..<rd_kafka_ConsumerGroupDescription_member_count(g)).compactMap { i -> GroupMember? in
                guard let m = rd_kafka_ConsumerGroupDescription_member(g, i) else { return nil }
                var assignment: [TopicPartition] = []
                if let a = rd_kafka_MemberDescription_assignment(m), let parts = rd_kafka_MemberAssignment_partitions(a)
                {
                    assignment = TopicPartitionList.read(parts).map(\.topicPartition).sorted()
                }
                return GroupMember(
                    memberId: String(cString: rd_kafka_MemberDescription_consumer_id(m)),
                    clientId: String(cString: rd_kafka_MemberDescription_client_id(m)),
                    host: String(cString: rd_kafka_MemberDescription_host(m)),
                    groupInstanceId: rd_kafka_MemberDescription_group_instance_id(m).map { String(cString: $0) },
                    assignment: assignment)
            }
            let coordinator = rd_kafka_ConsumerGroupDescription_coordinator(g).map { rd_kafka_Node_id($0) }
            return GroupDescription(
                id: String(cString: rd_kafka_ConsumerGroupDescription_group_id(g)),
                state: String(cString: rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(g))),
                partitionAssignor: rd_kafka_ConsumerGroupDescription_partition_assignor(g).map { String(cString: $0) }
                    ?? "",
                isSimple: rd_kafka_ConsumerGroupDescription_is_simple_consumer_group(g) != 0,
                coordinator: coordinator.map { Int32($0) },
                members: members)
        }
    }

    /// A topic's configuration entries (DescribeConfigs).
    public func describeTopicConfig(_ topic: String) throws -> [ConfigEntry] {
        let resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic)
        defer { rd_kafka_ConfigResource_destroy(resource) }
        return try withAdminResult(RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT) { options, queue in
            var resources: [OpaquePointer?] = [resource]
            rd_kafka_DescribeConfigs(rk, &resources, 1, options, queue)
        } read: { event in
            let result = rd_kafka_event_DescribeConfigs_result(event)
            var count = 0
            guard let resources = rd_kafka_DescribeConfigs_result_resources(result, &count), count > 0,
                let r = resources[0]
            else { return [] }
            let err = rd_kafka_ConfigResource_error(r)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(err, message: rd_kafka_ConfigResource_error_string(r).map { String(cString: $0) })
            }
            var n = 0
            guard let entries = rd_kafka_ConfigResource_configs(r, &n) else { return [] }
            return (0..<n).compactMap { i in
                guard let e = entries[i] else { return nil }
                return ConfigEntry(
                    name: String(cString: rd_kafka_ConfigEntry_name(e)),
                    value: rd_kafka_ConfigEntry_value(e).map { String(cString: $0) },
                    source: String(cString: rd_kafka_ConfigSource_name(rd_kafka_ConfigEntry_source(e))),
                    isDefault: rd_kafka_ConfigEntry_is_default(e) != 0,
                    isSensitive: rd_kafka_ConfigEntry_is_sensitive(e) != 0,
                    isReadOnly: rd_kafka_ConfigEntry_is_read_only(e) != 0)
            }.sorted { $0.name < $1.name }
        }
    }
}

/// What ListGroups returned: the groups the brokers listed, and the errors of
/// those that failed.
public struct GroupListings: Sendable {
    public let groups: [GroupListing]
    public let errors: [KafkaError]
    public init(groups: [GroupListing], errors: [KafkaError]) {
        self.groups = groups
        self.errors = errors
    }
}

public struct GroupListing: Sendable, Codable, Equatable {
    public let id: String
    public let state: String
    public let isSimple: Bool
    public init(id: String, state: String, isSimple: Bool) {
        self.id = id
        self.state = state
        self.isSimple = isSimple
    }
}

public struct GroupMember: Sendable, Codable, Equatable {
    public let memberId: String
    public let clientId: String
    public let host: String
    public let groupInstanceId: String?
    public let assignment: [TopicPartition]
    public init(
        memberId: String, clientId: String, host: String, groupInstanceId: String?, assignment: [TopicPartition]
    ) {
        self.memberId = memberId
        self.clientId = clientId
        self.host = host
        self.groupInstanceId = groupInstanceId
        self.assignment = assignment
    }
}

public struct GroupDescription: Sendable, Codable, Equatable {
    public let id: String
    public let state: String
    public let partitionAssignor: String
    public let isSimple: Bool
    public let coordinator: Int32?
    public let members: [GroupMember]
    public init(
        id: String, state: String, partitionAssignor: String, isSimple: Bool, coordinator: Int32?,
        members: [GroupMember]
    ) {
        self.id = id
        self.state = state
        self.partitionAssignor = partitionAssignor
        self.isSimple = isSimple
        self.coordinator = coordinator
        self.members = members
    }
}

public struct ConfigEntry: Sendable, Codable, Equatable {
    public let name: String
    public let value: String?
    public let source: String
    public let isDefault: Bool
    public let isSensitive: Bool
    public let isReadOnly: Bool
    public init(name: String, value: String?, source: String, isDefault: Bool, isSensitive: Bool, isReadOnly: Bool) {
        self.name = name
        self.value = value
        self.source = source
        self.isDefault = isDefault
        self.isSensitive = isSensitive
        self.isReadOnly = isReadOnly
    }
}
