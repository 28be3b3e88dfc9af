import Foundation
import Kafka

/// `cluster` and the `topic` family: what the cluster holds.
enum TopicCommands {
    static var all: [Command] { [cluster, topic] }

    static let cluster = Command(
        "cluster", summary: "brokers, the active controller (compose: from the KRaft quorum) and cluster id",
        usage: "cluster",
        details:
            "In KRaft the controller id of a Metadata response is a random live broker, not the active controller (nodes 101-103 on the compose cluster): kafkalab does not call it the controller. On the compose cluster the active controller comes from `kafka-metadata-quorum.sh describe --status` inside a controller container. The embedded cluster has no controller at all."
    ) { ctx in try runCluster(ctx) }

    static let topic = Command(
        "topic", summary: "create, list, describe or delete topics",
        usage: "topic create|list|describe|delete ...",
        subcommands: [create, list, describe, delete]
    )

    static let create = Command(
        "create", summary: "create a topic",
        usage:
            "topic create <name> [--partitions N] [--replication-factor N] [--config key=value]... [--if-not-exists]",
        flags: ["--if-not-exists"], options: ["--partitions", "--replication-factor", "--config"],
        details:
            "--if-not-exists accepts a topic that is already there, as it is (scripts that replay on a cluster that keeps its topics)."
    ) { ctx in try runCreate(ctx) }

    /// `topic create --if-not-exists` on a topic that exists: says so, changes nothing.
    static func acceptExisting(_ topic: TopicInfo, askedPartitions: Int?, ctx: CommandContext) throws {
        let count = topic.partitions.count
        ctx.output.line(
            "\(topic.name) already exists with \(count) partition\(count == 1 ? "" : "s"); --if-not-exists leaves it as it is"
        )
        if let askedPartitions, askedPartitions != count {
            ctx.output.warning(
                "\(topic.name) has \(count) partitions, not the \(askedPartitions) asked for; partition counts differ from a fresh run"
            )
        }
        if ctx.session.currentTopic == nil { ctx.session.currentTopic = topic.name }
        ctx.output.setResult(
            .object([("topic", .string(topic.name)), ("created", false), ("partitions", .integer(count))]))
    }

    static let list = Command(
        "list", summary: "topics with partition counts and replication factor",
        usage: "topic list [--internal]", flags: ["--internal"]
    ) { ctx in try runList(ctx) }

    static let describe = Command(
        "describe", summary: "per partition: leader, replicas, ISR, low and high watermark",
        usage: "topic describe [<name>] [--all]", flags: ["--all"],
        details:
            "A topic of more than 20 partitions gets a one-line digest first (leaders per broker, under-replicated partitions, messages); at a terminal a table longer than the screen is cut after the rows that fit, with a line saying how many more there are (--all prints every row; piped output and --json always have every row).",
        completes: .topics
    ) { ctx in try runDescribe(ctx) }

    static let delete = Command(
        "delete", summary: "delete a topic (real clusters only)",
        usage: "topic delete <name>", completes: .topics
    ) { ctx in try runDelete(ctx) }
}
