/// `key=v1,v2 ...` words, as `bench matrix` (producer properties) and `bench consume`
/// (consumer properties) take them, expanded into every combination (the first key
/// varies slowest, so the table reads like nested loops in the order the user typed).
/// One parser for both; what a key may be is the caller's `validate`.
struct BenchMatrix: Equatable, Sendable {
    struct Axis: Equatable, Sendable {
        let key: String
        let values: [String]
    }

    let axes: [Axis]

    /// More runs than this is almost certainly a typo, and would take hours.
    static let maxCombinations = 256

    /// Parses `key=v1,v2` words. `validate` checks one key and value (librdkafka's
    /// own check in the command; injectable so the parsing stays testable);
    /// it returns the key's canonical name and throws a one-line error.
    /// `allowsNone`: no words is one run of the session's config (`bench consume`);
    /// otherwise at least one word is needed (`bench matrix`).
    init(
        specs: [String], example: String = "linger.ms=0,5,50", allowsNone: Bool = false,
        maxCombinations: Int = BenchMatrix.maxCombinations, validate: (String, String) throws -> String
    ) throws {
        guard !specs.isEmpty || allowsNone else {
            throw LabError.invalid("bench matrix needs at least one property=value,value (e.g. \(example))")
        }
        var axes: [Axis] = []
        for spec in specs {
            guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex else {
                throw LabError.invalid("'\(spec)' is not key=v1,v2 (e.g. \(example))")
            }
            let rawKey = String(spec[..<eq])
            let list = spec[spec.index(after: eq)...]
            let values = list.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard !list.isEmpty, !values.contains(where: \.isEmpty) else {
                throw LabError.invalid("'\(spec)' has an empty value; write \(rawKey)=v1,v2 with no empty items")
            }
            guard Set(values).count == values.count else {
                throw LabError.invalid("'\(spec)' repeats a value")
            }
            var key = rawKey
            for value in values { key = try validate(rawKey, value) }
            guard !axes.contains(where: { $0.key == key }) else {
                throw LabError.invalid("\(key) is listed twice; give all its values once: \(key)=v1,v2")
            }
            axes.append(Axis(key: key, values: values))
        }
        let total = axes.reduce(1) { $0 * $1.values.count }
        guard total <= maxCombinations else {
            throw LabError.invalid(
                "\(total) combinations is too many for one run (at most \(maxCombinations)); list fewer values")
        }
        self.axes = axes
    }

    /// Every combination, as ordered (key, value) pairs.
    var combinations: [[(key: String, value: String)]] {
        var out: [[(key: String, value: String)]] = [[]]
        for axis in axes {
            out = out.flatMap { prefix in axis.values.map { prefix + [(key: axis.key, value: $0)] } }
        }
        return out
    }

    var keys: [String] { axes.map(\.key) }
}

/// One row of a bench: its label (a codec, or a matrix combination), the properties
/// that make it differ from the session's, and the full producer properties it runs with.
struct BenchConfiguration {
    let label: String
    let settings: [(key: String, value: String)]
    let properties: [String: String]
}
