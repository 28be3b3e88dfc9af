import Foundation

/// The parts of librdkafka's statistics JSON (statistics.interval.ms) that
/// kafkalab reads. Counters are cumulative since the client started, except
/// the `WindowStats` histograms, which cover one interval each and are reset
/// when emitted: sum them over emissions to cover a run.
public struct ClientStatistics: Sendable, Decodable {
    public let name: String?
    public let type: String?
    /// Microseconds since librdkafka's epoch (monotonic).
    public let ts: Int64?
    public let msgCount: Int64?
    public let tx: Int64?
    public let txBytes: Int64?
    public let rx: Int64?
    public let rxBytes: Int64?
    public let txMsgs: Int64?
    public let txMsgBytes: Int64?
    public let rxMsgs: Int64?
    public let rxMsgBytes: Int64?
    public let brokers: [String: BrokerStats]?
    public let topics: [String: TopicStats]?
    public let eos: EosStats?
    public let cgrp: GroupStats?

    enum CodingKeys: String, CodingKey {
        case name, type, ts, tx, rx, brokers, topics, eos, cgrp
        case msgCount = "msg_cnt", txBytes = "tx_bytes", rxBytes = "rx_bytes"
        case txMsgs = "txmsgs", txMsgBytes = "txmsg_bytes", rxMsgs = "rxmsgs", rxMsgBytes = "rxmsg_bytes"
    }

    public static func decode(_ json: String) throws -> ClientStatistics {
        try JSONDecoder().decode(ClientStatistics.self, from: Data(json.utf8))
    }

    /// Fetch requests sent, summed over real brokers (node id >= 0). A consumer's
    /// statistics list every partition too (hundreds of kilobytes for a few hundred
    /// partitions), so this walks the bytes once and reads only `brokers.*.nodeid`
    /// and `brokers.*.req.Fetch`: JSONDecoder, even decoding the brokers alone,
    /// spent about a millisecond per document on that walk. Nil when the text is
    /// not a JSON object with a `brokers` object.
    public static func fetchRequests(in json: String) -> Int64? {
        var text = json
        return text.withUTF8 { bytes in
            var scanner = StatisticsScanner(bytes: bytes)
            return scanner.fetchRequests()
        }
    }

    /// Real brokers only (librdkafka also lists its bootstrap and internal pseudo-brokers).
    public var realBrokers: [BrokerStats] {
        (brokers ?? [:]).values.filter { ($0.nodeId ?? -1) >= 0 }
    }

    /// Produce requests sent, summed over brokers.
    public var produceRequests: Int64 { realBrokers.reduce(0) { $0 + ($1.requests?["Produce"] ?? 0) } }
    /// Fetch requests sent, summed over brokers.
    public var fetchRequests: Int64 { realBrokers.reduce(0) { $0 + ($1.requests?["Fetch"] ?? 0) } }
    /// Request retries, summed over brokers.
    public var retries: Int64 { realBrokers.reduce(0) { $0 + ($1.txRetries ?? 0) } }
    /// Requests that timed out waiting for a response, summed over brokers.
    public var requestTimeouts: Int64 { realBrokers.reduce(0) { $0 + ($1.reqTimeouts ?? 0) } }
    /// Bytes written to broker sockets (requests of every kind, with framing).
    public var bytesSent: Int64 { realBrokers.reduce(0) { $0 + ($1.txBytes ?? 0) } }
}

public struct BrokerStats: Sendable, Decodable {
    public let name: String?
    public let nodeId: Int32?
    public let state: String?
    public let tx: Int64?
    public let txBytes: Int64?
    public let txErrs: Int64?
    public let txRetries: Int64?
    /// Requests that timed out waiting for their response (socket.timeout.ms).
    public let reqTimeouts: Int64?
    public let rx: Int64?
    public let rxBytes: Int64?
    /// Requests sent, by API name ("Produce", "Fetch", ...).
    public let requests: [String: Int64]?
    public let rtt: WindowStats?

    enum CodingKeys: String, CodingKey {
        case name, state, tx, rx, rtt
        case nodeId = "nodeid", txBytes = "txbytes", txErrs = "txerrs", txRetries = "txretries"
        case reqTimeouts = "req_timeouts"
        case rxBytes = "rxbytes", requests = "req"
    }
}

public struct TopicStats: Sendable, Decodable {
    public let topic: String?
    /// Produced batch sizes in bytes (compressed, as sent), this interval.
    public let batchSize: WindowStats?
    /// Messages per produced batch, this interval.
    public let batchCount: WindowStats?
    public let partitions: [String: PartitionStats]?

    enum CodingKeys: String, CodingKey {
        case topic, partitions
        case batchSize = "batchsize", batchCount = "batchcnt"
    }
}

