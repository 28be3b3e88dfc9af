import Kafka

/// The line protocol of `kafkalab serve`'s control channel: one request line,
/// one reply line, per connection. It carries what a second kafkalab needs
/// and the Kafka protocol cannot do on the mock: create topics, stop and
/// start brokers, move leadership, inject request errors.
///
///     hello                         → ok <brokers> <bootstrap>
///     stopped                       → ok <id,id,...>        (empty: none)
///     create <topic> <parts> <rf>   → ok
///     stop <id> | start <id>        → ok
///     leader <topic> <part> <id>    → ok
///     inject <api key> <code,...>   → ok
///     (any failure)                 → err <librdkafka code> <message>
public enum ServeRequest: Equatable, Sendable {
    case hello
    case stopped
    case create(topic: String, partitions: Int32, replicationFactor: Int32)
    case stop(Int32)
    case start(Int32)
    case leader(topic: String, partition: Int32, broker: Int32)
    case inject(api: Int16, codes: [Int32])
    /// The broker answers its next request of `api` `milliseconds` late (the request itself is applied at once).
    case delay(broker: Int32, api: Int16, milliseconds: Int32)
    /// The broker refuses its next request of `api` with `error`, answering `milliseconds` late.
    case fail(broker: Int32, api: Int16, error: Int32, milliseconds: Int32)

    public var line: String {
        switch self {
        case .hello: "hello"
        case .stopped: "stopped"
        case let .create(topic, partitions, rf): "create \(topic) \(partitions) \(rf)"
        case let .stop(id): "stop \(id)"
        case let .start(id): "start \(id)"
        case let .leader(topic, partition, broker): "leader \(topic) \(partition) \(broker)"
        case let .inject(api, codes): "inject \(api) " + codes.map(String.init).joined(separator: ",")
        case let .delay(broker, api, ms): "delay \(broker) \(api) \(ms)"
        case let .fail(broker, api, error, ms): "fail \(broker) \(api) \(error) \(ms)"
        }
    }

    /// Parses a request line; nil when it is not one (the server answers `err`).
    public init?(line: String) {
        let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let verb = words.first else { return nil }
        let args = Array(words.dropFirst())
        func int32(_ i: Int) -> Int32? { i < args.count ? Int32(args[i]) : nil }
        switch (verb, args.count) {
        case ("hello", 0): self = .hello
        case ("stopped", 0): self = .stopped
        case ("create", 3):
            guard let p = int32(1), let rf = int32(2) else { return nil }
            self = .create(topic: args[0], partitions: p, replicationFactor: rf)
        case ("stop", 1): guard let id = int32(0) else { return nil }; self = .stop(id)
        case ("start", 1): guard let id = int32(0) else { return nil }; self = .start(id)
        case ("leader", 3):
            guard let p = int32(1), let b = int32(2) else { return nil }
            self = .leader(topic: args[0], partition: p, broker: b)
        case ("inject", 2):
            let codes = args[1].split(separator: ",").map { Int32($0) }
            guard let api = Int16(args[0]), !codes.isEmpty, !codes.contains(nil) else { return nil }
            self = .inject(api: api, codes: codes.compactMap { $0 })
        case ("delay", 3):
            guard let b = int32(0), let api = Int16(args[1]), let ms = int32(2) else { return nil }
            self = .delay(broker: b, api: api, milliseconds: ms)
        case ("fail", 4):
            guard let b = int32(0), let api = Int16(args[1]), let error = int32(2), let ms = int32(3) else {
                return nil
            }
            self = .fail(broker: b, api: api, error: error, milliseconds: ms)
        default: return nil
        }
    }
}

public enum ServeReply: Equatable, Sendable {
    case ok(String)
    case failure(code: Int32, message: String)

    public var line: String {
        switch self {
        case let .ok(payload): payload.isEmpty ? "ok" : "ok \(payload)"
        case let .failure(code, message): "err \(code) " + message.replacingOccurrences(of: "\n", with: " ")
        }
    }

    public init?(line: String) {
        if line == "ok" { self = .ok(""); return }
        if line.hasPrefix("ok ") { self = .ok(String(line.dropFirst(3))); return }
        let words = line.split(separator: " ", maxSplits: 2).map(String.init)
        guard words.count >= 2, words[0] == "err", let code = Int32(words[1]) else { return nil }
        self = .failure(code: code, message: words.count > 2 ? words[2] : "")
    }

    /// Runs one request against the cluster this process serves.
    public static func answer(_ request: ServeRequest?, cluster: EmbeddedCluster) -> ServeReply {
        guard let request else {
            return .failure(code: KafkaErrorCode.invalidArgument, message: "not a control request; see ServeRequest")
        }
        do {
            switch request {
            case .hello: return .ok("\(cluster.brokerCount) \(cluster.bootstrap)")
            case .stopped: return .ok(cluster.stoppedBrokers.sorted().map(String.init).joined(separator: ","))
            case let .create(topic, partitions, rf):
                try cluster.createTopic(topic, partitions: partitions, replicationFactor: rf)
            case let .stop(id): try cluster.stopBroker(id)
            case let .start(id): try cluster.startBroker(id)
            case let .leader(topic, partition, broker):
                try cluster.setLeader(topic: topic, partition: partition, broker: broker)
            case let .inject(api, codes):
                guard let kind = KafkaApi(rawValue: api) else {
                    return .failure(
                        code: KafkaErrorCode.invalidArgument,
                        message: "no API key \(api) among \(KafkaApi.allCases.map(\.rawValue))")
                }
                cluster.injectErrors(api: kind, codes)
            case let .delay(broker, api, ms):
                guard let kind = KafkaApi(rawValue: api) else {
                    return .failure(
                        code: KafkaErrorCode.invalidArgument,
                        message: "no API key \(api) among \(KafkaApi.allCases.map(\.rawValue))")
                }
                try cluster.delayNextResponse(broker: broker, api: kind, milliseconds: ms)
            case let .fail(broker, api, error, ms):
                guard let kind = KafkaApi(rawValue: api) else {
                    return .failure(
                        code: KafkaErrorCode.invalidArgument,
                        message: "no API key \(api) among \(KafkaApi.allCases.map(\.rawValue))")
                }
                try cluster.failNextRequest(broker: broker, api: kind, error: error, milliseconds: ms)
            }
            return .ok("")
        } catch let e as KafkaError {
            return .failure(code: e.code, message: e.message)
        } catch {
            return .failure(code: KafkaErrorCode.invalidArgument, message: "\(error)")
        }
    }
}
