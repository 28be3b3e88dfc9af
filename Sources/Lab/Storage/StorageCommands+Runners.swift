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
            var held: [SegmentsResult.InMemoryPartition] = []
            for p in partitions {
                let w = try c.client.watermarks(topic: name, partition: p.id)
                held.append(.init(partition: p.id, lowWatermark: w.low, highWatermark: w.high))
            }
            ctx.output.emit(
                SegmentsResult(
                    topic: name, cluster: "embedded", segmentFiles: nil,
                    reason: "the embedded cluster keeps partitions in memory", partitions: held))
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
