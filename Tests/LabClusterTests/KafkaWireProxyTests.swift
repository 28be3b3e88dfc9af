import Foundation
import Kafka
import Synchronization
import TestSupport
import Testing

/// The stand-in's protocol proxy in front of the mock cluster: broker addresses in
/// Metadata answers point at the proxy, answers keep request order, and a real
/// librdkafka client works through it.
@Suite("KafkaWireProxy in front of the mock cluster")
struct KafkaWireProxyTests {
    /// Answers Metadata request 2 itself (an empty broker and topic list), and holds the
    /// broker's answer to request 1 until it has: the proxy's own answer is ready first.
    struct AnswerSecondMetadata: KafkaWireInterceptor {
        let answered = DispatchSemaphore(value: 0)
        func intercept(_ request: KafkaWireRequest, on connection: KafkaWireConnection) -> KafkaWireVerdict? {
            guard request.api == .metadata else { return nil }
            if request.correlationId == 1 {
                let answered = self.answered
                return .forward(
                    request,
                    response: { response in
                        _ = answered.wait(timeout: .now() + 5)
                        return response
                    })
            }
            defer { answered.signal() }
            var w = KafkaWireWriter()
            w.array([Int32]()) { _, _ in }  // brokers
            w.nullableString("local")  // cluster_id (v2)
            w.int32(-1)  // controller_id
            w.array([Int32]()) { _, _ in }  // topics
            return .answer(body: w.bytes)
        }
    }

    private func metadataRequest(version: Int16) -> [UInt8] {
        var w = KafkaWireWriter()
        w.int32(-1)  // all topics (v1+)
        return w.bytes
    }

    @Test func metadataNamesTheProxyAndAnswersKeepRequestOrder() throws {
        let mock = try EmbeddedCluster(brokers: 3)
        let proxy = try KafkaWireProxy(upstreams: mock.bootstrap, interceptors: [AnswerSecondMetadata()])
        defer { proxy.stop() }
        let client = try KafkaWireClient(port: proxy.listeners[0].port)

        // Request 2's answer is ready before request 1's, but must reach the client second.
        try client.send(.metadata, version: 2, correlationId: 1, body: metadataRequest(version: 2))
        try client.send(.metadata, version: 2, correlationId: 2, body: metadataRequest(version: 2))
        let first = try KafkaWireResponse(frame: try client.receive(), apiKey: 3, apiVersion: 2)
        let second = try KafkaWireResponse(frame: try client.receive(), apiKey: 3, apiVersion: 2)
        #expect(first.correlationId == 1 && second.correlationId == 2)

        let brokers = try KafkaMetadataResponse.brokers(first.body, version: 2)
        #expect(brokers.map(\.nodeId).sorted() == [1, 2, 3])
        let proxyPorts = Set(proxy.listeners.map(\.port))
        #expect(Set(brokers.map(\.port)) == proxyPorts, "every broker is named by its proxy listener")
        #expect(brokers.allSatisfy { $0.host == "127.0.0.1" })
        // Broker n is fronted by listener n-1.
        for b in brokers { #expect(b.port == proxy.listeners[Int(b.nodeId) - 1].port) }
        #expect(try KafkaMetadataResponse.brokers(second.body, version: 2).isEmpty)
        #expect(proxy.requestCount(.metadata) == 2)

        // FindCoordinator v2 (key, key_type): the coordinator is named by its proxy listener too.
        var find = KafkaWireWriter()
        find.string("some-group")
        find.int8(0)
        try client.send(.findCoordinator, version: 2, correlationId: 3, body: find.bytes)
        let found = try KafkaWireResponse(frame: try client.receive(), apiKey: 10, apiVersion: 2)
        #expect(found.correlationId == 3)
        var coordinator = found.reader
        _ = try coordinator.int32()  // throttle
        #expect(try coordinator.int16() == 0)
        _ = try coordinator.nullableString()
        let node = try coordinator.int32()
        #expect(try coordinator.string() == "127.0.0.1")
        #expect(try coordinator.int32() == proxy.listeners[Int(node) - 1].port)
    }

    @Test func aLibrdkafkaProducerWorksThroughTheProxyAndLeavesNoConnectionOpen() throws {
        let mock = try EmbeddedCluster(brokers: 3)
        try mock.createTopic("through", partitions: 3, replicationFactor: 3)
        let proxy = try KafkaWireProxy(upstreams: mock.bootstrap)
        do {
            let producer = try Producer(config: ["bootstrap.servers": proxy.bootstrap, "linger.ms": "0"])
            for i in 0..<10 { try producer.send(topic: "through", value: Array("m\(i)".utf8)) }
            try producer.flush(timeoutMs: 10_000)
        }
        #expect(proxy.requestCount(.produce) >= 1)
        #expect(proxy.requestCount(.metadata) >= 1)
        #expect(proxy.requestCount(.apiVersions) >= 1)
        let admin = try AdminClient(config: ["bootstrap.servers": mock.bootstrap], timeoutMs: 5_000)
        var total: Int64 = 0
        for p in Int32(0)..<3 { total += try admin.watermarks(topic: "through", partition: p).high }
        #expect(total == 10)
        proxy.stop()
        #expect(proxy.openConnections == 0)
    }
}
