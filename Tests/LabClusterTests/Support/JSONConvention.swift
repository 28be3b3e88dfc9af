@testable import Lab

/// The JSON convention every command follows (README, "JSON output"), as
/// checks: snake_case keys, units in the key, numbers as numbers, one key
/// per thing, and no document that is only prose.
enum JSONConvention {
    /// Objects under `headers`, `properties` and `*_properties` are keyed by data
    /// (header names, librdkafka property names) and hold strings.
    static func isDataMap(_ key: String) -> Bool {
        key == "headers" || key == "properties" || key.hasSuffix("_properties")
    }
    /// Property values, message keys and values are strings even when they look like numbers.
    static let stringValued: Set<String> = [
        "value", "key", "previous", "default", "revert", "text", "title", "range", "acks",
    ]
    /// Keys another key replaced, so one thing has one name.
    static let retired: [String: String] = [
        "rf": "replication_factor", "seconds": "duration_ms", "broker": "id (a broker) or broker_id (a reference)",
        "name": "property, topic, group or concept", "low": "low_watermark", "high": "high_watermark",
        "timestamp": "timestamp_ms", "size": "size_bytes", "messages": "delivered (a count) or a structured result",
    ]
    /// Words naming a duration: such a numeric key must carry `_ms` (or sit under a key that does).
    static let durationWords = [
        "latency", "duration", "elapsed", "time", "timeout", "interval", "wait", "pause", "age", "since",
    ]

    static func violations(in value: JSONValue, path: String = "", parentKey: String = "") -> [String] {
        var found: [String] = []
        switch value {
        case .object(let pairs):
            let isDataMap = isDataMap(parentKey)
            for (key, child) in pairs {
                let here = path.isEmpty ? key : "\(path).\(key)"
                if !isDataMap {
                    found += keyViolations(key, child, at: here, parentKey: parentKey)
                }
                found += violations(in: child, path: here, parentKey: isDataMap ? "" : key)
            }
        case .array(let items):
            for (i, item) in items.enumerated() {
                found += violations(in: item, path: "\(path)[\(i)]", parentKey: parentKey)
            }
        default:
            break
        }
        return found
    }

    static func keyViolations(_ key: String, _ value: JSONValue, at path: String, parentKey: String) -> [String] {
        var found: [String] = []
        if !isSnakeCase(key) { found.append("\(path): key is not snake_case") }
        if let better = retired[key] { found.append("\(path): `\(key)` is retired; use \(better)") }
        if key.contains("seconds") || key.hasSuffix("_second") {
            found.append("\(path): `seconds` in a key; durations are _ms")
        }
        for bad in ["_s", "_us", "_sec", "_secs", "_mib", "_kib"] where key.hasSuffix(bad) && !key.contains("_per_") {
            found.append("\(path): unit suffix \(bad); durations are _ms, sizes _bytes, rates _per_sec")
        }
        let unitInParent =
            parentKey.hasSuffix("_ms") || parentKey.hasSuffix("_bytes") || parentKey.hasSuffix("_per_sec")
        if value.isNumber && !unitInParent && !key.hasSuffix("_ms")
            && durationWords.contains(where: { key == $0 || key.hasPrefix($0 + "_") || key.hasSuffix("_" + $0) })
        {
            found.append("\(path): a duration needs _ms in its key")
        }
        if case .string(let s) = value, !stringValued.contains(key), looksNumeric(s) {
            found.append("\(path): number \"\(s)\" written as a string")
        }
        return found
    }

    static func isSnakeCase(_ key: String) -> Bool {
        guard let first = key.first, first.isLowercase, first.isASCII else { return false }
        return key.allSatisfy { ($0.isLowercase && $0.isASCII) || $0.isNumber || $0 == "_" }
            && !key.contains("__") && !key.hasSuffix("_")
    }

    static func looksNumeric(_ s: String) -> Bool {
        guard !s.isEmpty, Double(s) != nil else { return false }
        return s.allSatisfy { $0.isNumber || $0 == "." || $0 == "-" }
    }
}

extension JSONValue {
    var isNumber: Bool {
        switch self {
        case .int, .double: return true
        default: return false
        }
    }
}
