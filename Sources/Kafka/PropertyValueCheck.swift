import Foundation

/// Checks a property value before librdkafka sees it. librdkafka 2.0.2 parses
/// integers with `(int)strtol` (so 99999999999 wraps to 1215752191 and "5abc"
/// reads as 5), floats with `strtod` (NaN passes its range check), and takes
/// strings of any length, although a `client.id` longer than 65,535 bytes
/// overflows the request header and aborts the process in `rd_realloc`
/// (longer than the protocol's 32,767, the mock broker cannot parse it and the
/// client never connects). `client.id` is tighter still: the statistics writer
/// (`rd_kafka_stats_emit_all`, rdkafka.c) prints it unescaped into a 10,240-byte
/// buffer that `_st_printf` doubles at most once per write, then advances past
/// the end when the text is longer: the first write (about 470 bytes besides the
/// id at worst) must stay under 20,480 bytes or the process crashes (a 20,500-
/// byte id with `statistics.interval.ms` 1 segfaults). kafkalab's own
/// clients enable statistics, so the limit holds whatever the interval. Refusals
/// say what the allowed values are.
public enum PropertyValueCheck {
    /// What the property's table row says its values are.
    public enum ValueType: Equatable, Sendable {
        case integer, float, boolean, string, enumValue, flags, other
    }

    /// Strings carried in every Kafka request (header or group/transaction
    /// requests): the protocol's STRING is int16-length-prefixed.
    public static let protocolStringKeys: Set<String> = [
        "client.id", "group.id", "group.instance.id", "transactional.id", "client.rack",
        "client.software.name", "client.software.version",
    ]
    public static let protocolStringLimit = 32_767
    /// `client.id` also goes into librdkafka's statistics JSON, unescaped (see
    /// the type's comment): at most this many bytes, and no `"` or `\`, which
    /// would make the JSON unreadable and bench's figures silently zero.
    public static let statisticsStringLimit = 20_000
    /// Any other value (certificates in `*.pem` get more room).
    public static let valueLimit = 65_535
    public static let pemLimit = 1_048_576

    /// Properties `set` refuses: they change where or how the session connects
    /// (that is `connect`'s job), or break kafkalab's own handling of the process.
    public static func refusal(for key: String) -> String? {
        switch key {
        case "bootstrap.servers", "metadata.broker.list":
            return
                "\(key) is the session's connection: `connect HOST:PORT[,...]` changes it for every client (set would silently redirect them)"
        case let k where k.hasPrefix("test.mock."):
            return
                "\(key) gives each client a private mock cluster instead of the session's one; `connect embedded [N]` starts an embedded cluster"
        case "internal.termination.signal":
            return
                "internal.termination.signal makes librdkafka install its own signal handler, which would take Ctrl-C away from kafkalab; it cannot be set here"
        default:
            return nil
        }
    }

    /// Throws a one-line `invalidArgument` when `value` is not acceptable for `property`.
    public static func check(_ property: ConfigProperty, _ value: String) throws {
        let key = property.name
        if let refusal = refusal(for: key) { throw KafkaError.invalidArgument(refusal) }
        let bytes = value.utf8.count
        let limit =
            key == "client.id"
            ? statisticsStringLimit
            : protocolStringKeys.contains(key)
                ? protocolStringLimit
                : key.hasSuffix(".pem") ? pemLimit : valueLimit
        if bytes > limit {
            let why =
                key == "client.id"
                ? " (librdkafka 2.0.2's statistics writer overflows its buffer on longer ones and crashes)"
                : protocolStringKeys.contains(key)
                    ? " (a Kafka protocol string; longer ones make librdkafka abort or never connect)" : ""
            throw KafkaError.invalidArgument("\(key) takes at most \(limit) bytes\(why), not \(bytes)")
        }
        if key == "client.id", value.contains(where: { $0 == "\"" || $0 == "\\" }) {
            throw KafkaError.invalidArgument(
                "client.id takes no \" or \\: librdkafka writes it unescaped into its statistics JSON, which then cannot be read"
            )
        }
        if value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw KafkaError.invalidArgument("\(key) takes no control characters (newline, tab, NUL, escape...)")
        }
        switch property.valueType {
        case .integer:
            try checkInteger(property, value)
        case .float:
            try checkFloat(property, value)
        default:
            break
        }
    }

    /// Integers: exactly a decimal number (no wrap, no trailing text, no hex)
    /// within the documented range; a word (acks `all`) is left to librdkafka.
    static func checkInteger(_ property: ConfigProperty, _ value: String) throws {
        if !value.isEmpty, value.unicodeScalars.allSatisfy({ CharacterSet.letters.contains($0) || $0 == "_" }) {
            return
        }
        let range = property.numericRange
        let rangeText = range.map { " from \(format($0.lowerBound)) to \(format($0.upperBound))" } ?? ""
        guard let n = Int(value) else {
            throw KafkaError.invalidArgument(
                "\(property.name) takes a whole number\(rangeText), not '\(shortened(value))'")
        }
        if let range, !(Double(n) >= range.lowerBound && Double(n) <= range.upperBound) {
            throw KafkaError.invalidArgument("\(property.name) takes a whole number\(rangeText), not \(n)")
        }
    }

    /// Floats: a finite decimal number within the documented range (NaN and inf refused).
    static func checkFloat(_ property: ConfigProperty, _ value: String) throws {
        let range = property.numericRange
        let rangeText = range.map { " from \(format($0.lowerBound)) to \(format($0.upperBound))" } ?? ""
        let decimal = value.unicodeScalars.allSatisfy { "0123456789.-+eE".unicodeScalars.contains($0) }
        guard decimal, let d = Double(value), d.isFinite else {
            throw KafkaError.invalidArgument("\(property.name) takes a number\(rangeText), not '\(shortened(value))'")
        }
        if let range, !(d >= range.lowerBound && d <= range.upperBound) {
            throw KafkaError.invalidArgument("\(property.name) takes a number\(rangeText), not \(value)")
        }
    }

    static func format(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }

    /// A value to quote in an error line: at most 40 characters.
    static func shortened(_ value: String) -> String {
        value.count <= 40 ? value : String(value.prefix(37)) + "..."
    }
}

extension ConfigProperty {
    /// The `*Type: ...*` note at the end of the property's description.
    public var valueType: PropertyValueCheck.ValueType {
        guard let r = description.range(of: "*Type: ", options: .backwards) else { return .other }
        let type = description[r.upperBound...].prefix { $0 != "*" }
        switch type {
        case "integer": return .integer
        case "float": return .float
        case "boolean": return .boolean
        case "string": return .string
        case "enum value": return .enumValue
        case "CSV flags": return .flags
        default: return .other
        }
    }

    /// Set only through a C function (`dr_cb`, `log_cb`, `opaque`...): `set` cannot take it.
    public var isCallbackOnly: Bool { description.hasSuffix("*Type: see dedicated API*") }

    /// The values a TAB can offer: the enum's words (from the range column),
    /// true/false for booleans, the assignors for `partition.assignment.strategy`.
    public var completableValues: [String] {
        if name == "partition.assignment.strategy" { return ["range", "roundrobin", "cooperative-sticky"] }
        switch valueType {
        case .boolean: return ["true", "false"]
        case .enumValue:
            return range.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        default: return []
        }
    }

    /// `lo .. hi` from the range column, for numeric properties.
    public var numericRange: ClosedRange<Double>? {
        let parts = range.components(separatedBy: "..").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let lo = Double(parts[0]), let hi = Double(parts[1]), lo <= hi else { return nil }
        return lo...hi
    }
}
