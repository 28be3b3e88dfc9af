/// The Kafka version whose replication rules `sim` plays. Only the rules that
/// differ between versions depend on it; each is listed in `rules` with the
/// versions it holds for and the apache/kafka source file that implements it
/// (read at the tags 0.10.2.2, 0.11.0.3, 2.0.0, 3.6.0, 3.7.0 and the 3.9 branch).
enum KafkaVersion: String, CaseIterable, Sendable, Comparable, Encodable {
    case v0_10 = "0.10"
    case v0_11 = "0.11"
    case v2_0 = "2.0"
    case v3_6 = "3.6"
    case v3_9 = "3.9"

    /// "3.9", "3.9.0" or "0.10.2" → the version; nil for any other.
    init?(text: String) {
        let parts = text.split(separator: ".").map(String.init)
        guard parts.count >= 2, parts.allSatisfy({ Int($0) != nil }) else { return nil }
        guard let v = KafkaVersion(rawValue: parts[0] + "." + parts[1]) else { return nil }
        self = v
    }

    static let supported = allCases.map(\.rawValue).joined(separator: ", ")

    static func < (a: KafkaVersion, b: KafkaVersion) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// "Kafka 3.9 rules": what the model's header says it plays.
    var label: String { "Kafka \(rawValue) rules" }

    /// Since 3.7 (KAFKA-15583) the leader does not advance the HW while the ISR is below
    /// min.insync.replicas (Partition.maybeIncrementLeaderHW returns early on isUnderMinIsr).
    var hwWaitsForMinIsr: Bool { self >= .v3_9 }

    /// How a follower finds where its log stops agreeing with a new leader's.
    var truncation: TruncationMode { self == .v0_10 ? .highWatermark : .leaderEpoch }

    /// KIP-279 (2.0): a follower asks again about its epoch below one the leader never had.
    var multiRoundEpochCheck: Bool { self >= .v2_0 }

    /// unclean.leader.election.enable's default: true until 0.11 (KIP-106).
    var uncleanDefault: Bool { self == .v0_10 }

    /// 3.x plays the KRaft controller (brokers heartbeat to it); older versions ZooKeeper.
    var kraft: Bool { self >= .v3_6 }

    /// The setting that bounds a crashed broker's session, and its default.
    var sessionTimeoutName: String { kraft ? "broker.session.timeout.ms" : "zookeeper.session.timeout.ms" }
    var sessionTimeoutDefaultMs: Int { kraft ? 9_000 : 6_000 }

    /// One rule that differs between versions (or that the model once got wrong), as `help sim rules` lists it.
    struct Rule: Sendable, Encodable {
        let name: String
        /// What Kafka does, per group of versions.
        let holds: [(versions: [KafkaVersion], text: String)]
        /// The apache/kafka file (and function) that implements it.
        let source: String

        func text(for v: KafkaVersion) -> String? { holds.first { $0.versions.contains(v) }?.text }

        enum CodingKeys: String, CodingKey { case name, holds, source }
        struct Holds: Encodable {
            let versions: [String]
            let text: String
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(holds.map { Holds(versions: $0.versions.map(\.rawValue), text: $0.text) }, forKey: .holds)
            try c.encode(source, forKey: .source)
        }
    }