public struct PartitionStats: Sendable, Decodable {
    public let partition: Int32?
    public let txMsgs: Int64?
    public let txBytes: Int64?
    public let rxMsgs: Int64?
    public let rxBytes: Int64?
    public let msgs: Int64?
    public let consumerLag: Int64?
    public let hiOffset: Int64?
    public let committedOffset: Int64?

    enum CodingKeys: String, CodingKey {
        case partition, msgs
        case txMsgs = "txmsgs", txBytes = "txbytes", rxMsgs = "rxmsgs", rxBytes = "rxbytes"
        case consumerLag = "consumer_lag", hiOffset = "hi_offset", committedOffset = "committed_offset"
    }
}

/// librdkafka's rolling-window histogram summary.
public struct WindowStats: Sendable, Decodable {
    public let min: Int64?
    public let max: Int64?
    public let avg: Int64?
    public let sum: Int64?
    public let cnt: Int64?
    public let p50: Int64?
    public let p99: Int64?
}

/// Idempotence and transaction state (`eos` section, producers only).
public struct EosStats: Sendable, Decodable, Equatable {
    public let idempotenceState: String?
    public let transactionState: String?
    public let producerId: Int64?
    public let producerEpoch: Int32?
    public let epochCount: Int64?

    enum CodingKeys: String, CodingKey {
        case idempotenceState = "idemp_state", transactionState = "txn_state"
        case producerId = "producer_id", producerEpoch = "producer_epoch", epochCount = "epoch_cnt"
    }

    /// A producer id has been assigned (librdkafka reports -1 before that).
    public var hasProducerId: Bool { (producerId ?? -1) >= 0 }
}

public struct GroupStats: Sendable, Decodable {
    public let state: String?
    public let joinState: String?
    public let rebalanceCount: Int64?
    public let assignmentSize: Int64?

    enum CodingKeys: String, CodingKey {
        case state
        case joinState = "join_state", rebalanceCount = "rebalance_cnt", assignmentSize = "assignment_size"
    }
}

/// A forward-only walk over a statistics document that reads a few numbers and
/// skips everything else (strings, nested objects, arrays) without building it.
struct StatisticsScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func fetchRequests() -> Int64? {
        var total: Int64 = 0
        var sawBrokers = false
        let ok = members { key, scanner in
            guard key == "brokers" else { return scanner.skipValue() }
            sawBrokers = true
            return scanner.members { _, broker in
                var node: Int64 = -1
                var fetch: Int64 = 0
                let ok = broker.members { field, inner in
                    switch field {
                    case "nodeid":
                        guard let n = inner.integer() else { return false }
                        node = n
                        return true
                    case "req":
                        return inner.members { api, counter in
                            guard api == "Fetch" else { return counter.skipValue() }
                            guard let n = counter.integer() else { return false }
                            fetch = n
                            return true
                        }
                    default:
                        return inner.skipValue()
                    }
                }
                if node >= 0 { total += fetch }
                return ok
            }
        }
        return ok && sawBrokers ? total : nil
    }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    private mutating func expect(_ byte: UInt8) -> Bool {
        skipSpace()
        guard i < bytes.count, bytes[i] == byte else { return false }
        i += 1
        return true
    }

    /// Calls `body` for each member of the object at the cursor, with the cursor at the
    /// member's value; `body` must consume the value. False on malformed input.
    mutating func members(_ body: (String, inout StatisticsScanner) -> Bool) -> Bool {
        guard expect(UInt8(ascii: "{")) else { return false }
        if expect(UInt8(ascii: "}")) { return true }
        while true {
            skipSpace()
            guard let key = string(), expect(UInt8(ascii: ":")), body(key, &self) else { return false }
            if expect(UInt8(ascii: ",")) { continue }
            return expect(UInt8(ascii: "}"))
        }
    }

    private mutating func string() -> String? {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
        let start = i + 1
        i += 1
        while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
            i += bytes[i] == UInt8(ascii: "\\") ? 2 : 1
        }
        guard i < bytes.count else { return nil }
        defer { i += 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
    }

    mutating func integer() -> Int64? {
        skipSpace()
        var negative = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        var value: Int64 = 0
        let start = i
        while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
            value = value &* 10 &+ Int64(bytes[i] - UInt8(ascii: "0"))
            i += 1
        }
        return i > start ? (negative ? -value : value) : nil
    }

    /// Skips one value of any kind.
    mutating func skipValue() -> Bool {
        skipSpace()
        guard i < bytes.count else { return false }
        switch bytes[i] {
        case UInt8(ascii: "\""):
            return string() != nil
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "\""):
                    guard string() != nil else { return false }
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 {
                        i += 1
                        return true
                    }
                default: break
                }
                i += 1
            }
            return false
        default:
            // A number, true, false or null: up to the next delimiter.
            let start = i
            while i < bytes.count, bytes[i] != UInt8(ascii: ","), bytes[i] != UInt8(ascii: "}"),
                bytes[i] != UInt8(ascii: "]")
            {
                i += 1
            }
            return i > start
        }
    }
}
