import Foundation

/// The typed result of `bench consume`: it renders its own table and readings, and its JSON is its
/// encoding (`CommandResult`), so the two carry the same figures. Properties left out of
/// `CodingKeys` only word the text.
struct ConsumerBenchResult: CommandResult {
    /// Property names and values in the order the command line gave them; in JSON an object keyed
    /// by the property names (keyed by data, so never snake_cased).
    struct Properties: Encodable, Equatable {
        let pairs: [(String, String)]

        init(_ pairs: [(String, String)]) { self.pairs = pairs }

        static func == (a: Properties, b: Properties) -> Bool { a.pairs.elementsEqual(b.pairs, by: ==) }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encode(JSONValue.object(pairs.map { ($0.0, .string($0.1)) }))
        }

        /// "fetch.min.bytes=1 fetch.wait.max.ms=10", or "(session config)" when nothing was varied.
        var label: String {
            pairs.isEmpty ? "(session config)" : pairs.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
        }
    }

    /// One consumer of a run with several (`--consumers N`).
    struct Client: Encodable, Equatable {
        let client: Int
        let messages: Int
        /// From the consumer's first record to its last.
        let durationMs: Double
        /// Nil (null) when the consumer read for no measurable time.
        let msgsPerSec: Double?

        init(client: Int, messages: Int, durationMs: Double) {
            self.client = client
            self.messages = messages
            self.durationMs = durationMs
            msgsPerSec = durationMs > 0 ? Double(messages) / (durationMs / 1000) : nil
        }

        var rate: ClientRate { ClientRate(client: client, messages: messages, seconds: durationMs / 1000) }
    }

    struct Run: Encodable, Equatable {
        let run: Int
        let properties: Properties
        let consumed: Int
        let duplicates: Int
        /// Every message read once, and, when the run read the whole topic, each partition's count
        /// matched its watermarks.
        let exactlyOnce: Bool
        /// Over `windowMs`, the first record to the last.
        let msgsPerSec: Double
        let mibPerSec: Double
        /// The window is shorter than `BenchNoise.minimumSeconds`: the rates are not shown as figures.
        let tooShortToRate: Bool
        /// Fetch requests from librdkafka's statistics; nil when none were received.
        let fetchRequests: Int64?
        /// From the start (joining the group included) to the first record; nil when none arrived.
        let firstMessageMs: Double?
        /// From the start to the last record.
        let totalMs: Double
        /// From the first record to the last: what the rates divide by.
        let windowMs: Double
        let best: Bool
        let interrupted: Bool
        /// Each consumer's share, with `--consumers N` (N > 1); empty otherwise.
        let clients: [Client]
    }

    let topic: String
    let messagesInTopic: Int
    /// Messages each run reads.
    let count: Int
    let consumers: Int
    /// Varied properties the embedded cluster's mock ignores: their rows differ by noise.
    let ignoredByEmbeddedCluster: [String]
    let runs: [Run]
    let bestRun: Int?
    /// The session is on the embedded cluster (the mock serves fetches from memory).
    let onMock: Bool

    enum CodingKeys: String, CodingKey {
        case topic, messagesInTopic, count, consumers, ignoredByEmbeddedCluster, runs, bestRun
    }

    func render(into output: Output) {
        var table = TextTable(
            headers: [
                "RUN", "PROPERTIES", "MSGS/S", "MIB/S", "FETCHES", "MSGS/FETCH", "FIRST MSG", "TOTAL", "EXACTLY ONCE",
                "BEST",
            ],
            alignments: [.right, .left, .right, .right, .right, .right, .right, .right, .left, .left])
        for r in runs {
            let fetches = r.fetchRequests.map { "\($0)" } ?? "?"
            let perFetch =
                r.fetchRequests.flatMap { $0 > 0 ? String(format: "%.0f", Double(r.consumed) / Double($0)) : nil }
                ?? "?"
            table.append([
                "\(r.run)", r.properties.label,
                r.tooShortToRate ? "short" : String(format: "%.0f", r.msgsPerSec),
                r.tooShortToRate ? "short" : String(format: "%.1f", r.mibPerSec),
                fetches, perFetch, r.firstMessageMs.map { String(format: "%.0f ms", $0) } ?? "-",
                String(format: "%.2f s", r.totalMs / 1000),
                r.exactlyOnce ? "yes" : "NO (\(r.consumed)/\(count), \(r.duplicates) dup)",
                r.best ? "◀ best" : "",
            ])
        }
        output.table(table)
        if runs.contains(where: \.interrupted) { output.line("interrupted after \(runs.count) run(s)") }
        if let best = runs.first(where: { $0.run == bestRun }) {
            output.line(
                "best: run \(best.run) (\(best.properties.label)) at \(String(format: "%.0f", best.msgsPerSec)) msgs/s")
        } else if runs.count > 1 && ignoredByEmbeddedCluster.isEmpty {
            if let short = runs.first(where: \.tooShortToRate) {
                output.line(
                    "no best: run \(short.run) read for \(String(format: "%.2f", short.windowMs / 1000)) s, too short to rate (msgs/s needs at least \(BenchBenchNoiseText.minimum)); seed more or raise --count"
                )
            } else {
                output.line(
                    "no best: no run is faster beyond the noise (a single run counts as ±\(Int(BenchNoise.singleRunHalfWidth * 100)) %)"
                )
            }
        }
        if !ignoredByEmbeddedCluster.isEmpty {
            output.line(
                "note: the embedded cluster ignores \(ignoredByEmbeddedCluster.joined(separator: " and ")) (the mock answers each fetch at once with one message set per partition), so differences between these rows are noise, not the setting; none is marked best"
            )
        }
        for r in runs where !r.clients.isEmpty {
            if r.tooShortToRate {
                output.line(
                    "run \(r.run): \(r.clients.count) consumers, rates withheld (short run); "
                        + r.clients.map {
                            "consumer \($0.client): \($0.messages) msgs in \(String(format: "%.2f", $0.durationMs / 1000)) s"
                        }.joined(separator: ", "))
            } else {
                let scaling = ClientScaling(clients: r.clients.map(\.rate), aggregateSeconds: r.windowMs / 1000)
                output.line("run \(r.run): \(scaling.summary)")
                output.line(
                    "  "
                        + r.clients.map {
                            "consumer \($0.client): \($0.messages) msgs, \(BenchReport.grouped($0.msgsPerSec ?? .nan)) msgs/s"
                        }.joined(separator: ", "))
            }
        }
        output.hint(
            "MSGS/S and MIB/S (values, 1 MiB = 2^20 B) cover the first to the last record (withheld as \"short\" under \(BenchBenchNoiseText.minimum)); FIRST MSG includes joining the group; FETCHES are Fetch requests from librdkafka's statistics"
        )
        if onMock && ignoredByEmbeddedCluster.isEmpty {
            output.hint(
                "embedded: the mock answers fetches from memory on this machine, with no disk and no network latency, and ignores fetch.min.bytes and max.partition.fetch.bytes; fetch tuning matters against real brokers"
            )
        }
    }
}
