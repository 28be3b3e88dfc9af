import Foundation
import Kafka

/// A command's words after its name, split into positionals, flags and
/// options as the command declared them. Anything undeclared is refused, so
/// every command rejects bad input the same way.
public struct Arguments {
    public private(set) var positionals: [String] = []
    private var presentFlags: Set<String> = []
    private var optionValues: [String: [String]] = [:]
    let usage: String

    public init(_ words: [String], flags: [String] = [], options: [String] = [], usage: String) throws {
        self.usage = usage
        var i = 0
        while i < words.count {
            let word = words[i]
            if word.hasPrefix("--") && word.count > 2 {
                var name = word
                var inline: String? = nil
                if let eq = word.firstIndex(of: "=") {
                    name = String(word[..<eq])
                    inline = String(word[word.index(after: eq)...])
                }
                if flags.contains(name) {
                    if inline != nil { throw LabError.usage("\(name) takes no value", usage: usage) }
                    presentFlags.insert(name)
                } else if options.contains(name) {
                    let value: String
                    if let inline {
                        value = inline
                    } else {
                        guard i + 1 < words.count else { throw LabError.usage("\(name) needs a value", usage: usage) }
                        // `bench --csv --` wrote a file named `--`, and `--count --json`
                        // would swallow the next option: a value is never an option.
                        guard !words[i + 1].hasPrefix("--") else {
                            throw LabError.usage(
                                "\(name) needs a value, not '\(words[i + 1])' (words starting with -- are options; \(name)=VALUE passes one that does)",
                                usage: usage)
                        }
                        i += 1
                        value = words[i]
                    }
                    optionValues[name, default: []].append(value)
                } else {
                    let known = (flags + options).sorted()
                    let hint = known.isEmpty ? "it takes no options" : "options: " + known.joined(separator: " ")
                    throw LabError.usage("unknown option \(name) (\(hint))", usage: usage)
                }
            } else {
                positionals.append(word)
            }
            i += 1
        }
    }

    public func has(_ flag: String) -> Bool { presentFlags.contains(flag) }
    public func value(_ option: String) -> String? { optionValues[option]?.last }
    public func values(_ option: String) -> [String] { optionValues[option] ?? [] }

    public func positional(_ index: Int, _ name: String) throws -> String {
        guard index < positionals.count else { throw LabError.usage("missing \(name)", usage: usage) }
        return positionals[index]
    }

    public func optionalPositional(_ index: Int) -> String? {
        index < positionals.count ? positionals[index] : nil
    }

    /// Refuses words beyond the `count` positionals the command takes.
    public func expectPositionals(atMost count: Int) throws {
        if positionals.count > count {
            throw LabError.usage("unexpected '\(positionals[count])'", usage: usage)
        }
    }

    public func int(_ option: String, default def: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = value(option) else { return def }
        return try Arguments.parseInt(text, name: option, range: range, usage: usage)
    }

    public func optionalInt(_ option: String, range: ClosedRange<Int>) throws -> Int? {
        guard let text = value(option) else { return nil }
        return try Arguments.parseInt(text, name: option, range: range, usage: usage)
    }

    static func parseInt(_ text: String, name: String, range: ClosedRange<Int>, usage: String) throws -> Int {
        let cleaned = text.replacingOccurrences(of: "_", with: "")
        var multiplier = 1
        var digits = Substring(cleaned)
        if let last = digits.last?.lowercased() {
            switch last {
            case "k": multiplier = 1_000; digits = digits.dropLast()
            case "m": multiplier = 1_000_000; digits = digits.dropLast()
            default: break
            }
        }
        guard let n = Int(digits), n.multipliedReportingOverflow(by: multiplier).overflow == false else {
            throw LabError.usage("\(name) must be a whole number, not '\(text)'", usage: usage)
        }
        let value = n * multiplier
        guard range.contains(value) else {
            throw LabError.invalid("\(name) must be between \(range.lowerBound) and \(range.upperBound), not \(value)")
        }
        return value
    }

    /// A duration such as `500ms`, `2s`, `1m` or a bare number of seconds.
    public func seconds(
        _ option: String, default def: Double, minimum: Double, maximum: Double = 86_400
    ) throws -> Double {
        guard let text = value(option) else { return def }
        guard let s = Arguments.parseDuration(text) else {
            throw LabError.usage("\(option) must be a duration like 500ms, 2s or 1m, not '\(text)'", usage: usage)
        }
        guard s >= minimum else {
            throw LabError.invalid("\(option) must be at least \(Arguments.formatDuration(minimum)), not \(text)")
        }
        guard s <= maximum else {
            throw LabError.invalid("\(option) must be at most \(Arguments.formatDuration(maximum)), not \(text)")
        }
        return s
    }

    public static func parseDuration(_ text: String) -> Double? {
        let t = text.lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            guard let v = Double(t.dropLast(suffix.count)), v.isFinite, v >= 0 else { return nil }
            return v * factor
        }
        guard let v = Double(t), v.isFinite, v >= 0 else { return nil }
        return v
    }

    public static func formatDuration(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds == seconds.rounded() { return "\(Int(seconds))s" }
        return String(format: "%.1fs", seconds)
    }
}

extension Arguments {
    /// A consumer group's name, as `set group.id` takes it: at most 32,767 bytes
    /// (a Kafka protocol string) and no control characters. A longer one was
    /// accepted by `lag`, timed out, and left the next commands failing or hanging.
    static func checkGroupName(_ name: String) throws -> String {
        let bytes = name.utf8.count
        guard !name.isEmpty else { throw LabError.invalid("a group name cannot be empty") }
        guard bytes <= PropertyValueCheck.protocolStringLimit else {
            throw LabError.invalid(
                "a group name takes at most \(PropertyValueCheck.protocolStringLimit) bytes (a Kafka protocol string, like group.id), not \(bytes)"
            )
        }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw LabError.invalid("a group name takes no control characters (newline, tab, NUL, escape...)")
        }
        return name
    }
}
