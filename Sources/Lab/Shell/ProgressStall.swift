import Foundation
import Kafka

/// Notices a wait that makes no progress: a producer's delivery reports stop
/// while messages wait (no metadata for the topic, a failing TLS handshake,
/// every broker down). librdkafka would retry until message.timeout.ms (300 s
/// by default); a command stops after `limit` seconds instead and says why.
struct ProgressStall {
    let limit: Double
    private var lastCount: Int?
    private var lastChange: Date

    init(limit: Double, now: Date = Date()) {
        self.limit = limit
        lastChange = now
    }

    /// Whether `count` (reports so far) has not grown for `limit` seconds.
    mutating func isStalled(count: Int, now: Date = Date()) -> Bool {
        if count != lastCount {
            lastCount = count
            lastChange = now
            return false
        }
        return now.timeIntervalSince(lastChange) > limit
    }

    /// The stall limit for a producer with these properties: `base` seconds after what the
    /// producer may hold a message on purpose (linger.ms, alias queue.buffering.max.ms), so
    /// `set linger.ms 10000` is a slow batch, not a stall.
    static func limit(_ base: Double, producerProperties: [String: String]) -> Double {
        let linger = (producerProperties["linger.ms"] ?? producerProperties["queue.buffering.max.ms"])
            .flatMap(Double.init)
        return base + max(linger ?? 0, 0) / 1000
    }

    /// Seconds left for a run that did `done` of `total` in `elapsed` seconds, at that pace and
    /// rounded up; nil before anything is done, 0 once everything is.
    static func timeLeft(done: Int, of total: Int, elapsed: Double) -> Double? {
        guard done > 0, elapsed >= 0 else { return nil }
        return (Double(max(total - done, 0)) * elapsed / Double(done)).rounded(.up)
    }

    /// The one line: how long, how many wait, and why (the client's last error,
    /// else the two causes librdkafka retries silently).
    static func reason(_ producer: Producer, topic: String, limit: Double) -> String {
        let why =
            producer.lastClientError.map { "the client reports \($0.name): \($0.message)" }
            ?? "librdkafka keeps retrying: it has no metadata for \(topic) (hidden by topic.blacklist, or gone?) or the leader refuses the writes"
        return
            "no delivery report for \(Arguments.formatDuration(limit)) with \(producer.outQueueLength) message(s) waiting: \(why); stopped instead of waiting out message.timeout.ms"
    }
}
