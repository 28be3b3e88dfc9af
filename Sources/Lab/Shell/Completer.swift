import Kafka

/// Tab completion over commands, subcommands, options and their values,
/// property names and values, topic and group names. Pure: what lives in the
/// session or the cluster (topics, groups, the properties set) comes from
/// closures so tests can supply them.
public struct Completer {
    let dispatcher: Dispatcher
    let topics: () -> [String]
    /// Group names this session knows (joined, set as group.id, listed by the cluster).
    let groups: () -> [String]
    /// The properties set now, as `unset` takes them (`linger.ms`, `consumer.group.id`).
    let settings: () -> [String]

    public init(
        dispatcher: Dispatcher, topics: @escaping () -> [String], groups: @escaping () -> [String] = { [] },
        settings: @escaping () -> [String] = { [] }
    ) {
        self.dispatcher = dispatcher
        self.topics = topics
        self.groups = groups
        self.settings = settings
    }

    /// Values of options, wherever the option appears (`every:` waits for its number).
    static let optionValues: [String: [String]] = [
        "--from": ["beginning", "end"], "--isolation": ["read_committed", "read_uncommitted"],
        "--commit": ["auto", "every:", "off"], "--truncation": ["hw", "epoch"],
        "--payload": ["json", "random", "text"],
    ]

    /// Commands whose first word is a consumer group.
    static let groupCommands: Set<String> = ["lag", "lag watch", "group describe"]

    /// Property names `set` can take, the important ones first: a listing stops
    /// at 100 names, and the callbacks (`dr_cb`, `log_cb`) cannot be set at all.
    static let settableProperties: [String] = ConfigCatalog.names.compactMap { ConfigCatalog.property(named: $0) }
        .filter { !$0.isCallbackOnly }
        .sorted { (rank($0.importance), $0.name) < (rank($1.importance), $1.name) }
        .map(\.name)

    private static func rank(_ importance: String) -> Int {
        switch importance.trimmingCharacters(in: .whitespaces) {
        case "high": 0
        case "medium": 1
        default: 2
        }
    }

    /// Candidate words for the word being typed at the end of `lineBeforeCursor`.
    public func candidates(for lineBeforeCursor: String) -> [String] {
        var words = lineBeforeCursor.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let current = lineBeforeCursor.hasSuffix(" ") || lineBeforeCursor.isEmpty ? "" : (words.popLast() ?? "")
        func matching(_ options: [String]) -> [String] {
            Array(Set(options.filter { $0.hasPrefix(current) })).sorted()
        }
        /// In the order given (properties: the important ones first), without repeats.
        func matchingInOrder(_ options: [String]) -> [String] {
            var seen = Set<String>()
            return options.filter { $0.hasPrefix(current) && seen.insert($0).inserted }
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
        if let option = words.last, words.count > consumed, command.options.contains(option) {
            return matching(option == "--group" ? groups() : Self.optionValues[option] ?? [])
        }
        let path = words.prefix(consumed).joined(separator: " ")
        let positionalIndex = words.count - consumed
        var options: [String] = []
        if positionalIndex == 0 { options += command.subcommands.map(\.name) }
        if Self.groupCommands.contains(path) {
            return positionalIndex == 0 ? matching(options + groups()) : []
        }
        switch command.completes {
        case .nothing: break
        case .topics: if positionalIndex == 0 || !command.subcommands.isEmpty { options += topics() }
        case .properties where path == "unset":
            if positionalIndex == 0 { options += settings() }
        case .properties:
            if positionalIndex == 0 {
                let scoped = Self.settableProperties.flatMap { ["producer." + $0, "consumer." + $0] }.filter {
                    $0.hasPrefix(current) && !current.isEmpty
                }
                return matchingInOrder(Self.settableProperties + scoped)
            }
            if positionalIndex == 1 {
                let key = words[consumed]
                let bare = ["producer.", "consumer."].reduce(key) {
                    $0.hasPrefix($1) ? String($0.dropFirst($1.count)) : $0
                }
                return matchingInOrder(ConfigCatalog.property(named: bare)?.completableValues ?? [])
            }
        case .words(let w): if positionalIndex == 0 { options += w }
        case .computedWords(let make): if positionalIndex == 0 { options += make() }
        }
        return matching(options)
    }
}
