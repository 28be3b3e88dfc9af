import CRdKafka
import Foundation

/// An error from librdkafka or from the Kafka protocol, carrying the library's
/// own code, name and message, and how the caller should treat it.
public struct KafkaError: Error, Sendable, CustomStringConvertible, Equatable {
    /// librdkafka's `rd_kafka_resp_err_t` value: negative for client-side
    /// errors (`_MSG_TIMED_OUT`), positive for broker errors (`NOT_ENOUGH_REPLICAS`).
    public let code: Int32
    /// librdkafka's name for the code, e.g. `NOT_ENOUGH_REPLICAS`.
    public let name: String
    public let message: String
    public let isRetriable: Bool
    public let isFatal: Bool
    /// A transactional producer must abort the current transaction.
    public let txnRequiresAbort: Bool

    public init(
        code: Int32, message: String? = nil, isRetriable: Bool? = nil,
        isFatal: Bool = false, txnRequiresAbort: Bool = false
    ) {
        self.code = code
        self.name = KafkaError.name(of: code)
        // One line: librdkafka's messages sometimes end in a newline.
        let text = (message ?? KafkaError.text(of: code)).split(whereSeparator: \.isNewline).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
        self.message = text.isEmpty ? KafkaError.text(of: code) : text
        self.isRetriable = isRetriable ?? KafkaError.retriableCodes.contains(code)
        self.isFatal = isFatal || code == RD_KAFKA_RESP_ERR__FATAL.rawValue
        self.txnRequiresAbort = txnRequiresAbort
    }

    init(_ err: rd_kafka_resp_err_t, message: String? = nil) {
        self.init(code: err.rawValue, message: message)
    }

    /// Takes ownership of an `rd_kafka_error_t` (destroys it).
    init(consuming error: OpaquePointer) {
        let code = rd_kafka_error_code(error).rawValue
        let message = rd_kafka_error_string(error).map { String(cString: $0) }
        self.init(
            code: code, message: message,
            isRetriable: rd_kafka_error_is_retriable(error) != 0,
            isFatal: rd_kafka_error_is_fatal(error) != 0,
            txnRequiresAbort: rd_kafka_error_txn_requires_abort(error) != 0)
        rd_kafka_error_destroy(error)
    }

    /// A client-side misuse or bad argument, in librdkafka's terms.
    public static func invalidArgument(_ message: String) -> KafkaError {
        KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue, message: message, isRetriable: false)
    }

    public static func timedOut(_ message: String) -> KafkaError {
        KafkaError(code: RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue, message: message, isRetriable: true)
    }

    public static func unsupported(_ message: String) -> KafkaError {
        KafkaError(code: RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE.rawValue, message: message, isRetriable: false)
    }

    public var description: String {
        message == name ? name : "\(name): \(message)"
    }

    public static func name(of code: Int32) -> String {
        String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: code)))
    }

    public static func text(of code: Int32) -> String {
        String(cString: rd_kafka_err2str(rd_kafka_resp_err_t(rawValue: code)))
    }

    /// Broker errors the Kafka protocol marks retriable, plus librdkafka's
    /// transport-level ones; used where librdkafka hands out a bare code.
    static let retriableCodes: Set<Int32> = [
        RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
        RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__QUEUE_FULL,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
        RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
        RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE,
        RD_KAFKA_RESP_ERR_NOT_COORDINATOR, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
        RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR, RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE,
    ].reduce(into: Set<Int32>()) { $0.insert($1.rawValue) }
}

/// Error codes the labs name, so that code outside this module never needs C.
public enum KafkaErrorCode {
    public static let noError: Int32 = 0
    public static let msgTimedOut = RD_KAFKA_RESP_ERR__MSG_TIMED_OUT.rawValue
    public static let timedOut = RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue
    public static let transport = RD_KAFKA_RESP_ERR__TRANSPORT.rawValue
    public static let partitionEOF = RD_KAFKA_RESP_ERR__PARTITION_EOF.rawValue
    public static let unsupportedFeature = RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE.rawValue
    public static let fenced = RD_KAFKA_RESP_ERR__FENCED.rawValue
    public static let state = RD_KAFKA_RESP_ERR__STATE.rawValue
    public static let notEnoughReplicas = RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS.rawValue
    public static let notEnoughReplicasAfterAppend = RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND.rawValue
    public static let requestTimedOut = RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT.rawValue
    public static let notLeaderForPartition = RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION.rawValue
    public static let leaderNotAvailable = RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE.rawValue
    public static let unknownTopicOrPartition = RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART.rawValue
    public static let topicAlreadyExists = RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS.rawValue
    public static let producerFenced = RD_KAFKA_RESP_ERR_PRODUCER_FENCED.rawValue
    public static let invalidProducerEpoch = RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH.rawValue
    public static let groupIdNotFound = RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND.rawValue
    public static let brokerNotAvailable = RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE.rawValue
    public static let outOfOrderSequence = RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER.rawValue
    public static let duplicateSequence = RD_KAFKA_RESP_ERR_DUPLICATE_SEQUENCE_NUMBER.rawValue
    public static let invalidArgument = RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue
}

extension String {
    /// A NUL-terminated C string held in a Swift array (librdkafka's errstr buffers).
    init(cBuffer: [CChar]) {
        let bytes = cBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        self = String(decoding: bytes, as: UTF8.self)
    }
}
