import Foundation

/// What the bench sends: the kind of bytes, parsed from `--payload`.
enum PayloadKind: Equatable, Sendable, CustomStringConvertible {
    /// JSON-like event records, deterministic, as compressible as real application data.
    case json
    /// English-like words, deterministic.
    case text
    /// Incompressible bytes (seeded, so reproducible).
    case random
    /// One string repeated to the message size, like rdkafka_performance's `-m`.
    case repeating(String)
    /// A file's bytes, read as an endless stream cut into messages.
    case file(String)

    static let usage = "json|text|random|repeat:STRING|file:PATH"

    static func parse(_ text: String) throws -> PayloadKind {
        switch text {
        case "json": return .json
        case "text": return .text
        case "random": return .random
        default: break
        }
        if text.hasPrefix("repeat:") {
            let s = String(text.dropFirst("repeat:".count))
            guard !s.isEmpty else {
                throw LabError.invalid("--payload repeat: needs a non-empty string, e.g. repeat:abc")
            }
            return .repeating(s)
        }
        if text.hasPrefix("file:") {
            let path = String(text.dropFirst("file:".count))
            guard !path.isEmpty else {
                throw LabError.invalid("--payload file: needs a path, e.g. file:/tmp/sample.json")
            }
            return .file(path)
        }
        throw LabError.invalid("--payload takes \(usage), not '\(text)'")
    }

    var description: String {
        switch self {
        case .json: "json"
        case .text: "text"
        case .random: "random"
        case .repeating(let s): "repeat:\(s)"
        case .file(let p): "file:\(p)"
        }
    }
}

/// The bytes of every message a run sends, built once before the run so the
/// produce loop never allocates. Messages are `messageSize`-byte slices of
/// one contiguous pool, used in turn; the pool holds enough distinct messages
/// that a batch (up to a few MiB) does not repeat itself, which would let
/// every codec look better than it does on real data.
struct BenchPayload: Sendable {
    let kind: PayloadKind
    let messageSize: Int
    /// `messageCount` messages of `messageSize` bytes, back to back.
    let pool: [UInt8]
    var messageCount: Int { pool.count / messageSize }

    /// About this many bytes of distinct messages (json, text, random, file).
    static let distinctBytes = 4 << 20

    /// - `fileBytes`: the file's content for `.file` (read by the caller, so this stays pure).
    /// - `messagesNeeded`: a run sending fewer messages than the pool would
    ///   hold gets a smaller pool (quicker to build, same bytes on the wire).
    init(
        kind: PayloadKind, messageSize: Int, fileBytes: [UInt8]? = nil, messagesNeeded: Int = .max,
        seed: UInt64 = 42
    ) throws {
        guard messageSize > 0 else { throw LabError.invalid("--size must be at least 1 byte") }
        self.kind = kind
        self.messageSize = messageSize
        let distinct = max(1, min(BenchPayload.distinctBytes / messageSize, messagesNeeded))
        switch kind {
        case .repeating(let s):
            pool = BenchPayload.cycle(Array(s.utf8), to: messageSize)
        case .file:
            guard let fileBytes, !fileBytes.isEmpty else { throw LabError.invalid("--payload file: the file is empty") }
            let wanted = min(max(fileBytes.count, messageSize), distinct * messageSize)
            let whole = max(1, wanted / messageSize) * messageSize
            pool = BenchPayload.cycle(fileBytes, to: whole)
        case .random:
            var rng = SplitMix64(seed: seed)
            var bytes = [UInt8](repeating: 0, count: distinct * messageSize)
            bytes.withUnsafeMutableBytes { raw in
                var i = 0
                while i + 8 <= raw.count {
                    raw.storeBytes(of: rng.next(), toByteOffset: i, as: UInt64.self)
                    i += 8
                }
                while i < raw.count { raw[i] = UInt8(truncatingIfNeeded: rng.next()); i += 1 }
            }
            pool = bytes
        case .json, .text:
            var rng = SplitMix64(seed: seed)
            var bytes: [UInt8] = []
            bytes.reserveCapacity(distinct * messageSize)
            for _ in 0..<distinct {
                var message: [UInt8] = []
                message.reserveCapacity(messageSize + 256)
                while message.count < messageSize {
                    if kind == .json {
                        if !message.isEmpty { message.append(UInt8(ascii: "\n")) }
                        message += BenchPayload.jsonRecord(&rng).utf8
                    } else {
                        if !message.isEmpty { message.append(UInt8(ascii: " ")) }
                        message += BenchPayload.sentence(&rng).utf8
                    }
                }
                bytes += message.prefix(messageSize)
            }
            pool = bytes
        }
    }

    /// The bytes of message `index` (wrapping around the pool).
    func message(_ index: Int) -> ArraySlice<UInt8> {
        let start = (index % messageCount) * messageSize
        return pool[start..<start + messageSize]
    }

    static func cycle(_ source: [UInt8], to count: Int) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(count)
        while out.count < count { out += source.prefix(count - out.count) }
        return out
    }

    static let events = ["page_view", "add_to_cart", "checkout", "login", "search", "logout", "payment_failed"]
    static let countries = ["DE", "US", "BR", "IN", "JP", "FR", "GB", "NG"]
    static let devices = ["ios", "android", "web"]
    static let words = [
        "the", "order", "was", "shipped", "from", "warehouse", "and", "arrived", "late", "because",
        "of", "weather", "customer", "asked", "for", "a", "refund", "payment", "failed", "twice",
        "before", "support", "closed", "ticket", "with", "new", "address", "delivery", "window", "today",
    ]

    /// One event record with the field names, enums and number shapes of
    /// typical clickstream data: repetitive keys, varied values.
    static func jsonRecord(_ rng: inout SplitMix64) -> String {
        let user = rng.next() % 50_000
        let ts = 1_700_000_000_000 + rng.next() % 100_000_000
        let amount = Double(rng.next() % 100_000) / 100
        let event = events[Int(rng.next() % UInt64(events.count))]
        let country = countries[Int(rng.next() % UInt64(countries.count))]
        let device = devices[Int(rng.next() % UInt64(devices.count))]
        let session = String(rng.next() & 0xFFFF_FFFF, radix: 16)
        return "{\"event\":\"\(event)\",\"user_id\":\(user),\"session\":\"\(session)\",\"ts\":\(ts),"
            + "\"country\":\"\(country)\",\"device\":\"\(device)\",\"amount\":\(amount),\"path\":\"/products/\(rng.next() % 5000)\"}"
    }

    static func sentence(_ rng: inout SplitMix64) -> String {
        let n = 6 + Int(rng.next() % 10)
        return (0..<n).map { _ in words[Int(rng.next() % UInt64(words.count))] }.joined(separator: " ") + "."
    }
}

/// A tiny seeded generator, so payloads are the same on every machine and run.
struct SplitMix64: Sendable {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
