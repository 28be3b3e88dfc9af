/// librdkafka property values keyed by property name in JSON: an object keyed by data (the
/// README's convention for `properties` and `*_properties`), so its keys are not snake-cased
/// field names. Shared by the labs that report the properties a topic or a demo's client uses.
struct PropertyValues: Encodable, Equatable {
    let pairs: [(name: String, value: String)]

    /// In name order.
    init(_ values: [String: String]) {
        pairs = values.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// In the order given.
    init(ordered pairs: [(name: String, value: String)]) {
        self.pairs = pairs
    }

    func encode(to encoder: any Encoder) throws {
        try JSONValue.object(pairs.map { ($0.name, .string($0.value)) }).encode(to: encoder)
    }

    static func == (a: Self, b: Self) -> Bool { a.pairs.elementsEqual(b.pairs) { $0 == $1 } }
}
