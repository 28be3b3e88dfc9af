import Foundation
import Kafka

/// What `StorageCommands.swift`'s commands run: one function per command, so that the
/// declarations stay a list of names, options and help.
extension StorageCommands {
    static func runSegments(_ ctx: CommandContext) throws {
        try ctx.arguments.expectPositionals(atMost: 2)
        let name = try ctx.session.topic(ctx.arguments.optionalPositional(0), usage: ctx.command.usage)
        let c = try ctx.session.requireConnection()
        let topic = try ctx.session.requireTopic(name)
        var partitions = topic.partitions
        if let text = ctx.arguments.optionalPositional(1) {
            let p = try Arguments.parseInt(text, name: "<partition>", range: 0...100_000, usage: ctx.command.usage)
            partitions = [try topic.partition(numbered: p)]
        }
        switch c.control {
        case .inProcessMock, .servedMock:
            var table = TextTable(headers: ["PARTITION", "LOW", "HIGH"], alignments: [.right, .right, .right])
            for p in partitions {
                let w = try c.client.watermarks(topic: name, partition: p.id)
                table.append(["\(p.id)", "\(w.low)", "\(w.high)"])
            }
            ctx.output.line(
                "embedded: there are no segment files here: librdkafka's mock keeps each partition in memory (at most ~5 MiB, oldest dropped), with no .log, .index or .timeindex files and no retention."
            )
            ctx.output.line("What it holds instead, per partition (offsets):")
            ctx.output.table(table)
            ctx.output.line(
                "On the compose cluster `segments \(name)` lists the files in \(brokerLogDirectory)/\(name)-<partition>/ on each replica."
            )
            ctx.output.setResult(
                .object([
                    ("topic", .string(name)), ("cluster", "embedded"), ("segment_files", .null),
                    ("reason", "the embedded cluster keeps partitions in memory"),
                ]))
        case .other:
            throw LabError.unsupported(
                "segment files live on the brokers' disks; kafkalab reaches them only on the project's compose cluster. On your cluster run `ls -l <log.dirs>/\(name)-0/` on a broker, or `kafka-log-dirs.sh --describe --bootstrap-server ...` for sizes"
            )
        case .compose(let access):
            let compose = try access.control(
                composeFile: ctx.arguments.value("--compose-file") ?? ctx.session.composeFile,
                purpose: "list segment files",
                example: { "docker compose -f \($0) exec kafka-1 ls -l \(brokerLogDirectory)/\(name)-0" })
            try listSegments(topic: name, partitions: partitions, compose: compose, ctx: ctx)
        }
    }
}
