/// One file of a partition directory on a broker, as `ls -l` lists it.
struct SegmentFile: Sendable, Equatable {
    enum Kind: String, Sendable { case log, index, timeindex, snapshot, txnindex, other }
    let name: String
    let bytes: Int64
    let kind: Kind
    /// The base offset in the file name (the offset of the segment's first record), if any.
    let baseOffset: Int64?
}

/// A segment: the .log/.index/.timeindex files sharing one base offset.
struct Segment: Sendable, Equatable {
    let baseOffset: Int64
    let logBytes: Int64
    let indexBytes: Int64
    let timeIndexBytes: Int64
    /// The newest segment, the only one still written to.
    let isActive: Bool
}

/// Turns a partition directory listing into segments. Pure, so it is tested
/// without Docker; the real listing comes from `ls -ln` inside the broker container.
enum SegmentListing {
    /// Parses `ls -ln` output lines ("-rw-r--r-- 1 1000 1000 10485760 Nov 25 18:00 00000000000000000000.index").
    static func files(fromLongListing text: String) -> [SegmentFile] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 9, fields[0].hasPrefix("-"), let size = Int64(fields[4]) else { return nil }
            let name = fields[8...].joined(separator: " ")
            return file(named: name, bytes: size)
        }
    }

    /// Parses `ls -ln dir1 dir2 ...`, whose output has a `dir:` header before
    /// each directory's listing (none when only one directory was listed).
    static func directories(fromLongListing text: String, single name: String? = nil) -> [String: [SegmentFile]] {
        var result: [String: [SegmentFile]] = [:]
        var current = name
        var lines: [Substring] = []
        func flush() {
            if let current { result[current, default: []] += files(fromLongListing: lines.joined(separator: "\n")) }
            lines = []
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasSuffix(":") && !line.hasPrefix("-") && !line.hasPrefix("total") && !line.contains(" ") {
                flush()
                current = String(line.dropLast()).split(separator: "/").last.map(String.init)
            } else {
                lines.append(line)
            }
        }
        flush()
        return result
    }

    static func file(named name: String, bytes: Int64) -> SegmentFile {
        let parts = name.split(separator: ".", maxSplits: 1)
        let base = parts.count == 2 && parts[0].count == 20 ? Int64(parts[0]) : nil
        let ext = parts.count == 2 ? String(parts[1]) : ""
        let kind: SegmentFile.Kind =
            switch ext {
            case "log": .log
            case "index": .index
            case "timeindex": .timeindex
            case "snapshot": .snapshot
            case "txnindex": .txnindex
            default: .other
            }
        return SegmentFile(name: name, bytes: bytes, kind: base == nil ? .other : kind, baseOffset: base)
    }

    /// Groups files into segments by base offset, oldest first; the last is active.
    static func segments(from files: [SegmentFile]) -> [Segment] {
        var byBase: [Int64: [SegmentFile]] = [:]
        for f in files where f.kind == .log || f.kind == .index || f.kind == .timeindex {
            if let base = f.baseOffset { byBase[base, default: []].append(f) }
        }
        let bases = byBase.keys.filter { base in byBase[base]!.contains { $0.kind == .log } }.sorted()
        return bases.map { base in
            let group = byBase[base]!
            func size(_ k: SegmentFile.Kind) -> Int64 { group.first { $0.kind == k }?.bytes ?? 0 }
            return Segment(
                baseOffset: base, logBytes: size(.log), indexBytes: size(.index),
                timeIndexBytes: size(.timeindex), isActive: base == bases.last)
        }
    }
}
