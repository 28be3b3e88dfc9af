import TestSupport
import Testing

/// The stand-in proxy's message layouts and decisions, without a socket.
@Suite("Kafka wire messages and the min-ISR refusal, pure")
struct KafkaWireMessagesTests {
    static let connection = KafkaWireConnection(
        id: 1, upstreamIndex: 0, upstream: KafkaWireProxy.Address(host: "127.0.0.1", port: 9092))

    /// A request frame: header v1, then `body`.
    func request(_ api: KafkaApiKey, version: Int16, correlationId: Int32 = 7, body: [UInt8]) throws -> KafkaWireRequest
    {
        var w = KafkaWireWriter()
        KafkaRequestHeader(apiKey: api.rawValue, apiVersion: version, correlationId: correlationId, clientId: "t")
            .write(&w)
        w.raw(body)
        return try KafkaWireRequest(frame: w.bytes)
    }

    func produce(acks: Int16, partitions: [String: [Int32]]) -> KafkaProduceRequest {
        KafkaProduceRequest(
            transactionalId: nil, acks: acks, timeoutMs: 30_000,
            topics: partitions.keys.sorted().map { name in
                KafkaProduceRequest.Topic(
                    name: name, partitions: partitions[name]!.map { .init(index: $0, records: [1, 2, 3]) })
            })
    }

    @Test func coordinatorPartitionsAreKafkasUtilsAbsOfJavasHashCode() {
        // Java: "hello".hashCode() == 99162322, "Hello World".hashCode() == -862545276,
        // "polygenelubricants".hashCode() == Integer.MIN_VALUE.
        #expect(KafkaMinIsrRefusal.javaHashCode("hello") == 99_162_322)
        #expect(KafkaMinIsrRefusal.javaHashCode("Hello World") == -862_545_276)
        #expect(KafkaMinIsrRefusal.javaHashCode("polygenelubricants") == .min)
        #expect(KafkaMinIsrRefusal.coordinatorPartition(for: "hello", partitions: 50) == 22)
        // Math.abs, not `& 0x7fffffff` (toPositive, which gives 22 here).
        #expect(KafkaMinIsrRefusal.coordinatorPartition(for: "Hello World", partitions: 50) == 26)
        #expect(KafkaMinIsrRefusal.coordinatorPartition(for: "polygenelubricants", partitions: 50) == 0)
    }

    @Test func aFlexibleRequestHeaderKeepsItsTaggedFieldsOutOfTheBody() throws {
        // ApiVersions v3 as librdkafka sends it: header v2 (client id, then an empty tag
        // buffer), body: compact strings client_software_name/version and a tag buffer.
        var w = KafkaWireWriter()
        KafkaRequestHeader(apiKey: KafkaApiKey.apiVersions.rawValue, apiVersion: 3, correlationId: 9, clientId: "c")
            .write(&w)
        w.unsignedVarint(0)
        let headerLength = w.bytes.count
        let body: [UInt8] = [10] + Array("librdkafka".utf8).dropLast() + [6] + Array("2.0.2".utf8) + [0]
        w.raw(body)
        let request = try KafkaWireRequest(frame: w.bytes)
        #expect(request.isFlexible && request.correlationId == 9 && request.clientId == "c")
        #expect(request.header.count == headerLength && request.body == body)
        #expect(request.frame == w.bytes)
        // Its answer's header is v0 all the same; InitProducerId v4's is v1 (a tag buffer).
        #expect(!KafkaApiKey.isFlexible(apiKey: KafkaApiKey.apiVersions.rawValue, version: 3, response: true))
        #expect(KafkaApiKey.isFlexible(apiKey: KafkaApiKey.initProducerId.rawValue, version: 4, response: true))
        #expect(!KafkaApiKey.isFlexible(apiKey: KafkaApiKey.produce.rawValue, version: 7, response: false))
    }

    @Test func aProduceRequestAndResponseRoundTrip() throws {
        let p = produce(acks: -1, partitions: ["a": [0, 2], "b": [1]])
        for version: Int16 in [3, 7] {
            #expect(try KafkaProduceRequest.read(p.write(version: version), version: version) == p)
            var r = KafkaProduceResponse(topics: [.init(name: "a", partitions: [.init(index: 0, errorCode: 19)])])
            r.topics[0].partitions[0].baseOffset = 42
            r.throttleTimeMs = 5
            let read = try KafkaProduceResponse.read(r.write(version: version), version: version)
            #expect(read == r)
        }
    }

    @Test func metadataBrokersAreRewrittenAndTheRestKept() throws {
        for version: Int16 in 0...4 {
            var w = KafkaWireWriter()
            if version >= 3 { w.int32(0) }
            w.array([(1, 9092), (2, 9093)]) { w, b in
                w.int32(Int32(b.0))
                w.string("127.0.0.1")
                w.int32(Int32(b.1))
                if version >= 1 { w.nullableString(nil) }
            }
            let rest: [UInt8] = [0, 0, 0, 1, 0xAB]
            w.raw(rest)
            let rewritten = try KafkaMetadataResponse.rewritingBrokers(w.bytes, version: version) { host, port in
                (host, port + 1000)
            }
            let brokers = try KafkaMetadataResponse.brokers(rewritten, version: version)
            #expect(brokers.map(\.port) == [10092, 10093], "v\(version)")
            #expect(Array(rewritten.suffix(rest.count)) == rest, "v\(version)")
        }
    }

