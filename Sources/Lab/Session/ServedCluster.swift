import Foundation
import Kafka

/// The mock cluster of a `kafkalab serve` process, controlled through its
/// control channel (see ServeDiscovery and ServeRequest): what a second
/// kafkalab uses instead of the CreateTopics the mock lacks, and to stop and
/// start the served brokers. The stopped set lives in the serve process, so
/// every client sees the same one.
public final class ServedCluster: MockClusterControl {
    public let advert: ServeAdvert
    public let brokerCount: Int
    /// Seconds one control request may take (they are synchronous calls on
    /// the mock's side, answered in milliseconds).
    static let requestTimeoutSeconds = 10

    /// Connects and says `hello`; nil when nothing answers at the advert's
    /// socket or it serves another bootstrap list.
    public init?(advert: ServeAdvert) {
        self.advert = advert
        brokerCount = advert.brokers
        guard let hello = try? Self.send(.hello, to: advert.socket, timeoutSeconds: 2) else { return nil }
        let words = hello.split(separator: " ").map(String.init)
        guard words.count == 2, Int(words[0]) == advert.brokers,
            ServeDiscovery.addresses(of: words[1]) == ServeDiscovery.addresses(of: advert.bootstrap)
        else { return nil }
    }

    public var stoppedBrokers: Set<Int32> {
        guard let text = try? request(.stopped) else { return [] }
        return Set(text.split(separator: ",").compactMap { Int32($0) })
    }

    public func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32) throws {
        _ = try request(.create(topic: name, partitions: partitions, replicationFactor: replicationFactor))
    }

    public func stopBroker(_ id: Int32) throws { _ = try request(.stop(id)) }
    public func startBroker(_ id: Int32) throws { _ = try request(.start(id)) }

    public func setLeader(topic: String, partition: Int32, broker: Int32) throws {
        _ = try request(.leader(topic: topic, partition: partition, broker: broker))
    }

    public func injectErrors(api: KafkaApi, _ errors: [Int32]) throws {
        _ = try request(.inject(api: api.rawValue, codes: errors))
    }
    public func failNextRequest(broker: Int32, api: KafkaApi, error: Int32, milliseconds: Int32) throws {
        _ = try request(.fail(broker: broker, api: api.rawValue, error: error, milliseconds: milliseconds))
    }

    public func delayNextResponse(broker: Int32, api: KafkaApi, milliseconds: Int32) throws {
        _ = try request(.delay(broker: broker, api: api.rawValue, milliseconds: milliseconds))
    }

    func request(_ r: ServeRequest) throws -> String {
        try Self.send(r, to: advert.socket, timeoutSeconds: Self.requestTimeoutSeconds)
    }

    /// One request, one reply; the reply's payload, or the serve side's error.
    static func send(_ r: ServeRequest, to socket: String, timeoutSeconds: Int) throws -> String {
        guard let fd = UnixSocket.connect(to: socket, timeoutSeconds: timeoutSeconds) else {
            throw KafkaError(
                code: KafkaErrorCode.transport,
                message:
                    "the kafkalab serve control channel at \(socket) does not answer (\(String(cString: strerror(errno)))); is `kafkalab serve` still running?"
            )
        }
        defer { close(fd) }
        guard UnixSocket.writeLine(fd, r.line), let line = UnixSocket.readLine(fd) else {
            throw KafkaError(
                code: KafkaErrorCode.timedOut,
                message: "no answer from the kafkalab serve control channel at \(socket) within \(timeoutSeconds) s")
        }
        switch ServeReply(line: line) {
        case let .ok(payload): return payload
        case let .failure(code, message): throw KafkaError(code: code, message: message)
        case nil:
            throw KafkaError(
                code: KafkaErrorCode.invalidArgument, message: "unexpected answer from \(socket): \(line.prefix(80))")
        }
    }
}
