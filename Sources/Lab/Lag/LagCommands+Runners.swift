import Foundation
import Kafka

/// What `LagCommands.swift`'s commands run: one function per command, so that the
/// declarations stay a list of names, options and help.
extension LagCommands {
    static func runLag(_ ctx: CommandContext) throws {
        let args = ctx.arguments
        try args.expectPositionals(atMost: 1)
        let group = try Arguments.checkGroupName(args.positional(0, "<group>"))
        var target = try LagTarget.resolve(group: group, topic: args.value("--topic"), ctx: ctx)
        let offsets = try LagTarget.offsets(group: group, partitions: target.partitions, client: target.client)
        _ = try target.requirePresence(anyCommit: offsets.contains { $0.committed != nil }, session: ctx.session)
        let full = LagTable(offsets, owners: target.owners)
        let table = args.has("--lagging") ? full.laggingOnly : full
        printLagTable(table, full: full, target: target, lagging: args.has("--lagging"), ctx: ctx)
    }

    static func runWatch(_ ctx: CommandContext) throws {
        let args = ctx.arguments
        try args.expectPositionals(atMost: 1)
        let group = try Arguments.checkGroupName(args.positional(0, "<group>"))
        let options = try LagWatchOptions(args, defaultInterval: 2, defaultDuration: 60, defaultWindow: 10)
        var target = try LagTarget.resolve(group: group, topic: args.value("--topic"), ctx: ctx)
        let first = try LagTarget.offsets(group: group, partitions: target.partitions, client: target.client)
        _ = try target.requirePresence(anyCommit: first.contains { $0.committed != nil }, session: ctx.session)
        ctx.output.hint(
            "watching group \(group) every \(Arguments.formatDuration(options.interval)) for \(Arguments.formatDuration(options.duration)) (Ctrl-C stops): \(target.topicsExplanation)"
        )
        let loop = LagWatchLoop(ctx: ctx, target: target, options: options)
        loop.run()
    }

    static func runGroups(_ ctx: CommandContext) throws {
        try ctx.arguments.expectPositionals(atMost: 0)
        let c = try ctx.session.requireConnection()
        let joined = ctx.session.joinedGroups.names
        let listings: [GroupListing]
        do {
            let result = try c.client.listGroups()
            listings = result.groups
            // ListGroups asks every broker: keep what the others listed.
            for e in result.errors {
                ctx.output.warning(
                    "one broker could not list its groups (\(e.name): \(e.message)); the list below may be incomplete")
            }
        } catch let e as KafkaError where e.code == KafkaErrorCode.unsupportedFeature || !c.can(.describeGroups) {
            // A failure (stderr, non-zero exit), not a listing: a script must not read "no groups".
            let seen =
                joined.isEmpty
                ? "none (`consume --group G` makes one)"
                : joined.joined(separator: ", ") + " (`lag <group>` shows their lag)"
            throw LabError.unsupported(
                "the \(c.control.isMock ? "embedded" : "connected") cluster does not support ListGroups (\(e.name)), so it cannot list its consumer groups (run `groups` on the compose cluster: `connect compose`); groups this session's consumers joined: \(seen)"
            )
        }
        var t = TextTable(headers: ["GROUP", "STATE", "MEMBERS", "TYPE"], alignments: [.left, .left, .right, .left])
        var json: [JSONValue] = []
        for g in listings {
            let members = (try? c.client.describeGroup(g.id))?.members.count
            t.append([g.id, g.state, members.map(String.init) ?? "?", g.isSimple ? "simple" : "consumer"])
            json.append(
                .object([
                    ("group", .string(g.id)), ("state", .string(g.state)), ("members", .optional(members)),
                    ("simple", .bool(g.isSimple)),
                ]))
        }
        if listings.isEmpty { ctx.output.line("no consumer groups on this cluster") } else { ctx.output.table(t) }
        ctx.output.setResult(.object([("groups", .array(json))]))
    }

    static func printLagTable(_ table: LagTable, full: LagTable, target: LagTarget, lagging: Bool, ctx: CommandContext)
    {
        let out = ctx.output
        let group = target.group
        out.hint("group \(group): \(target.topicsExplanation)")
        if table.rows.isEmpty {
            out.line("no partition of group \(group) lags (\(full.rows.count) partition(s) checked, total lag 0)")
        } else {
            var t = TextTable(
                headers: [
                    "GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST",
                    "CLIENT-ID",
                ],
                alignments: [.left, .left, .right, .right, .right, .right, .left, .left, .left])
            for r in table.rows {
                t.append([
                    group, r.topic, "\(r.partition)", LagFormat.committed(r.committed), "\(r.logEnd)", "\(r.lag)",
                    r.owner?.memberId ?? "-", r.owner?.host ?? "-", r.owner?.clientId ?? "-",
                ])
            }
            out.longTable(t, all: ctx.arguments.has("--all"), noun: "partitions")
            for total in table.topicTotals {
                var line = "\(total.topic): lag \(total.lag) message(s) over \(total.partitions) partition(s)"
                if total.partitionsWithoutCommit > 0 { line += ", \(total.partitionsWithoutCommit) with no commits" }
                out.line(line)
            }
            out.line(
                "group \(group): total lag \(table.totalLag) message(s)"
                    + (lagging ? " on \(table.rows.count) lagging of \(full.rows.count) partition(s)" : ""))
        }
        if !full.hasAnyCommit {
            out.warning(
                "group \(group) has committed nothing on these partitions (\(target.presenceEvidence ?? "it exists")): lag is the whole retained log"
            )
        }
        if target.description == .unsupported {
            out.hint(
                "embedded: no DescribeGroups, so member, host and client id are unknown (\"-\"); the compose cluster shows them"
            )
        }
        out.setResult(
            .object([
                ("group", .string(group)),
                ("topics", .strings(target.topics)),
                ("topics_from", .string(target.topicsExplanation)),
                ("group_state", .optional(target.description.stateName)),
                ("lagging_only", .bool(lagging)),
                (
                    "partitions",
                    .array(
                        table.rows.map { r in
                            .object([
                                ("topic", .string(r.topic)), ("partition", .integer(r.partition)),
                                ("committed", .optional(r.committed)), ("log_end", .integer(r.logEnd)),
                                ("lag", .integer(r.lag)),
                                ("no_commits", .bool(!r.hasCommit)),
                                ("member_id", .optional(r.owner?.memberId)), ("host", .optional(r.owner?.host)),
                                ("client_id", .optional(r.owner?.clientId)),
                            ])
                        })
                ),
                (
                    "topic_totals",
                    .array(
                        table.topicTotals.map { t in
                            .object([
                                ("topic", .string(t.topic)), ("partitions", .integer(t.partitions)),
                                ("lag", .integer(t.lag)),
                                ("partitions_without_commit", .integer(t.partitionsWithoutCommit)),
                            ])
                        })
                ),
                ("total_lag", .integer(table.totalLag)),
            ]))
    }
}