    @Test func acksAllIsRefusedPerPartitionAndTheRestForwardedThenMerged() throws {
        let refusal = KafkaMinIsrRefusal { topic, partition in topic == "a" && partition == 2 }
        let version: Int16 = 7
        let mixed = try request(
            .produce, version: version,
            body: produce(acks: -1, partitions: ["a": [0, 2], "b": [1]]).write(version: version))
        guard case .forward(let forwarded, let rewrite?)? = refusal.intercept(mixed, on: Self.connection) else {
            Issue.record("a request with accepted partitions is forwarded with a response rewrite")
            return
        }
        let sent = try KafkaProduceRequest.read(forwarded.body, version: version)
        #expect(sent.topics.map(\.name) == ["a", "b"] && sent.topics[0].partitions.map(\.index) == [0])
        // The broker answers what it was sent; the client gets that and the refusal.
        var brokerFrame = KafkaWireWriter()
        brokerFrame.int32(7)
        brokerFrame.raw(
            KafkaProduceResponse(topics: [
                .init(name: "a", partitions: [.init(index: 0, errorCode: 0)]),
                .init(name: "b", partitions: [.init(index: 1, errorCode: 0)]),
            ]).write(version: version))
        let merged = try rewrite(KafkaWireResponse(frame: brokerFrame.bytes, apiKey: 0, apiVersion: version))
        let answer = try KafkaProduceResponse.read(merged.body, version: version)
        #expect(answer.topics[0].partitions.map { [$0.index, Int32($0.errorCode)] } == [[0, 0], [2, 19]])
        #expect(answer.topics[1].partitions.map(\.errorCode) == [0])
        #expect(refusal.refusals("a", 2) == 1)

        // All refused: answered by the proxy; acks=1 and acks=0: never looked at.
        let allRefused = try request(
            .produce, version: version, body: produce(acks: -1, partitions: ["a": [2]]).write(version: version))
        guard case .answer(let body)? = refusal.intercept(allRefused, on: Self.connection) else {
            Issue.record("a request with only refused partitions is answered by the proxy")
            return
        }
        let local = try KafkaProduceResponse.read(body, version: version)
        #expect(local.topics.first?.partitions.first?.errorCode == 19)
        #expect(local.topics.first?.partitions.first?.baseOffset == -1)
        for acks: Int16 in [1, 0] {
            let r = try request(
                .produce, version: version, body: produce(acks: acks, partitions: ["a": [2]]).write(version: version))
            #expect(refusal.intercept(r, on: Self.connection) == nil, "acks=\(acks)")
        }
        #expect(refusal.refusals("a", 2) == 2)
    }

    @Test func coordinatorCallsForAShortInternalPartitionAreAnsweredCoordinatorNotAvailable() throws {
        let group = "billing", txn = "orders-tx"
        let groupPartition = KafkaMinIsrRefusal.coordinatorPartition(for: group, partitions: 50)
        let txnPartition = KafkaMinIsrRefusal.coordinatorPartition(for: txn, partitions: 50)
        let refusal = KafkaMinIsrRefusal { topic, partition in
            (topic == "__consumer_offsets" && partition == groupPartition)
                || (topic == "__transaction_state" && partition == txnPartition)
        }
        // OffsetCommit v7: group, generation, member, instance id, [topic [partition, offset, epoch, metadata]].
        var w = KafkaWireWriter()
        w.string(group)
        w.int32(3)
        w.string("member-1")
        w.nullableString(nil)
        w.array(["t"]) { w, name in
            w.string(name)
            w.array([Int32(0), 1]) { w, p in
                w.int32(p)
                w.int64(10)
                w.int32(-1)
                w.nullableString(nil)
            }
        }
        guard
            case .answer(let body)? = refusal.intercept(
                try request(.offsetCommit, version: 7, body: w.bytes), on: Self.connection)
        else {
            Issue.record("the commit is answered by the proxy")
            return
        }
        var r = KafkaWireReader(body)
        #expect(try r.int32() == 0)  // throttle
        let topics = try r.array { r in (try r.string(), try r.array { r in (try r.int32(), try r.int16()) }) }
        #expect(topics.count == 1 && topics[0].0 == "t")
        #expect(topics[0].1.map(\.0) == [0, 1] && topics[0].1.allSatisfy { $0.1 == 15 })
        #expect(r.isAtEnd)

        // EndTxn v1: transactional id, producer id, epoch, committed.
        var end = KafkaWireWriter()
        end.string(txn)
        end.int64(5)
        end.int16(0)
        end.bool(true)
        guard
            case .answer(let endBody)? = refusal.intercept(
                try request(.endTxn, version: 1, body: end.bytes), on: Self.connection)
        else {
            Issue.record("EndTxn is answered by the proxy")
            return
        }
        #expect(endBody == [0, 0, 0, 0, 0, 15])
        // Another transactional id on a healthy partition goes to the broker.
        var other = KafkaWireWriter()
        other.string("x")
        other.int64(5)
        other.int16(0)
        other.bool(true)
        if KafkaMinIsrRefusal.coordinatorPartition(for: "x", partitions: 50) != txnPartition {
            #expect(refusal.intercept(try request(.endTxn, version: 1, body: other.bytes), on: Self.connection) == nil)
        }
        #expect(refusal.refusals("__consumer_offsets", groupPartition) == 1)
        #expect(refusal.refusals("__transaction_state", txnPartition) == 1)
    }
}
