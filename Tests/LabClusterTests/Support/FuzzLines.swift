import Foundation
import Kafka
import TestSupport

@testable import Lab

// SeededGenerator (SplitMix64) is declared in Tests/TestSupport.

/// Lines a careless or hostile user could type: every command of the catalog
/// with random options and extreme numbers, every librdkafka property with
/// junk, random tokens, unicode and control characters, unbalanced quotes and
/// very long lines.
struct FuzzLines {
    var rng: SeededGenerator
    let commands: [(path: String, command: Command)]
    let properties = ConfigCatalog.names

    init(seed: UInt64) {
        rng = SeededGenerator(seed: seed)
        func walk(_ c: Command, _ prefix: String) -> [(String, Command)] {
            let path = prefix.isEmpty ? c.name : prefix + " " + c.name
            return [(path, c)] + c.subcommands.flatMap { walk($0, path) }
        }
        commands = CommandCatalog.all.flatMap { walk($0, "") }
    }

    static let extremes = [
        "0", "-1", "1", "2147483647", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "99999999999", "1e308", "-1e308", "1e-320", "NaN", "inf", "-inf", "0x10", "1k",
        "99999999999m",
        "0.0001", "1_000", "-0", "3s", "100ms", "0ms", "99999h", "1.5", "", "all", "true", "none",
    ]
    static let junk = [
        "é", "日本語", "\u{202E}abc", "'", "\"", "\\", ";", "#", "\u{0}", "\u{1B}[31m", "\t", "a\rb", "$(true)", "%s%n",
        "{i}{i}{i}", "../../etc", "𝕏𝕏", "--", "-", "--json", "=", "a=b", "k=", "=v", "\u{7F}", "\u{FEFF}",
    ]

    mutating func pick<T>(_ a: [T]) -> T { a[Int.random(in: 0..<a.count, using: &rng)] }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }

    mutating func token() -> String {
        if chance(0.45) { return pick(Self.extremes) }
        if chance(0.6) { return pick(Self.junk) }
        let alphabet = Array("abc xyz\"'\\;#-=.,{}\té日\u{1}")
        return String((0..<Int.random(in: 1...12, using: &rng)).map { _ in pick(alphabet) })
    }

    /// Settings that leave a producer without progress (issue 28 item 4); the test unsets them
    /// after each line, since a cancelled line never reaches its own `unset`.
    static let stalling = [
        ("topic.blacklist", ".*"), ("security.protocol", "ssl"), ("queue.buffering.max.messages", "1"),
        ("linger.ms", "900000"), ("message.timeout.ms", "1"), ("producer.topic.blacklist", "t"),
    ]

    /// Options that keep a slow command short (the test also cancels each line).
    static let bounded = [
        "--count 20", "--for 300ms", "--interval 100ms", "--wait 1s", "--idle 300ms",
        "--warmup 0", "--runs 1", "--keys 3", "--consumers 1", "--session-timeout 3s",
    ]

    /// Values that keep each command short, for the options it declares.
    static let shortValues: [String: String] = [
        "--count": "20", "--for": "300ms", "--interval": "100ms", "--wait": "1s", "--idle": "300ms", "--warmup": "0",
        "--runs": "1", "--keys": "3", "--consumers": "1", "--session-timeout": "3s", "--topic": "t",
        "--partitions": "2",
        "--size": "100", "--window": "2", "--rate": "50", "--faults": "1",
    ]

    /// A line a user could mean: the command, maybe the topic, short values for its options.
    mutating func plausibleLine() -> String {
        let (path, command) = pick(commands)
        var words = [path]
        if chance(0.5) { words.append("t") }
        for option in command.options where chance(0.5) {
            if let v = Self.shortValues[option] { words += [option, v] }
        }
        // Sorted: a dictionary's order changes from process to process, and a seed must replay.
        for option in ["--count", "--for", "--idle", "--wait"]
        where command.options.contains(option) && !words.contains(option) {
            words += [option, Self.shortValues[option]!]
        }
        return words.joined(separator: " ")
    }

    mutating func line() -> String {
        if chance(0.35) { return plausibleLine() }
        switch Double.random(in: 0..<1, using: &rng) {
        case ..<0.5:
            let (path, command) = pick(commands)
            var words = [path]
            if chance(0.6) {
                words.append(pick(["t", "orders", "f", "nosuch", "1", "embedded", "linger.ms"] + Self.extremes))
            }
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                if !command.options.isEmpty && chance(0.6) {
                    words += [pick(command.options), chance(0.5) ? pick(Self.extremes) : token()]
                } else if !command.flags.isEmpty && chance(0.5) {
                    words.append(pick(command.flags))
                } else {
                    words.append(token())
                }
            }
            if chance(0.7) { words.append(pick(Self.bounded)) }
            return words.joined(separator: " ")
        case ..<0.56:
            // Issue 28 item 3: long strings that reach librdkafka's statistics
            // writer and the protocol, with statistics every millisecond, then a
            // command that creates a client (a 32,767-byte client.id crashed it).
            let key = pick(["client.id", "client.id", "group.id", "transactional.id", "group.instance.id"])
            let length = pick([19_990, 20_000, 20_001, 20_500, 32_767, 32_768, Int.random(in: 1...70_000, using: &rng)])
            let unit = pick(["c", "é", "\\", "\""])
            let value = String(repeating: unit, count: max(1, length / unit.utf8.count))
            let then = pick(["consume t --idle 300ms", "seed --count 20", "bench none --count 20 --warmup 0", "status"])
            // Unset afterwards: the later lines should not all run with statistics every millisecond.
            return "set \(key) '\(value)'; set statistics.interval.ms \(pick(["1", "10", "0"])); \(then); "
                + "unset \(key); unset statistics.interval.ms"
        case ..<0.62:
            // Issue 28 item 4: settings under which a command cannot make progress (no metadata,
            // a TLS handshake against plaintext, a one-message queue, a linger longer than the
            // stall limit), then a command that must stop or finish, not wait minutes; and group
            // names longer than the protocol carries.
            let (key, value) = pick(Self.stalling)
            let long = String(repeating: pick(["g", "é"]), count: pick([32_767, 32_768, 100_000]))
            let then = pick([
                "produce --topic t --count 20 'x{i}'", "produce --topic t x", "seed --count 20",
                "bench none --count 20 --warmup 0", "bench matrix linger.ms=0,5 --rate 50 --count 20 --warmup 0",
                "consume t --idle 300ms", "lag \(long)", "lag watch \(long) --for 300ms", "group describe \(long)",
                "consume t --group \(long) --count 1 --idle 300ms",
            ])
            return "set \(key) \(value); \(then); unset \(key)"
        case ..<0.78:
            let key = pick(["", "", "producer.", "consumer."]) + pick(properties)
            let value =
                chance(0.1)
                ? String(repeating: "v", count: Int.random(in: 30_000...80_000, using: &rng))
                : chance(0.6) ? pick(Self.extremes + Self.junk) : token()
            return chance(0.3) ? "set \(key) '\(value)'" : "set \(key) \(value)"
        case ..<0.88:
            return (0..<Int.random(in: 1...6, using: &rng)).map { _ in token() }.joined(separator: " ")
        case ..<0.94:
            return pick([
                "'unbalanced", "\"open", "produce 'a", "set client.id \"x", "a\\", "\"\"\"", "''''", "'\"", "use 'x",
            ])
        default:
            let filler = Array("xé\u{7} \"\u{0}")
            return pick(commands).path + " "
                + String((0..<Int.random(in: 1_000...20_000, using: &rng)).map { _ in pick(filler) })
        }
    }
}
