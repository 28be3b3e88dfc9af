import Kafka

/// Tab completion over commands, subcommands, options, property names and
/// topic names. Pure: topic names come from a closure so tests can supply them.
public struct Completer {
    let dispatcher: Dispatcher
    let topics: () -> [String]

    public init(dispatcher: Dispatcher, topics: @escaping () -> [String]) {
        self.dispatcher = dispatcher
        self.topics = topics
    }

    /// Candidate words for the word being typed at the end of `lineBeforeCursor`.
    public func candidates(for lineBeforeCursor: String) -> [String] {
        var words = lineBeforeCursor.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let current = lineBeforeCursor.hasSuffix(" ") || lineBeforeCursor.isEmpty ? "" : (words.popLast() ?? "")
        func matching(_ options: [String]) -> [String] {
            Array(Set(options.filter { $0.hasPrefix(current) })).sorted()
        }
        guard let first = words.first else {
            return matching(dispatcher.commands.map(\.name) + ["quit"])
        }
        if first == "help" {
            if words.count == 1 { return matching(dispatcher.commands.map(\.name) + ["config"]) }
            if words.count == 2 && words[1] == "config" { return matching(ConfigCatalog.names) }
            return []
        }
        guard var command = dispatcher.command(named: first) else { return [] }
        var consumed = 1
        while consumed < words.count, let sub = command.subcommand(words[consumed]) {
            command = sub
            consumed += 1
        }
        if current.hasPrefix("--") { return matching(command.flags + command.options + ["--json"]) }
        let positionalIndex = words.count - consumed
        var options: [String] = []
        if positionalIndex == 0 { options += command.subcommands.map(\.name) }
        switch command.completes {
        case .nothing: break
        case .topics: if positionalIndex == 0 || !command.subcommands.isEmpty { options += topics() }
        case .properties:
            if positionalIndex == 0 {
                options += ConfigCatalog.names
                options += ConfigCatalog.names.flatMap { ["producer." + $0, "consumer." + $0] }.filter {
                    $0.hasPrefix(current) && !current.isEmpty
                }
            }
        case .words(let w): if positionalIndex == 0 { options += w }
        case .computedWords(let make): if positionalIndex == 0 { options += make() }
        }
        return matching(options)
    }
}
