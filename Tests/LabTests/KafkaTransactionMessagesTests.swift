import Testing

@testable import TestSupport

/// The transactional messages the stand-in's coordinator reads and rewrites, without a socket.
@Suite("Kafka wire: transactional messages (InitProducerId, AddPartitionsToTxn, EndTxn, Fetch, ListOffsets)")
struct KafkaTransactionMessagesTests {
    /// InitProducerId v4 as librdkafka sends it: compact string, timeout, current id and epoch, tagged fields.
    func initProducerIdV4(_ id: String, producerId: Int64, epoch: Int16) -> [UInt8] {
        var w = KafkaWireWriter()
        w.unsignedVarint(UInt32(id.utf8.count + 1))
        w.raw(Array(id.utf8))
        w.int32(60_000)
        w.int64(producerId)
        w.int16(epoch)
        w.unsignedVarint(UInt32(0))
        return w.bytes
    }

    @Test func initProducerIdCarriesTheCurrentIdOnlyFromV3() throws {
        let body = initProducerIdV4("orders-tx", producerId: -1, epoch: -1)
        let request = try KafkaInitProducerIdRequest.read(body, version: 4)
        #expect(request.transactionalId == "orders-tx" && request.transactionTimeoutMs == 60_000)
        #expect(request.producerId == -1 && request.producerEpoch == -1)
        let rewritten = try KafkaInitProducerIdRequest.replacingProducer(in: body, version: 4, id: 42_000, epoch: 3)
        #expect(rewritten == initProducerIdV4("orders-tx", producerId: 42_000, epoch: 3))
        #expect(throws: KafkaWireError.self) {
            try KafkaInitProducerIdRequest.replacingProducer(in: body, version: 2, id: 1, epoch: 0)
        }
        // v0-1: a plain nullable string, no id.
        var w = KafkaWireWriter()
        w.nullableString(nil)
        w.int32(1_000)
        #expect(try KafkaInitProducerIdRequest.read(w.bytes, version: 1).transactionalId == nil)
    }

    @Test func initProducerIdAnswersRoundTripWithTheirTaggedFields() throws {
        let answer = KafkaInitProducerIdResponse(throttleTimeMs: 0, errorCode: 51, producerId: -1, producerEpoch: -1)
        let v4 = answer.write(version: 4)
        #expect(v4.count == 4 + 2 + 8 + 2 + 1 && v4.last == 0)
        #expect(try KafkaInitProducerIdResponse.read(v4) == answer)
        #expect(answer.write(version: 1).count == 16)
    }

    @Test func addPartitionsAndEndTxnAreRead() throws {
        var w = KafkaWireWriter()
        w.string("tx")
        w.int64(7)
        w.int16(1)
        w.array([("a", [Int32(0), 2])]) { w, t in
            w.string(t.0)
            w.array(t.1) { $0.int32($1) }
        }
        let add = try KafkaAddPartitionsToTxnRequest.read(w.bytes, version: 0)
        #expect(add.transactionalId == "tx" && add.producerId == 7 && add.producerEpoch == 1)
        #expect(add.topics.map(\.name) == ["a"] && add.topics[0].partitions == [0, 2])

        var answer = KafkaWireWriter()
        answer.int32(0)
        answer.array([("a", [(Int32(0), Int16(0)), (2, 47)])]) { w, t in
            w.string(t.0)
            w.array(t.1) { w, p in
                w.int32(p.0)
                w.int16(p.1)
            }
        }
        let accepted = try KafkaAddPartitionsToTxnResponse.accepted(answer.bytes)
        #expect(accepted.map(\.partition) == [0], "partition 2 was refused")

        var end = KafkaWireWriter()
        end.string("tx")
        end.int64(7)
        end.int16(1)
        end.bool(false)
        #expect(
            try KafkaEndTxnRequest.read(end.bytes, version: 1)
                == .init(transactionalId: "tx", producerId: 7, producerEpoch: 1, committed: false))
    }

    @Test func fetchRequestsGiveTheIsolationAndEachFetchOffset() throws {
        var w = KafkaWireWriter()
        w.int32(-1)
        w.int32(500)
        w.int32(1)
        w.int32(52_428_800)
        w.int8(1)  // read_committed
        w.int32(0)  // session_id (v7+)
        w.int32(-1)  // session_epoch
        w.array(["t"]) { w, name in
            w.string(name)
            w.array([Int32(3)]) { w, p in
                w.int32(p)
                w.int32(-1)  // current_leader_epoch (v9+)
                w.int64(17)
                w.int64(-1)  // log_start_offset (v5+)
                w.int32(1_048_576)
            }
        }
        w.array([String]()) { $0.string($1) }  // forgotten topics (v7+)
        w.string("")  // rack_id (v11)
        let request = try KafkaFetchRequest.read(w.bytes, version: 11)
        #expect(request.isolationLevel == 1 && request.fetchOffsets == ["t": [3: 17]])
        let moved = try KafkaFetchRequest.replacingFetchOffsets(in: w.bytes, version: 11) { topic, p, offset in
            topic == "t" && p == 3 && offset == 17 ? 40 : nil
        }
        #expect(moved.count == w.bytes.count)
        #expect(try KafkaFetchRequest.read(moved, version: 11).fetchOffsets == ["t": [3: 40]])
        #expect(try KafkaFetchRequest.replacingFetchOffsets(in: w.bytes, version: 11) { _, _, _ in nil } == w.bytes)
    }

    @Test func fetchResponsesRoundTripWithAbortedListsAndNullRecords() throws {
        for version in [Int16(4), 5, 7, 11] {
            let response = KafkaFetchResponse(
                throttleTimeMs: 0, errorCode: 0, sessionId: 0,
                topics: [
                    .init(
                        name: "t",
                        partitions: [
                            .init(
                                index: 0, errorCode: 0, highWatermark: 8, lastStableOffset: 4,
                                logStartOffset: version >= 5 ? 0 : -1,
                                aborted: [.init(producerId: 9, firstOffset: 2)], records: [1, 2, 3]),
                            .init(
                                index: 1, errorCode: 0, highWatermark: 0, lastStableOffset: 0,
                                logStartOffset: version >= 5 ? 0 : -1, aborted: nil, records: nil),
                        ])
                ])
            let bytes = response.write(version: version)
            #expect(try KafkaFetchResponse.read(bytes, version: version) == response, "v\(version)")
        }
        #expect(throws: KafkaWireError.self) { try KafkaFetchResponse.read([], version: 12) }
    }

    @Test func listOffsetsAnswersRoundTrip() throws {
        var w = KafkaWireWriter()
        w.int32(-1)
        w.int8(1)
        w.array(["t"]) { w, name in
            w.string(name)
            w.array([Int32(0)]) { w, p in
                w.int32(p)
                w.int64(-1)
            }
        }
        let request = try KafkaListOffsetsRequest.read(w.bytes, version: 2)
        #expect(request.isolationLevel == 1 && request.timestamps == ["t": [0: -1]])
        let answer = KafkaListOffsetsResponse(
            throttleTimeMs: 0,
            topics: [(name: "t", partitions: [.init(index: 0, errorCode: 0, timestamp: -1, offset: 12)])])
        #expect(try KafkaListOffsetsResponse.read(answer.write(version: 2), version: 2) == answer)
        #expect(try KafkaListOffsetsResponse.read(answer.write(version: 1), version: 1) == answer)
    }
}
