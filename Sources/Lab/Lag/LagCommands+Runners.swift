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
        ctx.output.emit(LagWatchLoop(ctx: ctx, target: target, options: options).run())
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
        ctx.output.emit(
            GroupListResult(
                groups: listings.map { g in
                    GroupListResult.Group(
                        group: g.id, state: g.state, members: (try? c.client.describeGroup(g.id))?.members.count,
                        simple: g.isSimple)
                }))
    }

    static func printLagTable(_ table: LagTable, full: LagTable, target: LagTarget, lagging: Bool, ctx: CommandContext)
    {
        ctx.output.emit(
            LagResult(
                group: target.group, topics: target.topics, topicsFrom: target.topicsExplanation,
                groupState: target.description.stateName, laggingOnly: lagging,
                partitions: table.rows.map(LagResult.Partition.init), topicTotals: table.topicTotals,
                totalLag: table.totalLag, partitionsChecked: full.rows.count,
                ownersUnknown: target.description == .unsupported, showAll: ctx.arguments.has("--all")))
        if !full.hasAnyCommit {
            ctx.output.warning(
                "group \(target.group) has committed nothing on these partitions (\(target.presenceEvidence ?? "it exists")): lag is the whole retained log"
            )
        }
    }
}
