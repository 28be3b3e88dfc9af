import Kafka

/// The session's librdkafka properties, as the user set them (defaults stay
/// librdkafka's). Each property lives in the scope its own table gives it:
/// producer (P), consumer (C) or both (*); `producer.<p>` / `consumer.<p>`
/// force one side of a both-scoped property.
public struct ClientSettings: Equatable, Sendable {
    public enum Scope: String, Sendable, CaseIterable { case common, producer, consumer }

    public private(set) var common: [String: String] = [:]
    public private(set) var producer: [String: String] = [:]
    public private(set) var consumer: [String: String] = [:]

    public init() {}

    /// What a `set` did, so the reply can say what changed and how to revert.
    public struct Change: Equatable, Sendable {
        public let scope: Scope
        public let key: String
        public let previous: String?
        public let value: String?
        public let isSecret: Bool
    }

    /// The properties set, as `unset` takes them: the bare name, or with its
    /// `producer.`/`consumer.` prefix where the bare name would mean the other side.
    public var unsetNames: [String] {
        Scope.allCases.flatMap { scope in
            self[scope].keys.map { key in
                (try? Self.resolve(key)).map { $0.0 == scope } ?? true ? key : "\(scope.rawValue).\(key)"
            }
        }.sorted()
    }

    /// Resolves `key` (with an optional `producer.`/`consumer.` prefix) to a
    /// scope and the property name librdkafka knows.
    public static func resolve(_ rawKey: String) throws -> (Scope, String) {
        var key = rawKey
        var forced: Scope? = nil
        for scope in [Scope.producer, .consumer] where rawKey.hasPrefix(scope.rawValue + ".") {
            let stripped = String(rawKey.dropFirst(scope.rawValue.count + 1))
            // `consumer.` is not a property prefix librdkafka uses, but guard
            // anyway: only strip when the rest is a known property.
            if ConfigCatalog.property(named: stripped) != nil { key = stripped; forced = scope }
        }
        guard let property = ConfigCatalog.property(named: key) else {
            let near = NearestNames.suggest(key, from: ConfigCatalog.names)
            let hint = near.isEmpty ? "`help config` lists them" : "did you mean " + near.joined(separator: ", ") + "?"
            throw LabError.invalid(
                "unknown property '\(key)': librdkafka \(ConfigCatalog.libraryVersion) has no such setting; \(hint)")
        }
        let natural: Scope =
            switch property.scope {
            case .both: .common
            case .producer: .producer
            case .consumer: .consumer
            }
        if let forced {
            if natural != .common && natural != forced {
                throw LabError.invalid(
                    "'\(key)' is a \(natural.rawValue) property; it cannot be set for the \(forced.rawValue)")
            }
            return (forced, key)
        }
        return (natural, key)
    }

    /// The connection's properties a setting is checked together with (security settings).
    public struct Base: Equatable, Sendable {
        public var producer: [String: String] = [:]
        public var consumer: [String: String] = [:]
        public init(producer: [String: String] = [:], consumer: [String: String] = [:]) {
            self.producer = producer
            self.consumer = consumer
        }
    }

    /// Checks that clients of both sides could be built from `base` plus these settings.
    private func checkCreatable(_ scope: Scope, over base: Base) throws {
        if scope != .consumer {
            try ClientConfig.checkCreatable(base.producer.merging(producerProperties) { $1 }, as: .producer)
        }
        if scope != .producer {
            try ClientConfig.checkCreatable(base.consumer.merging(consumerProperties) { $1 }, as: .consumer)
        }
    }

    /// Validates with librdkafka and stores; the settings are unchanged on error.
    public mutating func set(_ rawKey: String, _ value: String, over base: Base = Base()) throws -> Change {
        let (scope, key) = try Self.resolve(rawKey)
        try ClientConfig.validate(key: key, value: value)
        let previous = self[scope][key]
        var changed = self
        changed[scope][key] = value
        // librdkafka checks some properties against others only when a client
        // is created: create one now (no brokers) so `set` refuses, not a later command.
        try changed.checkCreatable(scope, over: base)
        self = changed
        return Change(scope: scope, key: key, previous: previous, value: value, isSecret: ConfigCatalog.isSecret(key))
    }

    public mutating func unset(_ rawKey: String, over base: Base = Base()) throws -> Change {
        let (scope, key) = try Self.resolve(rawKey)
        var changed = self
        let previous = changed[scope].removeValue(forKey: key)
        // Back to the default can clash with another setting too (fetch.max.bytes
        // below the default message.max.bytes): refused here, like `set`.
        if previous != nil { try changed.checkCreatable(scope, over: base) }
        self = changed
        return Change(scope: scope, key: key, previous: previous, value: nil, isSecret: ConfigCatalog.isSecret(key))
    }

    public subscript(scope: Scope) -> [String: String] {
        get {
            switch scope {
            case .common: common
            case .producer: producer
            case .consumer: consumer
            }
        }
        set {
            switch scope {
            case .common: common = newValue
            case .producer: producer = newValue
            case .consumer: consumer = newValue
            }
        }
    }

    /// The producer's properties: common ones, then producer ones (which win).
    public var producerProperties: [String: String] { common.merging(producer) { $1 } }
    public var consumerProperties: [String: String] { common.merging(consumer) { $1 } }

    /// The value the user set for `key` on one side, if any.
    public func value(_ key: String, for side: Scope) -> String? {
        switch side {
        case .producer: producerProperties[key]
        case .consumer: consumerProperties[key]
        case .common: common[key]
        }
    }

    /// A copy safe to print: secrets replaced.
    public static func masked(_ properties: [String: String]) -> [String: String] {
        properties.reduce(into: [:]) { out, kv in
            out[kv.key] = ConfigCatalog.isSecret(kv.key) ? "********" : kv.value
        }
    }
}