    static let rules: [Rule] = [
        Rule(
            name: "hw-under-min-isr",
            holds: [
                (
                    [.v3_9],
                    "3.7+ (KAFKA-15583): the leader's HW stays while the ISR is smaller than min.insync.replicas; an acks=all write waits and times out (REQUEST_TIMED_OUT), an acks=1 write is acknowledged but unreadable until the ISR grows"
                ),
                (
                    [.v0_10, .v0_11, .v2_0, .v3_6],
                    "before 3.7: the HW moves with the ISR the leader has; an acks=all write it passes while the ISR is below min.insync.replicas is answered NOT_ENOUGH_REPLICAS_AFTER_APPEND"
                ),
            ],
            source:
                "core/src/main/scala/kafka/cluster/Partition.scala (maybeIncrementLeaderHW, checkEnoughReplicasReachOffset)"
        ),
        Rule(
            name: "truncation",
            holds: [
                (
                    [.v0_10],
                    "a new follower truncates its log to its own HW (before KIP-101), then fetches from its LEO"
                ),
                (
                    [.v0_11],
                    "KIP-101: a follower asks the leader where its latest epoch ends (OffsetsForLeaderEpoch) and truncates there, in one round"
                ),
                (
                    [.v2_0, .v3_6, .v3_9],
                    "KIP-101 with KIP-279: when the leader answers with an epoch the follower never had, the follower asks again about its epoch below"
                ),
            ],
            source:
                "core/src/main/scala/kafka/server/ReplicaFetcherThread.scala (0.10.2, 0.11: maybeTruncate); AbstractFetcherThread.scala (2.0+: truncateToEpochEndOffsets)"
        ),
        Rule(
            name: "offset-out-of-range",
            holds: [
                (
                    [.v0_10],
                    "a follower whose LEO is beyond the leader's (OFFSET_OUT_OF_RANGE) with unclean.leader.election.enable=false exits its broker (\"Exiting because log truncation is not allowed\"); with it on, it truncates to the leader's LEO"
                ),
                (
                    [.v0_11, .v2_0, .v3_6, .v3_9],
                    "the same check is still there, but the leader-epoch check truncates first, so the follower never fetches beyond the leader's LEO"
                ),
            ],
            source: "core/src/main/scala/kafka/server/ReplicaFetcherThread.scala (handleOffsetOutOfRange)"
        ),
        Rule(
            name: "unclean-default",
            holds: [
                ([.v0_10], "unclean.leader.election.enable defaults to true"),
                ([.v0_11, .v2_0, .v3_6, .v3_9], "unclean.leader.election.enable defaults to false (KIP-106)"),
            ],
            source: "core/src/main/scala/kafka/server/KafkaConfig.scala (Defaults.UncleanLeaderElectionEnable)"
        ),
        Rule(
            name: "unclean-election",
            holds: [
                (
                    [.v3_6, .v3_9],
                    "the KRaft controller elects an unclean leader by itself, at its check every unclean.leader.election.interval.ms (5 min), and marks the partition RECOVERING until the new leader reports it RECOVERED (KIP-704)"
                ),
                (
                    [.v0_10, .v0_11, .v2_0],
                    "the ZooKeeper controller elects an unclean leader when a broker comes back or an election is asked for"
                ),
            ],
            source:
                "metadata/src/main/java/org/apache/kafka/controller/ReplicationControlManager.java (maybeElectUncleanLeaders), PartitionChangeBuilder.java; 2.0: core/src/main/scala/kafka/controller/PartitionStateMachine.scala"
        ),
        Rule(
            name: "broker-session",
            holds: [
                (
                    [.v3_6, .v3_9],
                    "a crashed broker is fenced broker.session.timeout.ms (9 s) after its last heartbeat, and a restarted one cannot register until then (DuplicateBrokerRegistrationException)"
                ),
                (
                    [.v0_10, .v0_11, .v2_0],
                    "a crashed broker's ZooKeeper session ends zookeeper.session.timeout.ms (6 s) after its last heartbeat; until then its /brokers/ids znode exists and a restarted broker cannot register"
                ),
            ],
            source:
                "metadata/src/main/java/org/apache/kafka/controller/ClusterControlManager.java (registerBroker), BrokerHeartbeatManager.java; 0.10-2.0: core/src/main/scala/kafka/utils/ZkUtils.scala / zk/KafkaZkClient.scala (registerBroker)"
        ),
        Rule(
            name: "isr-shrink-check",
            holds: [
                (
                    allCases,
                    "the leader checks for lagging followers every replica.lag.time.max.ms / 2, so a follower that stops fetching leaves the ISR between 1 and 1.5 times replica.lag.time.max.ms later"
                )
            ],
            source: "core/src/main/scala/kafka/server/ReplicaManager.scala (startup: \"isr-expiration\")"
        ),
        Rule(
            name: "partitioned-leader",
            holds: [
                (
                    allCases,
                    "a leader cut off from the controller is fenced when its session expires and another leader is elected, but nothing tells it: it keeps appending acks=1 writes in its old epoch (a zombie); it cannot shrink its ISR, so its acks=all writes wait and time out; once healed it follows the new leader and truncates what it alone took"
                )
            ],
            source:
                "core/src/main/scala/kafka/cluster/Partition.scala (appendRecordsToLeader, maybeShrinkIsr → submitAlterPartition); metadata/src/main/java/org/apache/kafka/controller/ReplicationControlManager.java (maybeFenceOneStaleBroker → handleBrokerFenced)"
        ),
        Rule(
            name: "produce-timeout",
            holds: [
                (
                    allCases,
                    "an acks=all write the HW does not pass within the request's timeout (request.timeout.ms, 30 s) is answered REQUEST_TIMED_OUT"
                )
            ],
            source: "core/src/main/scala/kafka/server/DelayedProduce.scala (onExpiration)"
        ),
        Rule(
            name: "list-offsets-after-election",
            holds: [
                (
                    [.v3_6, .v3_9],
                    "KIP-207 (2.2+): while a new leader's HW is below the offset where its epoch began, a client's ListOffsets for the latest offset is answered OFFSET_NOT_AVAILABLE (the client retries), so the end offset a consumer sees never goes backwards"
                ),
                (
                    [.v0_10, .v0_11, .v2_0],
                    "before 2.2 ListOffsets answers the new leader's lagging HW, so the end offset a client sees can go backwards on a leader change"
                ),
            ],
            source: "core/src/main/scala/kafka/cluster/Partition.scala (fetchOffsetForTimestamp)"
        ),
    ]

    /// The rules' text for `help sim rules`.
    static var rulesHelp: String {
        rules.map { rule in
            "\(rule.name): "
                + rule.holds.map { "[\($0.versions.map(\.rawValue).joined(separator: ", "))] \($0.text)" }
                .joined(separator: "; ") + " (\(rule.source))"
        }.joined(separator: "\n")
    }
}
