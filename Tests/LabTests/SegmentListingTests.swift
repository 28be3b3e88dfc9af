import Testing

@testable import Lab

@Suite("Segment listing")
struct SegmentListingTests {
    let listing = """
        total 24
        -rw-r--r-- 1 1000 1000 10485760 Nov 25 18:00 00000000000000000000.index
        -rw-r--r-- 1 1000 1000     4096 Nov 25 18:00 00000000000000000000.log
        -rw-r--r-- 1 1000 1000 10485756 Nov 25 18:00 00000000000000000000.timeindex
        -rw-r--r-- 1 1000 1000       10 Nov 25 18:05 00000000000000000042.snapshot
        -rw-r--r-- 1 1000 1000 10485760 Nov 25 18:05 00000000000000000042.index
        -rw-r--r-- 1 1000 1000      512 Nov 25 18:05 00000000000000000042.log
        -rw-r--r-- 1 1000 1000 10485756 Nov 25 18:05 00000000000000000042.timeindex
        -rw-r--r-- 1 1000 1000        8 Nov 25 18:00 leader-epoch-checkpoint
        -rw-r--r-- 1 1000 1000       43 Nov 25 18:00 partition.metadata
        drwxr-xr-x 2 1000 1000     4096 Nov 25 18:00 somedir
        """

    @Test func parsesFilesWithSizesAndBaseOffsets() {
        let files = SegmentListing.files(fromLongListing: listing)
        #expect(files.count == 9)
        #expect(files.first { $0.name == "00000000000000000042.log" }?.baseOffset == 42)
        #expect(files.first { $0.name == "00000000000000000042.log" }?.bytes == 512)
        #expect(files.first { $0.name == "leader-epoch-checkpoint" }?.kind == .other)
        #expect(files.first { $0.name.hasSuffix(".snapshot") }?.kind == .snapshot)
    }

    @Test func groupsSegmentsAndMarksTheNewestActive() {
        let segments = SegmentListing.segments(from: SegmentListing.files(fromLongListing: listing))
        #expect(segments.map(\.baseOffset) == [0, 42])
        #expect(segments.map(\.isActive) == [false, true])
        #expect(segments[0].logBytes == 4096)
        #expect(segments[1].indexBytes == 10_485_760)
        #expect(segments[1].timeIndexBytes == 10_485_756)
    }

    @Test func anEmptyDirectoryHasNoSegments() {
        #expect(SegmentListing.segments(from: SegmentListing.files(fromLongListing: "total 0\n")).isEmpty)
    }

    @Test func splitsAMultiDirectoryListing() {
        let text =
            "orders-0:\ntotal 8\n-rw-r--r-- 1 1000 1000 70 Nov 25 18:00 00000000000000000000.log\n\norders-1:\ntotal 8\n-rw-r--r-- 1 1000 1000 90 Nov 25 18:00 00000000000000000005.log\n"
        let dirs = SegmentListing.directories(fromLongListing: text)
        #expect(Set(dirs.keys) == ["orders-0", "orders-1"])
        #expect(dirs["orders-1"]?.first?.baseOffset == 5)
        #expect(SegmentListing.directories(fromLongListing: listing, single: "t-0")["t-0"]?.count == 9)
    }
}
