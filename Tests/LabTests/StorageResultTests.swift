import Testing

@testable import Lab

/// The storage lab's results: one value rendered to text and to JSON carries the same figures.
@Suite("Storage results: text and JSON from one value")
struct StorageResultTests {
    @Test func segmentFilesOnTheComposeCluster() {
        let rows = [
            SegmentsResult.SegmentRow(
                partition: 0, brokerID: 2, role: "leader", baseOffset: 0, logBytes: 512, indexBytes: 10_485_760,
                timeindexBytes: 10_485_756, active: true),
            SegmentsResult.SegmentRow(
                partition: 1, brokerID: 3, role: "follower", baseOffset: 1200, logBytes: 4096, indexBytes: 0,
                timeindexBytes: 12, active: false),
        ]
        let r = RenderedResult(
            SegmentsResult(topic: "logs", cluster: "compose", segmentFiles: rows, reason: nil, partitions: nil))
        #expect(r.hasRow(["0", "2", "leader", "0", "512", "B", "10.0", "MiB", "10.0", "MiB", "active"]), "\(r.text)")
        #expect(r.hasRow(["1", "3", "follower", "1200", "4.0", "KiB", "0", "B", "12", "B"]), "\(r.text)")
        #expect(
            r.json.serialized()
                == #"{"topic":"logs","cluster":"compose","segment_files":[{"partition":0,"broker_id":2,"role":"leader","base_offset":0,"log_bytes":512,"index_bytes":10485760,"timeindex_bytes":10485756,"active":true},{"partition":1,"broker_id":3,"role":"follower","base_offset":1200,"log_bytes":4096,"index_bytes":0,"timeindex_bytes":12,"active":false}],"reason":null,"partitions":null}"#
        )
    }

    @Test func noSegmentFilesOnTheMockButItsOffsets() {
        let r = RenderedResult(
            SegmentsResult(
                topic: "seg", cluster: "embedded", segmentFiles: nil,
                reason: "the embedded cluster keeps partitions in memory",
                partitions: [.init(partition: 0, lowWatermark: 3, highWatermark: 17)]))
        #expect(r.text.hasPrefix("embedded: there are no segment files here"))
        #expect(r.hasRow(["0", "3", "17"]), "\(r.text)")
        #expect(r.json["segment_files"] == .null)
        #expect(r.json["partitions"]?[0]?["low_watermark"]?.intValue == 3)
        #expect(r.json["partitions"]?[0]?["high_watermark"]?.intValue == 17)
    }

    @Test func compactionCountsAndRecordsAgree() {
        let records: [CompactionResult.Record] = [
            .init(offset: 8, key: "user-0", value: "user-0 v3"), .init(offset: 11, key: "user-2", value: nil),
        ]
        let r = RenderedResult(
            CompactionResult(
                topic: "c", cluster: "compose", written: 11, remaining: 2, compacted: true, tombstonedKey: "user-2",
                cleanerWaitLimitMs: 90_000, records: records, cleanerRuns: true))
        #expect(r.text.contains("Compacted: 11 records became 2;"), "\(r.text)")
        #expect(r.text.contains("the tombstone itself is still there"), "\(r.text)")
        #expect(r.hasRow(["8", "user-0", "user-0", "v3"]) && r.hasRow(["11", "user-2", "(tombstone)"]), "\(r.text)")
        #expect(r.json["written"]?.intValue == 11 && r.json["remaining"]?.intValue == 2)
        #expect(r.json["compacted"] == true && r.json["cleaner_wait_limit_ms"]?.doubleValue == 90_000)
        #expect(r.json["records"]?[1]?["value"] == .null)

        let waiting = RenderedResult(
            CompactionResult(
                topic: "c", cluster: "compose", written: 11, remaining: 11, compacted: false, tombstonedKey: "user-2",
                cleanerWaitLimitMs: 90_000, records: [], cleanerRuns: true))
        #expect(waiting.text.contains("has not finished within 90s"), "\(waiting.text)")
    }
}
