/// Encodes any `Encodable` into a `JSONValue` by the project's JSON convention, so that a result
/// type cannot break it:
/// - keys are the property names in snake_case (`durationMs` → `duration_ms`), in declaration order;
/// - an absent optional is `null`, never a missing key (Foundation's `JSONEncoder` drops the key);
/// - integers stay exact (`Int64`), doubles stay doubles, non-finite doubles become `null`.
public enum JSONValueEncoder {
    public static func encode(_ value: some Encodable) -> JSONValue {
        let node = Node()
        do {
            try encodeValue(value, into: node, codingPath: [])
        } catch {
            // Only a custom `encode(to:)` that throws gets here; say so in the document.
            return .object([("encoding_error", .string("\(error)"))])
        }
        return node.value
    }

    /// `durationMs` → `duration_ms`, `p99Ms` → `p99_ms`, `leaderID` → `leader_id`; an
    /// already snake_case key is unchanged.
    public static func snakeCase(_ key: String) -> String {
        let chars = Array(key)
        var out = ""
        out.reserveCapacity(chars.count + 4)
        for (i, c) in chars.enumerated() {
            if c.isUppercase {
                if i > 0 {
                    let previous = chars[i - 1]
                    let nextIsLower = i + 1 < chars.count && chars[i + 1].isLowercase
                    if previous.isLowercase || previous.isNumber || (previous.isUppercase && nextIsLower) {
                        out.append("_")
                    }
                }
                out += c.lowercased()
            } else {
                out.append(c)
            }
        }
        return out
    }

    fileprivate static func encodeValue(_ value: some Encodable, into node: Node, codingPath: [any CodingKey]) throws {
        if let json = value as? JSONValue {
            node.kind = .single(json)
            return
        }
        if let scalar = scalar(value) {
            node.kind = .single(scalar)
            return
        }
        try value.encode(to: NodeEncoder(node: node, codingPath: codingPath))
    }

    /// The scalars, so that a `[Int]` or an `Int?` inside a generic container keeps its type.
    private static func scalar(_ value: Any) -> JSONValue? {
        switch value {
        case let v as Bool: return .bool(v)
        case let v as String: return .string(v)
        case let v as Int: return .int(Int64(v))
        case let v as Int32: return .int(Int64(v))
        case let v as Int64: return .int(v)
        case let v as Int16: return .int(Int64(v))
        case let v as Int8: return .int(Int64(v))
        case let v as UInt: return .int(Int64(clamping: v))
        case let v as UInt64: return .int(Int64(clamping: v))
        case let v as UInt32: return .int(Int64(v))
        case let v as UInt16: return .int(Int64(v))
        case let v as UInt8: return .int(Int64(v))
        case let v as Double: return v.isFinite ? .double(v) : .null
        case let v as Float: return v.isFinite ? .double(Double(v)) : .null
        default: return nil
        }
    }
}

/// `JSONValue` is itself encodable (to any encoder), so a result may carry a piece of JSON built
/// elsewhere; `JSONValueEncoder` takes it as it is.
extension JSONValue: Encodable {
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .int(let i):
            var c = encoder.singleValueContainer()
            try c.encode(i)
        case .double(let d):
            var c = encoder.singleValueContainer()
            try c.encode(d)
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .array(let items):
            var c = encoder.unkeyedContainer()
            for item in items { try c.encode(item) }
        case .object(let pairs):
            var c = encoder.container(keyedBy: JSONKey.self)
            for (k, v) in pairs { try c.encode(v, forKey: JSONKey(k)) }
        }
    }
}

struct JSONKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// One value under construction. A tree of references so that nested containers can be filled
/// after they are handed out, as `Encoder` requires.
private final class Node {
    enum Kind {
        case unset
        case single(JSONValue)
        case object([(String, Node)])
        case array([Node])
    }
    var kind: Kind = .unset

    var value: JSONValue {
        switch kind {
        case .unset: return .object([])
        case .single(let v): return v
        case .object(let pairs): return .object(pairs.map { ($0.0, $0.1.value) })
        case .array(let nodes): return .array(nodes.map(\.value))
        }
    }

    /// The child node for `key`, replacing an earlier value of the same key in place.
    func child(forKey key: String) -> Node {
        let node = Node()
        if case .object(var pairs) = kind {
            if let i = pairs.firstIndex(where: { $0.0 == key }) {
                pairs[i].1 = node
            } else {
                pairs.append((key, node))
            }
            kind = .object(pairs)
        } else {
            kind = .object([(key, node)])
        }
        return node
    }

    func appendChild() -> Node {
        let node = Node()
        if case .array(var nodes) = kind {
            nodes.append(node)
            kind = .array(nodes)
        } else {
            kind = .array([node])
        }
        return node
    }

    var count: Int {
        if case .array(let nodes) = kind { return nodes.count }
        return 0
    }
}

private struct NodeEncoder: Encoder {
    let node: Node
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.kind {} else { node.kind = .object([]) }
        return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = node.kind {} else { node.kind = .array([]) }
        return UnkeyedContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleContainer(node: node, codingPath: codingPath)
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    let codingPath: [any CodingKey]

    private func name(_ key: Key) -> String { JSONValueEncoder.snakeCase(key.stringValue) }

    mutating func encodeNil(forKey key: Key) throws { node.child(forKey: name(key)).kind = .single(.null) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try JSONValueEncoder.encodeValue(value, into: node.child(forKey: name(key)), codingPath: codingPath + [key])
    }

    // Absent optionals are `null`, not a missing key: the convention the README promises.
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try encodeOptional(value, key) }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try encodeOptional(value, key) }

    private mutating func encodeOptional<T: Encodable>(_ value: T?, _ key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let child = node.child(forKey: name(key))
        child.kind = .object([])
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(node: child, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = node.child(forKey: name(key))
        child.kind = .array([])
        return UnkeyedContainer(node: child, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        NodeEncoder(node: node.child(forKey: "super"), codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        NodeEncoder(node: node.child(forKey: name(key)), codingPath: codingPath + [key])
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]
    var count: Int { node.count }

    mutating func encodeNil() throws { node.appendChild().kind = .single(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try JSONValueEncoder.encodeValue(value, into: node.appendChild(), codingPath: codingPath)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        let child = node.appendChild()
        child.kind = .object([])
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(node: child, codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = node.appendChild()
        child.kind = .array([])
        return UnkeyedContainer(node: child, codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder { NodeEncoder(node: node.appendChild(), codingPath: codingPath) }
}

private struct SingleContainer: SingleValueEncodingContainer {
    let node: Node
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.kind = .single(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try JSONValueEncoder.encodeValue(value, into: node, codingPath: codingPath)
    }
}
