import Foundation
import Kafka

/// What `ReplicationCommands+MinIsr.swift`'s commands run: one function per command, so that the
/// declarations stay a list of names, options and help.
extension ReplicationCommands {
    static func runMinIsrDemo(_ ctx: CommandContext) throws {
        let args = ctx.arguments
        try args.expectPositionals(atMost: 1)
        let topic = args.optionalPositional(0) ?? "min-isr-demo"
        try TopicName.validate(topic)
        let wait = try args.seconds("--wait", default: 60, minimum: 1, maximum: 3_600)
        let c = try ctx.session.requireConnection()
        try MinIsrDemo(
            topic: topic, connection: c, wait: wait,
            composeFile: args.value("--compose-file") ?? ctx.session.composeFile, out: ctx.output,
            cancellation: ctx.cancellation
        ).run()
    }
}
