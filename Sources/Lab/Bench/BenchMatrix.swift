/// `bench matrix k=v1,v2 ...`: producer properties and the values to try,
/// expanded into every combination (the first key varies slowest, so the
/// table reads like nested loops in the order the user typed).
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
    init(specs: [String], validate: (String, String) throws -> String) throws {
        guard !specs.isEmpty else {
            throw LabError.invalid("bench matrix needs at least one property=value,value (e.g. linger.ms=0,5,50)")
        }
        var axes: [Axis] = []
        for spec in specs {
            guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex else {
                throw LabError.invalid("matrix spec '\(spec)' must look like property=value[,value...], e.g. linger.ms=0,5,50")
            }
            let rawKey = String(spec[..<eq])
            let list = spec[spec.index(after: eq)...]
            let values = list.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard !list.isEmpty, !values.contains(where: \.isEmpty) else {
                throw LabError.invalid("matrix spec '\(spec)' has an empty value; write \(rawKey)=v1,v2 with no empty items")
            }
            guard Set(values).count == values.count else {
                throw LabError.invalid("matrix spec '\(spec)' repeats a value")
            }
            var key = rawKey
            for value in values { key = try validate(rawKey, value) }
            guard !axes.contains(where: { $0.key == key }) else {
                throw LabError.invalid("matrix property '\(key)' is given twice; list all its values in one spec")
            }
            axes.append(Axis(key: key, values: values))
        }
        let total = axes.reduce(1) { $0 * $1.values.count }
        guard total <= BenchMatrix.maxCombinations else {
            throw LabError.invalid("the matrix has \(total) combinations; at most \(BenchMatrix.maxCombinations) are allowed")
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
