import Foundation
import Kafka

/// Where a connection property was set: a line of a properties file, or `-X` on the command line.
public struct PropertyOrigin: Equatable, Sendable, CustomStringConvertible {
    public let file: String?
    public let line: Int?

    public static func file(_ path: String, line: Int) -> PropertyOrigin { PropertyOrigin(file: path, line: line) }
    /// `-X key=value` on kafkalab's command line.
    public static let commandLine = PropertyOrigin(file: nil, line: nil)

    public var description: String { file.map { "\($0):\(line ?? 0)" } ?? "-X" }
}

/// Which kind of librdkafka handle a property set is for: a file's producer-only
/// properties go to producers, consumer-only ones to consumers, and the admin
/// handle (a producer-type handle that sends no records) gets the common ones only.
public enum ClientSide: String, Sendable, CaseIterable {
    case producer, consumer, admin
}

/// The properties a connection gives every client it makes: what `--cluster`,
/// `--config` files and `-X` set, in librdkafka's names, each with where it was
/// set, and the bootstrap list they name. Built by `add`, which refuses a whole
/// source in one line when any key of it cannot be honoured (nothing of it is kept).
public struct ClusterProfile: Equatable, Sendable {
    public struct Property: Equatable, Sendable {
        public let value: String
        public let origin: PropertyOrigin
    }

    /// The bootstrap list the sources named (the last one wins), and where.
    public private(set) var bootstrap: String?
    public private(set) var bootstrapOrigin: PropertyOrigin?
    /// librdkafka properties; a later source's value replaces an earlier one's.
    public private(set) var properties: [String: Property] = [:]
    /// Lines to tell the user once (keys translated or ignored); never a value.
    public private(set) var notes: [String] = []

    public init() {}

    public var isEmpty: Bool { properties.isEmpty && bootstrap == nil }

    /// Adds the entries of a properties file (`path` only names it in origins and errors).
    public mutating func add(fileText: String, path: String) throws {
        let entries: [JavaProperties.Entry]
        do {
            entries = try JavaProperties.parse(fileText)
        } catch let malformed as JavaProperties.Malformed {
            throw LabError.invalid("\(path): \(malformed.description)")
        }
        try add(entries.map { .init(key: $0.key, value: $0.value, origin: .file(path, line: $0.line)) })
    }

    /// Adds one `-X key=value`.
    public mutating func add(setting: String) throws {
        guard let equals = setting.firstIndex(of: "="), equals != setting.startIndex else {
            throw LabError.invalid("-X takes key=value (a librdkafka property, as kcat's -X), not '\(setting)'")
        }
        let key = String(setting[..<equals]).trimmingCharacters(in: .whitespaces)
        let value = String(setting[setting.index(after: equals)...])
        try add([.init(key: key, value: value, origin: .commandLine)])
    }

    /// Translates, validates with librdkafka, and keeps the source's properties,
    /// or throws one line listing every problem and keeps nothing of it.
    mutating func add(_ inputs: [JavaClientKeys.Input]) throws {
        let translation = JavaClientKeys.translate(inputs)
        var problems = translation.problems
        var changed = self
        for p in translation.properties {
            do {
                try ClientConfig.validate(key: p.key, value: p.value)
                changed.properties[p.key] = Property(value: p.value, origin: p.origin)
            } catch {
                problems.append(
                    "\(p.origin): \(p.key): " + Self.masked(describeError(error), key: p.key, value: p.value))
            }
        }
        if problems.isEmpty {
            // librdkafka judges some properties only together (a key file that
            // does not exist, a mechanism without its settings): built once here,
            // without brokers, so a bad file is refused now rather than at the first command.
            for (side, kind) in [(ClientSide.producer, ClientConfig.ClientKind.producer), (.consumer, .consumer)] {
                do {
                    try ClientConfig.checkCreatable(changed.properties(for: side), as: kind)
                } catch {
                    let text = changed.properties.reduce(describeError(error)) {
                        Self.masked($0, key: $1.key, value: $1.value.value)
                    }
                    problems.append("librdkafka refuses these properties together: \(text)")
                    break
                }
            }
        }
        guard problems.isEmpty else {
            throw LabError.invalid(problems.joined(separator: "; "))
        }
        if let b = translation.bootstrap {
            changed.bootstrap = b.value
            changed.bootstrapOrigin = b.origin
        }
        changed.notes += translation.notes
        self = changed
    }

    /// A librdkafka message with a secret's value (which it may quote) masked.
    static func masked(_ message: String, key: String, value: String) -> String {
        guard ConfigCatalog.isSecret(key), !value.isEmpty else { return message }
        return message.replacingOccurrences(of: value, with: "********")
    }

    /// The properties for one kind of client, by each property's scope in librdkafka's table.
    public func properties(for side: ClientSide) -> [String: String] {
        properties.reduce(into: [:]) { out, kv in
            let scope = ConfigCatalog.property(named: kv.key)?.scope ?? .both
            let applies =
                switch side {
                case .producer: scope != .consumer
                case .consumer: scope != .producer
                case .admin: scope == .both
                }
            if applies { out[kv.key] = kv.value.value }
        }
    }

    /// Every property with its value as it may be printed, and where it was set, by name.
    public var displayRows: [(property: String, value: String, origin: String)] {
        var rows = properties.keys.sorted().map { key in
            (key, Secrets.display(key, properties[key]!.value), properties[key]!.origin.description)
        }
        if let bootstrap, let bootstrapOrigin {
            rows.insert(("bootstrap.servers", bootstrap, bootstrapOrigin.description), at: 0)
        }
        return rows
    }
}
