/// `explain`: the teaching texts of `Concepts`, tied to the commands that show them.
enum ExplainCommands {
    static var all: [Command] { [explain] }

    static let explain = Command(
        "explain", summary: "a short, precise text on a Kafka concept (isr, hw, acks, ...); no argument lists them",
        usage: "explain [<concept>]",
        details: "Each text ends with the commands that let you see the concept at work.",
        completes: .computedWords { Concepts.names }
    ) { ctx in try runExplain(ctx) }
}
