import Foundation

/// Where `produce`'s messages come from, made one at a time into reused buffers: the lines of a
/// file (`key<TAB>value` optional), or a key and value template whose `{i}` becomes the message
/// number. Nothing is allocated per message, so `--count 100m` costs no memory up front and a
/// 200,000-line file no `String` per line.
struct ProduceSource {
    private enum Kind {
        /// The file's bytes and where each non-empty line starts and ends.
        case lines(bytes: [UInt8], ranges: [Range<Int>])
        case template(key: NumberedText?, value: NumberedText)
    }
    private let kind: Kind
    private var keyBuffer: [UInt8] = []
    private var valueBuffer: [UInt8] = []

    var count: Int {
        switch kind {
        case .lines(_, let ranges): ranges.count
        case .template: planned
        }
    }
    private var planned = 0

    /// The lines of a file: split at LF (a CR before it is dropped), empty lines skipped. Nil when
    /// the file cannot be read or is not UTF-8.
    init?(file path: String) {
        guard let bytes = Self.read((path as NSString).expandingTildeInPath) else { return nil }
        // Most files are ASCII: only a file with other bytes is checked as UTF-8 (which copies it).
        if bytes.contains(where: { $0 >= 0x80 }), String(validating: bytes, as: UTF8.self) == nil { return nil }
        var ranges: [Range<Int>] = []
        bytes.withUnsafeBytes { all in
            guard let base = all.baseAddress else { return }
            var start = 0
            while start < all.count {
                let next = memchr(base + start, 0x0A, all.count - start)
                let newline = next.map { UnsafeRawPointer($0) - base } ?? all.count
                let end = newline > start && all[newline - 1] == 0x0D ? newline - 1 : newline
                if end > start { ranges.append(start..<end) }
                start = newline + 1
            }
        }
        kind = .lines(bytes: bytes, ranges: ranges)
    }

    /// The whole file read into one array (no `Data`, no second copy).
    private static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        // A pipe or a device (`--file /dev/stdin`) has no size to read up to.
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            return FileManager.default.contents(atPath: path).map { [UInt8]($0) }
        }
        let size = Int(info.st_size)
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            while count < size {
                let n = Foundation.read(fd, buffer.baseAddress! + count, size - count)
                if n > 0 {
                    count += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    failed = n < 0
                    break
                }
            }
        }
        return failed ? nil : bytes
    }

    init(key: String?, value: String, count: Int) {
        kind = .template(key: key.map(NumberedText.init), value: NumberedText(value))
        planned = count
    }

    /// Message `i`'s key (nil: none) and value, lent to `body`.
    mutating func withMessage<R>(
        _ i: Int, _ body: (UnsafeRawBufferPointer?, UnsafeRawBufferPointer) throws -> R
    ) rethrows -> R {
        switch kind {
        case .lines(let bytes, let ranges):
            return try bytes.withUnsafeBytes { all in
                let line = ranges[i]
                if let tab = all[line].firstIndex(of: 0x09) {
                    return try body(
                        UnsafeRawBufferPointer(rebasing: all[line.lowerBound..<tab]),
                        UnsafeRawBufferPointer(rebasing: all[(tab + 1)..<line.upperBound]))
                }
                return try body(nil, UnsafeRawBufferPointer(rebasing: all[line]))
            }
        case .template(let key, let value):
            value.write(i, into: &valueBuffer)
            if let key { key.write(i, into: &keyBuffer) }
            return try valueBuffer.withUnsafeBytes { v in
                guard key != nil else { return try body(nil, v) }
                return try keyBuffer.withUnsafeBytes { k in try body(k, v) }
            }
        }
    }
}

/// Text whose `{i}` becomes a number: split once at every `{i}`, then written by joining the
/// pieces with the number's digits (what `DataCommands.substitute` makes, without a String).
struct NumberedText {
    private let pieces: [[UInt8]]

    init(_ text: String) {
        pieces = text.components(separatedBy: "{i}").map { Array($0.utf8) }
    }

    var isNumbered: Bool { pieces.count > 1 }

    func write(_ i: Int, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        out.append(contentsOf: pieces[0])
        guard pieces.count > 1 else { return }
        RecordFormat.appendDecimal(Int64(i), into: &out)
        out.append(contentsOf: pieces[1])
        guard pieces.count > 2 else { return }
        var digits: [UInt8] = []
        RecordFormat.appendDecimal(Int64(i), into: &digits)
        for piece in pieces.dropFirst(2) {
            out.append(contentsOf: digits)
            out.append(contentsOf: piece)
        }
    }
}
