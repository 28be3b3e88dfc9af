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

    /// Fetch requests sent, summed over real brokers, decoding only the
    /// brokers: a consumer's statistics also list every partition, and
    /// decoding those into `TopicStats` costs milliseconds per document
    /// (measured: about 5 % of a 300,000-record `bench consume` run's CPU).
    public static func fetchRequests(in json: String) -> Int64? {
        struct Broker: Decodable {
            let nodeid: Int32?
            let req: [String: Int64]?
        }
        struct BrokersOnly: Decodable { let brokers: [String: Broker]? }
        guard let doc = try? JSONDecoder().decode(BrokersOnly.self, from: Data(json.utf8)) else { return nil }
        return (doc.brokers ?? [:]).values.filter { ($0.nodeid ?? -1) >= 0 }.reduce(0) { $0 + ($1.req?["Fetch"] ?? 0) }
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
