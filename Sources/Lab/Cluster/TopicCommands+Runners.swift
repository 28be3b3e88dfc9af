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
        var table = TextTable(headers: ["BROKER", "ADDRESS", "STATE"])
        var ids = Set(md.brokers.map(\.id))
        ids.formUnion(stopped)
        var rows: [JSONValue] = []
        for id in ids.sorted() {
            let address = md.brokers.first { $0.id == id }?.address ?? "-"
            let state = stopped.contains(id) ? "stopped" : "up"
            table.append(["\(id)", address, state])
            rows.append(.object([("id", .integer(id)), ("address", .string(address)), ("state", .string(state))]))
        }
        ctx.output.line(
            "cluster \(c.label)  id \(clusterId ?? "(not reported)")  active controller \(controller.text)  topics \(md.topics.count)"
        )
        ctx.output.table(table)
        if let note = controller.note { ctx.output.hint(note) }
        if c.control.isMock {
            ctx.output.hint("embedded: a stopped broker keeps its place in metadata")
        }
        ctx.output.setResult(
            .object([
                ("cluster", .string(c.label)), ("cluster_id", .optional(clusterId)),
                ("active_controller", .optional(controller.id)),
                ("active_controller_source", .string(controller.source)),
                ("topics", .integer(md.topics.count)), ("brokers", .array(rows)),
            ]))
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
        ctx.output.line(
            "created \(name): \(partitions) partitions, replication factor \(rf)"
                + (configs.isEmpty
                    ? ""
                    : ", " + configs.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
        )
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
        ctx.output.setResult(
            .object([
                ("topic", .string(name)), ("partitions", .integer(partitions)), ("replication_factor", .integer(rf)),
                ("properties", .object(configs.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ]))
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
        let showLso = offsets.values.contains { $0.lastStable != nil && $0.lastStable != $0.watermarks?.high }
        let headers: [String] =
            ["PARTITION", "LEADER", "REPLICAS", "ISR", "LOW", "HIGH"] + (showLso ? ["LSO"] : []) + ["MESSAGES"]
        let alignments: [TextTable.Alignment] = headers.map { ["REPLICAS", "ISR"].contains($0) ? .left : .right }
        var table = TextTable(headers: headers, alignments: alignments)
        var json: [JSONValue] = []
        for p in topic.partitions {
            let w = offsets[p.id]?.watermarks
            let lso = offsets[p.id]?.lastStable
            let leader = p.leader < 0 ? "none" : "\(p.leader)"
            var cells: [String] = [
                "\(p.id)", leader, p.replicas.map(String.init).joined(separator: ","),
                p.isr.map(String.init).joined(separator: ","),
            ]
            cells.append(w.map { "\($0.low)" } ?? "?")
            cells.append(w.map { "\($0.high)" } ?? "?")
            if showLso { cells.append(lso.map { "\($0)" } ?? "?") }
            cells.append(w.map { "\($0.messageCount)" } ?? "?")
            table.append(cells)
            json.append(
                .object([
                    ("partition", .integer(p.id)), ("leader", .integer(p.leader)), ("replicas", .ints(p.replicas)),
                    ("isr", .ints(p.isr)), ("low_watermark", .optional(w?.low)), ("high_watermark", .optional(w?.high)),
                    ("last_stable_offset", .optional(lso)),
                ]))
        }
        ctx.output.line(
            "Topic: \(name)  PartitionCount: \(topic.partitions.count)  ReplicationFactor: \(topic.partitions.map(\.replicas.count).max() ?? 0)"
        )
        if topic.partitions.count > PartitionDigest.threshold {
            ctx.output.line(
                PartitionDigest.line(
                    topic.partitions.map {
                        PartitionDigest.Row(
                            leader: $0.leader, replicas: $0.replicas.count, isr: $0.isr.count,
                            low: offsets[$0.id]?.watermarks?.low, high: offsets[$0.id]?.watermarks?.high)
                    }))
        }
        ctx.output.longTable(table, all: ctx.arguments.has("--all"), noun: "partitions")
        ctx.output.setResult(.object([("topic", .string(name)), ("partitions", .array(json))]))
        if showLso {
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
