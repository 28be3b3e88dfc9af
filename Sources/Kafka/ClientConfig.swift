import CRdKafka
import Foundation
import Synchronization

/// Builds and checks librdkafka configurations. Validation is librdkafka's
/// own (`rd_kafka_conf_set`), so a bad key or value is refused with the
/// library's message, never with a guess of ours.
public enum ClientConfig {
    /// Checks one property: exact numbers within the documented range and
    /// bounded lengths first (`PropertyValueCheck`), then librdkafka's own
    /// parser; throws a one-line message saying what is allowed.
    public static func validate(key: String, value: String) throws {
        if let property = ConfigCatalog.property(named: key) {
            try PropertyValueCheck.check(property, value)
        }
        let conf = rd_kafka_conf_new()!
        defer { rd_kafka_conf_destroy(conf) }
        try set(conf, key, value)
    }

    public enum ClientKind: Sendable { case producer, consumer }

    /// Creates (and at once destroys) a client with these properties and no
    /// brokers, so librdkafka's checks that only run at `rd_kafka_new` (one
    /// property against another: `fetch.max.bytes` >= `message.max.bytes`,
    /// `transactional.id` needs idempotence, ...) refuse a `set` instead of a
    /// later command. Takes a few milliseconds; nothing connects.
    public static func checkCreatable(_ config: [String: String], as kind: ClientKind) throws {
        var props = config
        props["bootstrap.servers"] = nil
        props["metadata.broker.list"] = nil
        let conf = try makeConf(props)
        rd_kafka_conf_set_log_cb(conf, silentLogLine)
        let rk = try makeHandle(type: kind == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER, conf: conf)
        rd_kafka_destroy(rk)
    }

    /// Reads back what librdkafka would use for each key after defaults and
    /// aliases are applied (e.g. the effective `batch.num.messages`), including
    /// topic-level properties (acks, compression.level, ...), which librdkafka
    /// keeps in the default topic configuration that `rd_kafka_conf_get` does
    /// not consult.
    public static func effectiveValues(of config: [String: String], keys: [String]) throws -> [String: String] {
        let conf = try makeConf(config)
        defer { rd_kafka_conf_destroy(conf) }
        // Borrowed from `conf` when the config set a topic property; otherwise a
        // fresh one holding librdkafka's defaults, destroyed here.
        let owned: OpaquePointer? = rd_kafka_conf_get_default_topic_conf(conf) == nil ? rd_kafka_topic_conf_new() : nil
        defer { if let owned { rd_kafka_topic_conf_destroy(owned) } }
        let topicConf = rd_kafka_conf_get_default_topic_conf(conf) ?? owned
        var out: [String: String] = [:]
        for key in keys {
            var size = 0
            if rd_kafka_conf_get(conf, key, nil, &size) == RD_KAFKA_CONF_OK, size > 0 {
                var buf = [CChar](repeating: 0, count: size)
                if rd_kafka_conf_get(conf, key, &buf, &size) == RD_KAFKA_CONF_OK { out[key] = String(cBuffer: buf) }
            } else if let topicConf, rd_kafka_topic_conf_get(topicConf, key, nil, &size) == RD_KAFKA_CONF_OK, size > 0 {
                var buf = [CChar](repeating: 0, count: size)
                if rd_kafka_topic_conf_get(topicConf, key, &buf, &size) == RD_KAFKA_CONF_OK {
                    out[key] = String(cBuffer: buf)
                }
            }
        }
        return out
    }

    /// A fresh `rd_kafka_conf_t` with every property set, in a stable order.
    /// The caller owns the result (hands it to `rd_kafka_new` or destroys it).
    static func makeConf(_ config: [String: String]) throws -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        do {
            for key in config.keys.sorted() {
                try set(conf, key, config[key]!)
            }
        } catch {
            rd_kafka_conf_destroy(conf)
            throw error
        }
        return conf
    }

    static func set(_ conf: OpaquePointer, _ key: String, _ value: String) throws {
        var errstr = [CChar](repeating: 0, count: 512)
        let result = rd_kafka_conf_set(conf, key, value, &errstr, errstr.count)
        guard result == RD_KAFKA_CONF_OK else {
            throw KafkaError.invalidArgument(String(cBuffer: errstr))
        }
    }
}

/// Creates an `rd_kafka_t`, turning librdkafka's error string into a KafkaError.
/// On success `rd_kafka_new` owns `conf`; on failure the conf is destroyed here.
func makeHandle(type: rd_kafka_type_t, conf: OpaquePointer) throws -> OpaquePointer {
    ClientCreationLog.record(type: type, conf: conf)
    var errstr = [CChar](repeating: 0, count: 512)
    guard let rk = rd_kafka_new(type, conf, &errstr, errstr.count) else {
        rd_kafka_conf_destroy(conf)
        throw KafkaError.invalidArgument(String(cBuffer: errstr))
    }
    return rk
}

/// Records the final configuration of every client handle made while it is
/// started: what `rd_kafka_conf_dump` reports just before `rd_kafka_new`, after
/// every property was set and aliases resolved. Tests use it to check that every
/// kind of client a command makes gets the connection's properties; nothing in
/// the shell starts one, and with none started a client pays one lock.
public final class ClientCreationLog: Sendable {
    public struct Entry: Sendable {
        /// "producer" or "consumer" (the admin handle is a producer-type handle).
        public let type: String
        public let config: [String: String]
    }

    private static let started = Mutex<[ObjectIdentifier: ClientCreationLog]>([:])
    private let entries = Mutex<[Entry]>([])

    public init() {}

    public func start() { Self.started.withLock { $0[ObjectIdentifier(self)] = self } }
    public func stop() { _ = Self.started.withLock { $0.removeValue(forKey: ObjectIdentifier(self)) } }
    public var recorded: [Entry] { entries.withLock { $0 } }

    static func record(type: rd_kafka_type_t, conf: OpaquePointer) {
        let logs = started.withLock { Array($0.values) }
        guard !logs.isEmpty else { return }
        var count = 0
        guard let dump = rd_kafka_conf_dump(conf, &count) else { return }
        defer { rd_kafka_conf_dump_free(dump, count) }
        var config: [String: String] = [:]
        for i in stride(from: 0, to: count - 1, by: 2) {
            guard let key = dump[i], let value = dump[i + 1] else { continue }
            config[String(cString: key)] = String(cString: value)
        }
        let entry = Entry(type: type == RD_KAFKA_PRODUCER ? "producer" : "consumer", config: config)
        for log in logs { log.entries.withLock { $0.append(entry) } }
    }
}
