/// The typed results of the session commands: each renders its own text, and its JSON is its
/// encoding (`CommandResult`).

/// `use <topic>`.
struct UseResult: CommandResult {
    let topic: String
    let partitions: Int

    func render(into output: Output) {
        output.line("using \(topic) (\(partitions) partitions)")
    }
}

/// `set <property> <value>`: a secret's values are already masked here.
struct SetResult: CommandResult {
    let scope: String
    let property: String
    let previous: String?
    let value: String
    let revert: String

    func render(into output: Output) {
        output.line("\(property) (\(scope)): \(previous ?? "default") → \(value); to revert: \(revert)")
    }
}
