import CRdKafka
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which client a librdkafka property applies to (the `C/P` column of its table).
public enum PropertyScope: String, Sendable, Codable {
    case both = "*"
    case producer = "P"
    case consumer = "C"
}

/// One row of librdkafka's own property table, as the linked library prints it.
public struct ConfigProperty: Sendable, Equatable {
    public let name: String
    public let scope: PropertyScope
    public let range: String
    public let defaultValue: String
    public let importance: String
    public let description: String
    /// Listed under "Topic configuration properties" (settable on the client too).
    public let isTopicLevel: Bool

    /// The property this one is an alias for (`linger.ms` → `queue.buffering.max.ms`).
    public var aliasTarget: String? {
        guard description.hasPrefix("Alias for `") else { return nil }
        let rest = description.dropFirst("Alias for `".count)
        return rest.firstIndex(of: "`").map { String(rest[..<$0]) }
    }

    /// Passwords and keys: never printed, never written to history.
    public var isSecret: Bool { ConfigCatalog.isSecret(name) }
}

/// librdkafka's property table, read once from the linked library at run time
/// (`rd_kafka_conf_properties_show`), so help and completion match the library
/// actually loaded rather than a copy of its documentation.
public enum ConfigCatalog {
    public static let properties: [ConfigProperty] = parse(propertiesTable())

    private static let byName: [String: ConfigProperty] = {
        var map: [String: ConfigProperty] = [:]
        // Global rows win over the topic-level duplicates of the same name.
        for p in properties where map[p.name] == nil || (map[p.name]!.isTopicLevel && !p.isTopicLevel) {
            map[p.name] = p
        }
        return map
    }()

    public static var names: [String] { byName.keys.sorted() }

    public static func property(named name: String) -> ConfigProperty? { byName[name] }

    /// Names that carry credentials. librdkafka has no flag for this, so it is
    /// decided by name: anything that is a password, secret or private key.
    public static func isSecret(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.contains("password") || lower.contains("secret")
            || lower.hasSuffix(".key.pem") || lower == "ssl.key.pem" || lower == "ssl_key"
            || lower.hasSuffix("client.secret") || lower == "sasl.oauthbearer.config"
            || lower.hasSuffix(".token")
            // Java client keys a properties file may hold: the JAAS line carries
            // the password, ssl.keystore.key a private key, basic.auth.user.info
            // a Schema Registry key and secret.
            || lower.hasSuffix("jaas.config") || lower.hasSuffix(".key") || lower.hasSuffix("user.info")
    }

    /// The linked librdkafka's version, e.g. "2.0.2".
    public static var libraryVersion: String { String(cString: rd_kafka_version_str()) }

    /// The numeric version (0xMMmmrrxx), for feature checks.
    public static var libraryVersionNumber: Int { Int(rd_kafka_version()) }

    static func propertiesTable() -> String {
        var buffer: UnsafeMutablePointer<CChar>? = nil
        var size = 0
        guard let stream = open_memstream(&buffer, &size) else { return "" }
        rd_kafka_conf_properties_show(stream)
        fclose(stream)
        defer { free(buffer) }
        return buffer.map { String(cString: $0) } ?? ""
    }

    /// Parses the Markdown table librdkafka prints: `name | C/P | range | default | importance | description`.
    /// Works on UTF-8 bytes (the table is ASCII apart from descriptions): this runs at the first `set` of
    /// every process, where splitting by Character and Foundation's trimming and replacing cost about
    /// 10 ms of start-up, measured in `bench`'s CPU seconds against rdkafka_performance.
    static func parse(_ text: String) -> [ConfigProperty] {
        var result: [ConfigProperty] = []
        var topicSection = false
        let bar = UInt8(ascii: "|")
        for lineBytes in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            let line = Substring(lineBytes)
            if line.utf8.starts(with: "## ".utf8) {
                topicSection = line.lowercased().contains("topic")
                continue
            }
            let raw = line.utf8.split(separator: bar, omittingEmptySubsequences: false)
            guard raw.count >= 6 else { continue }
            let cells = raw.prefix(5).map { trimmed(Substring($0)) }
            guard let scope = PropertyScope(rawValue: cells[1]), !cells[0].isEmpty, cells[0] != "Property" else {
                continue
            }
            // The description is the rest of the line (it may itself contain "|"), with <br> as spaces.
            let rest = line[raw[5].startIndex...]
            result.append(
                ConfigProperty(
                    name: cells[0], scope: scope, range: cells[2], defaultValue: cells[3],
                    importance: cells[4], description: withoutBreaks(trimmed(rest)), isTopicLevel: topicSection))
        }
        return result
    }

    private static func trimmed(_ s: Substring) -> String {
        let u = s.utf8
        var start = u.startIndex, end = u.endIndex
        while start < end, u[start] == 0x20 || u[start] == 0x09 { u.formIndex(after: &start) }
        while end > start {
            let before = u.index(before: end)
            guard u[before] == 0x20 || u[before] == 0x09 else { break }
            end = before
        }
        return String(s[start..<end])
    }

    /// `<br>` replaced by a space, byte by byte.
    private static func withoutBreaks(_ s: String) -> String {
        let b = Array(s.utf8)
        let tag: [UInt8] = Array("<br>".utf8)
        guard b.count >= tag.count else { return s }
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        var changed = false
        while i < b.count {
            if b[i] == tag[0], i + tag.count <= b.count, b[i + 1] == tag[1], b[i + 2] == tag[2], b[i + 3] == tag[3] {
                out.append(0x20); i += tag.count; changed = true
            } else {
                out.append(b[i]); i += 1
            }
        }
        return changed ? String(decoding: out, as: UTF8.self) : s
    }
}
