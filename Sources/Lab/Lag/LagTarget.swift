import Foundation
import Kafka

/// Which partitions `lag` looks at for a group, why, and what the coordinator said.
struct LagTarget {
    let group: String
    let client: any ClusterClient
    let topics: [String]
    let partitions: [TopicPartition]
    /// One sentence: where the topic list came from.
    let topicsExplanation: String
    /// What was searched for commits, for the "unknown group" message.
    let checked: String
    let description: GroupPresence.Description
    let owners: [String: PartitionOwner]
    var presenceEvidence: String?

    static func resolve(group: String, topic: String?, ctx: CommandContext) throws -> LagTarget {
        let session = ctx.session
        let c = try session.requireConnection()
        let client = c.client
        guard !group.isEmpty else { throw ctx.usageError("the group id is empty") }

        var description = GroupPresence.Description.unsupported
        var owners: [String: PartitionOwner] = [:]
        var assignedTopics: [String] = []
        // Not even attempted on the embedded cluster: librdkafka 2.0.2's DescribeConsumerGroups
        // against its mock wedges the admin client (metadata then times out, destroy hangs).
        if c.can(.describeGroups) {
            do {
                let d = try client.describeGroup(group)
                description = .state(d.state, members: d.members.count)
                for m in d.members {
                    for tp in m.assignment {
                        owners["\(tp.topic)/\(tp.partition)"] = PartitionOwner(
                            memberId: m.memberId, clientId: m.clientId, host: m.host)
                        if !assignedTopics.contains(tp.topic) { assignedTopics.append(tp.topic) }
                    }
                }
            } catch let e as KafkaError where e.code == KafkaErrorCode.unsupportedFeature {
                description = .unsupported
            } catch {
                description = .failed(describeError(error))
            }
        }

        let md = try client.metadata()
        if let topic {
            let info = try session.requireTopic(topic)
            return LagTarget(
                group: group, client: client, topics: [topic],
                partitions: info.partitions.map { TopicPartition(topic: topic, partition: $0.id) },
                topicsExplanation: "topic \(topic) (--topic)",
                checked: "topic \(topic) (\(info.partitions.count) partition(s))",
                description: description, owners: owners)
        }
        // OffsetFetch needs explicit partitions (the embedded cluster answers nothing
        // otherwise), so every partition of every user topic is asked for at once.
        let userTopics = md.topics.filter { !$0.name.hasPrefix("__") }
        let all = userTopics.flatMap { t in t.partitions.map { TopicPartition(topic: t.name, partition: $0.id) } }
        let committed = all.isEmpty ? [] : try client.committedOffsets(group: group, partitions: all)
        var topics = assignedTopics
        for o in committed where o.offset >= 0 && !topics.contains(o.topic) { topics.append(o.topic) }
        let checked = "any of the \(userTopics.count) topic(s) (\(all.count) partitions)"
        var explanation =
            topics.isEmpty
            ? "" : "topics the group has committed on" + (assignedTopics.isEmpty ? "" : " or is assigned")
        if topics.isEmpty, let current = session.currentTopic, md.topic(current) != nil {
            topics = [current]
            explanation =
                "the session's topic \(current): the group has committed on none of the \(userTopics.count) topic(s)"
                + (description == .unsupported
                    ? " and the embedded cluster cannot list a group's topics (no DescribeGroups); use --topic" : "")
        }
        topics.sort()
        let partitions = topics.flatMap { name in
            (md.topic(name)?.partitions ?? []).map { TopicPartition(topic: name, partition: $0.id) }
        }
        return LagTarget(
            group: group, client: client, topics: topics, partitions: partitions,
            topicsExplanation: explanation.isEmpty ? "no topics" : explanation,
            checked: checked, description: description, owners: owners)
    }

    /// Committed offsets and watermarks of the partitions, one sample.
    static func offsets(
        group: String, partitions: [TopicPartition], client: any ClusterClient
    ) throws -> [PartitionOffsets] {
        guard !partitions.isEmpty else { return [] }
        let committed = try client.committedOffsets(group: group, partitions: partitions)
        var byPartition: [TopicPartition: Int64] = [:]
        for o in committed where o.offset >= 0 && o.errorCode == 0 { byPartition[o.topicPartition] = o.offset }
        // Each topic's watermarks in one batched call (two ListOffsets round trips per leader), not
        // a round trip per partition: 3,000 partitions took 1.3 s asked one by one.
        var marks: [String: [Int32: Watermarks]] = [:]
        for topic in Set(partitions.map(\.topic)) {
            marks[topic] = try? client.watermarks(
                topic: topic, partitions: partitions.filter { $0.topic == topic }.map(\.partition))
        }
        return try partitions.map { tp in
            let w = try marks[tp.topic]?[tp.partition] ?? client.watermarks(topic: tp.topic, partition: tp.partition)
            return PartitionOffsets(
                topic: tp.topic, partition: tp.partition, committed: byPartition[tp], logStart: w.low, logEnd: w.high)
        }
    }

    /// Refuses a group nothing vouches for, saying what was checked.
    @discardableResult
    mutating func requirePresence(anyCommit: Bool, session: Session) throws -> GroupPresence {
        let presence = GroupPresence.decide(
            anyCommit: anyCommit, description: description,
            joinedInThisSession: session.joinedGroups.names.contains(group))
        switch presence {
        case .hasCommits:
            break
        case .noCommits(let evidence):
            presenceEvidence = evidence
            if partitions.isEmpty {
                throw LabError.invalid(
                    "group '\(group)' exists (\(evidence)) but has committed nothing on \(checked); name a topic with --topic"
                )
            }
        case .unknown:
            let describe: String
            switch description {
            case .unsupported:
                describe =
                    "the embedded cluster cannot list or describe groups (no ListGroups/DescribeGroups), so an idle group without commits looks the same"
            case .state(let state, _): describe = "the coordinator reports it \(state)"
            case .failed(let why): describe = "DescribeGroups failed (\(why))"
            }
            throw LabError.notFound(
                "unknown group '\(group)': no committed offset on \(checked), and \(describe); `consume --group \(group)` creates it"
            )
        }
        return presence
    }
}

extension GroupPresence.Description {
    var stateName: String? {
        if case .state(let s, _) = self { return s }
        return nil
    }
}
