import Testing

@testable import TestSupport

/// The record batch codec the stand-in's proxy writes transaction markers with.
/// librdkafka's reader checks the other direction (ComposeTransactionWireTests).
@Suite("Kafka record batches v2: CRC-32C, varints, control records")
struct KafkaRecordBatchTests {
    @Test func crc32cMatchesTheCastagnoliCheckValue() {
        // The standard check value of CRC-32C (RFC 3720, appendix B.4).
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
    }

    @Test func varintsAreZigzagEncoded() throws {
        // DefaultRecord's varints: 0 → 00, -1 → 01, 1 → 02, 63 → 7e, -64 → 7f, 64 → 80 01.
        let cases: [(Int64, [UInt8])] = [
            (0, [0x00]), (-1, [0x01]), (1, [0x02]), (63, [0x7E]), (-64, [0x7F]), (64, [0x80, 0x01]),
            (300, [0xD8, 0x04]), (Int64(Int32.max), [0xFE, 0xFF, 0xFF, 0xFF, 0x0F]),
        ]
        for (value, bytes) in cases {
            var w = KafkaWireWriter()
            w.varlong(value)
            #expect(w.bytes == bytes, "\(value)")
            var r = KafkaWireReader(bytes)
            #expect(try r.varlong() == value)
            #expect(r.isAtEnd)
        }
        var r = KafkaWireReader([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        #expect(throws: KafkaWireError.self) { try r.varlong() }
    }

    @Test func aCommitMarkerIsLaidOutAsKafkaWritesIt() throws {
        let batch = KafkaRecordBatch.transactionMarker(
            commit: true, producerId: 4_000, producerEpoch: 3, coordinatorEpoch: 7, timestamp: 1_700_000_000_000,
            baseOffset: 42)
        let bytes = batch.encoded()
        var r = KafkaWireReader(bytes)
        #expect(try r.int64() == 42)  // baseOffset
        #expect(try r.int32() == Int32(bytes.count - 12))  // batchLength
        #expect(try r.int32() == -1)  // partitionLeaderEpoch
        #expect(try r.int8() == 2)  // magic
        #expect(try r.uint32() == CRC32C.checksum(bytes[21...]))
        #expect(try r.int16() == 0x30)  // transactional (bit 4) | control (bit 5)
        #expect(try r.int32() == 0)  // lastOffsetDelta
        #expect(try r.int64() == 1_700_000_000_000)
        #expect(try r.int64() == 1_700_000_000_000)
        #expect(try r.int64() == 4_000)
        #expect(try r.int16() == 3)
        #expect(try r.int32() == -1)  // baseSequence: a marker has none
        #expect(try r.int32() == 1)
        // The record: length, attributes, timestampDelta, offsetDelta, key (4), value (6), no headers.
        let recordLength = try r.varint()
        #expect(recordLength == Int32(r.remaining))
        #expect(try r.int8() == 0)
        #expect(try r.varlong() == 0)
        #expect(try r.varint() == 0)
        #expect(try r.varintBytes() == [0, 0, 0, 1])  // version 0, COMMIT
        #expect(try r.varintBytes() == [0, 0, 0, 0, 0, 7])  // version 0, coordinator epoch 7
        #expect(try r.varint() == 0)
        #expect(r.isAtEnd)
    }

    @Test func batchesRoundTripAndACorruptedByteFailsTheCrc() throws {
        let records = [
            KafkaRecordBatch.Record(offsetDelta: 0, key: Array("k".utf8), value: Array("v1".utf8)),
            KafkaRecordBatch.Record(
                offsetDelta: 1, key: nil, value: nil, timestampDelta: 5,
                headers: [.init(name: "h", value: [1, 2]), .init(name: "n", value: nil)]),
        ]
        let batch = KafkaRecordBatch(
            baseOffset: 10, attributes: KafkaRecordBatch.transactionalFlag, baseTimestamp: 1_000, producerId: 9,
            producerEpoch: 1, baseSequence: 4, records: records)
        var bytes = batch.encoded()
        let decoded = try KafkaRecordBatch.decode(bytes)
        #expect(decoded == batch)
        #expect(decoded.lastOffset == 11 && decoded.maxTimestamp == 1_005 && decoded.isTransactional)
        #expect(!decoded.isControl)
        bytes[bytes.count - 3] ^= 0x01
        #expect(throws: KafkaWireError.self) { try KafkaRecordBatch.decode(bytes) }
    }

    @Test func controlRecordsDecodeTheirTypeAndRefuseOthers() throws {
        let abort = KafkaControlRecord(type: .abort, coordinatorEpoch: 2)
        #expect(try KafkaControlRecord(key: abort.key, value: abort.value) == abort)
        #expect(throws: KafkaWireError.self) { try KafkaControlRecord(key: [0, 0, 0, 5], value: abort.value) }
        #expect(throws: KafkaWireError.self) { try KafkaControlRecord(key: [0, 1, 0, 0], value: abort.value) }
    }

    @Test func aRecordSetIsSplitIntoBatchesAndATruncatedLastOneIsLeftOut() throws {
        let a = KafkaRecordBatch(
            baseOffset: 0, attributes: 0, baseTimestamp: 1,
            records: [.init(offsetDelta: 0, key: nil, value: [1]), .init(offsetDelta: 1, key: nil, value: [2])]
        ).encoded()
        let b = KafkaRecordBatch.transactionMarker(
            commit: false, producerId: 5, producerEpoch: 0, coordinatorEpoch: 0, timestamp: 1, baseOffset: 2
        ).encoded()
        let set = try KafkaRecordSet.batches(in: a + b + b.prefix(20))
        #expect(set.map(\.baseOffset) == [0, 2])
        #expect(set.map(\.lastOffset) == [1, 2])
        #expect(set.map(\.isControl) == [false, true])
        #expect(set[1].producerId == 5 && set[1].isTransactional)
        #expect(set[1].range == a.count..<(a.count + b.count))
        #expect(try KafkaRecordSet.batches(in: []).isEmpty)
    }
}
