import Foundation
import Kafka

/// What `TopicCommands.swift`'s commands run: one function per command, so that the
/// declarations stay a list of names, options and help.
extension TopicCommands {
    static func runCluster(_ ctx: CommandContext) throws {
        try ctx.arguments.expectPositionals(atMost: 0)
        let c = try ctx.session.requireConnection()
        let md = try c.client.metadata()
        let clusterId = c.client.clusterId(timeoutMs: 1_000)
        let controller = ClusterController.find(on: c, composeFile: ctx.session.composeFile)
        let stopped = c.control.stoppedBrokers
        var ids = Set(md.brokers.map(\.id))
        ids.formUnion(stopped)
        let brokers = ids.sorted().map { id in
            ClusterOverviewResult.Broker(
                id: id, address: md.brokers.first { $0.id == id }?.address ?? "-",
                state: stopped.contains(id) ? "stopped" : "up")
        }
        ctx.output.emit(
            ClusterOverviewResult(
                cluster: c.label, clusterID: clusterId, activeController: controller.id,
                activeControllerSource: controller.source, topics: md.topics.count, brokers: brokers,
                controllerText: controller.text))
        if let note = controller.note { ctx.output.hint(note) }
        if c.control.isMock {
            ctx.output.hint("embedded: a stopped broker keeps its place in metadata")
        }
    }

    static func runCreate(_ ctx: CommandContext) throws {
        try ctx.arguments.expectPositionals(atMost: 1)
        let name = try ctx.arguments.positional(0, "<name>")
        try TopicName.validate(name)
        let c = try ctx.session.requireConnection()
        let partitions = try ctx.arguments.int("--partitions", default: 3, range: 1...10_000)
        let brokers = try c.client.metadata().brokers.count
        let rf = try ctx.arguments.int("--replication-factor", default: min(3, max(brokers, 1)), range: 1...brokers)
        var configs: [String: String] = [:]
        for pair in ctx.arguments.values("--config") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw ctx.usageError("--config takes key=value, not '\(pair)'")
            }
            configs[parts[0]] = parts[1]
        }
        if let existing = try c.client.metadata().topic(name) {
            guard ctx.arguments.has("--if-not-exists") else {
                throw LabError.invalid(
                    "topic '\(name)' already exists (`topic describe \(name)`; --if-not-exists accepts it)")
            }
            try acceptExisting(
                existing, askedPartitions: ctx.arguments.value("--partitions") == nil ? nil : partitions, ctx: ctx)
            return
        }
        _ = try c.ensureTopic(
            name, partitions: Int32(partitions), replicationFactor: Int32(rf), configs: configs,
            cancellation: ctx.cancellation)
        ctx.output.emit(
            TopicCreatedResult(
                topic: name, partitions: partitions, replicationFactor: rf, properties: PropertyValues(configs)))
        if c.control.isMock {
            if !configs.isEmpty {
                ctx.output.warning(
                    "embedded: topic configs are not stored by the mock cluster (no DescribeConfigs); they take effect on real Kafka only"
                )
            }
            if rf != min(3, brokers) {
                ctx.output.warning(
                    "embedded: the mock ignores the replication factor; every partition gets \(min(3, brokers)) replicas"
                )
            }
        }
        if ctx.session.currentTopic == nil { ctx.session.currentTopic = name }
    }

    static func runList(_ ctx: CommandContext) throws {
        try ctx.arguments.expectPositionals(atMost: 0)
        let md = try ctx.session.requireConnection().client.metadata()
        var table = TextTable(
            headers: ["TOPIC", "PARTITIONS", "RF", "UNDER-REPLICATED"], alignments: [.left, .right, .right, .right])
        table.jsonKeys = ["topic", "partitions", "replication_factor", "under_replicated"]
        for t in md.topics where ctx.arguments.has("--internal") || !t.isInternal {
            let rf = t.partitions.map(\.replicas.count).max() ?? 0
            let under = t.partitions.filter { Set($0.isr).count < Set($0.replicas).count }.count
            table.append([t.name, "\(t.partitions.count)", "\(rf)", "\(under)"])
        }
        if table.rows.isEmpty && !ctx.output.isJSON {
            ctx.output.line("no topics yet (`topic create <name>`)")
        } else {
            ctx.output.table(table)
        }
    }

    static func runDescribe(_ ctx: CommandContext) throws {
        try ctx.arguments.expectPositionals(atMost: 1)
        let name = try ctx.session.topic(ctx.arguments.optionalPositional(0), usage: ctx.command.usage)
        let c = try ctx.session.requireConnection()
        let topic = try ctx.session.requireTopic(name)
        let offsets = PartitionEndOffsets.read(
            topic, brokers: (try? c.client.metadata().brokers) ?? [], client: c.client,
            lastStable: !c.control.isMock)
        let result = TopicDescribeResult(
            topic: name,
            partitions: topic.partitions.map { p in
                let w = offsets[p.id]?.watermarks
                return TopicDescribeResult.Partition(
                    partition: p.id, leader: p.leader, replicas: p.replicas, isr: p.isr, lowWatermark: w?.low,
                    highWatermark: w?.high, lastStableOffset: offsets[p.id]?.lastStable)
            }, showAll: ctx.arguments.has("--all"))
        ctx.output.emit(result)
        if result.showsLastStableOffset {
            ctx.output.hint(
                "LSO below HIGH: a transaction on that partition is open (or its marker not yet written); read_committed consumers stop at the LSO, read_uncommitted ones at HIGH"
            )
        }
        if offsets.values.contains(where: { $0.watermarks == nil }) {
            ctx.output.hint(
                "?: the leader refused the connection or did not answer within 3 s (a killed broker stays leader in metadata until it is fenced); kafkalab did not ask it again"
            )
        }
        if !c.can(.replication) {
            ctx.output.hint("embedded: ISR always equals the replica list (no replication runs)")
        }
    }

    static func runDelete(_ ctx: CommandContext) throws {
        try ctx.arguments.expectPositionals(atMost: 1)
        let name = try ctx.arguments.positional(0, "<name>")
        let c = try ctx.session.requireConnection()
        if let reason = c.cannot(.deleteTopics) {
            throw LabError.unsupported(
                "\(reason); reconnect (`connect embedded`) for a fresh cluster"
            )
        }
        _ = try ctx.session.requireTopic(name)
        try c.client.deleteTopic(name)
        if ctx.session.currentTopic == name { ctx.session.currentTopic = nil }
        ctx.output.line("deleted \(name)")
    }
}
