import Foundation

/// Where `produce`'s messages come from, made one at a time into reused buffers: the lines of a
/// file (`key<TAB>value` optional), or a key and value template whose `{i}` becomes the message
/// number. Nothing is allocated per message, so `--count 100m` costs no memory up front and a
/// 200,000-line file no `String` per line.
struct ProduceSource {
    /// The file, or nil for the templates. (Three stored optionals, not an enum with payloads:
    /// taking a case's payload apart retained and released its objects for every message.)
    private let lines: LineFile?
    private let keyText: NumberedText?
    private let valueText: NumberedText?

    /// How many messages: the file's non-empty lines, or the template's count.
    let count: Int

    /// The lines of a file: split at LF (a CR before it is dropped), empty lines skipped. Nil when
    /// the file cannot be read or is not UTF-8 (checked before any message is made).
    init?(file path: String, chunkBytes: Int = LineFile.defaultChunkBytes) {
        guard let lines = LineFile(path: (path as NSString).expandingTildeInPath, chunkBytes: chunkBytes) else {
            return nil
        }
        self.lines = lines
        keyText = nil
        valueText = nil
        count = lines.count
    }

    init(key: String?, value: String, count: Int) {
        lines = nil
        keyText = key.map(NumberedText.init)
        valueText = NumberedText(value)
        self.count = count
    }

    /// Message `i`'s key (nil: none) and value, lent to `body`; nil when a file has no line left
    /// (it shrank after it was counted). A file's lines come in order: `i` is the next one.
    func withMessage<R>(
        _ i: Int, _ body: (UnsafeRawBufferPointer?, UnsafeRawBufferPointer) throws -> R
    ) throws -> R? {
        if let valueText { return try body(keyText?.text(i), valueText.text(i)) }
        return try lines?.withNextLine { line in
            guard let base = line.baseAddress, let tab = memchr(base, 0x09, line.count) else {
                return try body(nil, line)
            }
            let keyCount = UnsafeRawPointer(tab) - base
            return try body(
                UnsafeRawBufferPointer(rebasing: line[0..<keyCount]),
                UnsafeRawBufferPointer(rebasing: line[(keyCount + 1)...]))
        }
    }
}

/// A file's non-empty lines, read through one reused buffer. Reading the whole file first cost
/// a 200,000-line `produce --file` (12 MB) 20-35 ms before its first send (the copy into fresh
/// pages, then a list of every line's range) and kept the file in memory; now a first pass
/// counts the lines and checks that they are UTF-8, and a second lends them one at a time, each
/// read through a chunk of `chunkBytes` (a line longer than that grows the buffer). A pipe or a
/// device (`--file /dev/stdin`) cannot be read twice: it is read whole into the buffer.
final class LineFile {
    static let defaultChunkBytes = 1 << 20
    /// The file, or -1 when `buffer` holds all of it.
    private let fd: Int32
    private var buffer: UnsafeMutableRawBufferPointer
    /// `buffer[start..<end]` is read and not yet handed out; `buffer[start..<scanned]` has no LF.
    private var start = 0
    private var end = 0
    private var scanned = 0
    private var atEOF = false
    /// The non-empty lines, counted before the first is lent.
    private(set) var count = 0

    init?(path: String, chunkBytes: Int) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            return nil
        }
        if (info.st_mode & S_IFMT) == S_IFREG {
            self.fd = fd
            buffer = .allocate(byteCount: max(16, chunkBytes), alignment: 8)
        } else {
            close(fd)
            guard let data = FileManager.default.contents(atPath: path) else { return nil }
            self.fd = -1
            buffer = .allocate(byteCount: max(16, data.count), alignment: 8)
            data.copyBytes(to: buffer.bindMemory(to: UInt8.self), count: data.count)
            end = data.count
            atEOF = true
        }
        guard let lines = countCheckingUTF8(), rewind() else { return nil }
        count = lines
    }

    deinit {
        if fd >= 0 { close(fd) }
        buffer.deallocate()
    }

    /// The next non-empty line lent to `body`, or nil at the end of the file.
    func withNextLine<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R? {
        while true {
            let lineEnd: Int
            if scanned < end, let hit = memchr(buffer.baseAddress! + scanned, 0x0A, end - scanned) {
                lineEnd = UnsafeRawPointer(hit) - UnsafeRawPointer(buffer.baseAddress!)
            } else if atEOF {
                guard start < end else { return nil }
                lineEnd = end
            } else {
                scanned = end
                refill()
                continue
            }
            let line = trimmed(start..<lineEnd)
            start = min(lineEnd + 1, end)
            scanned = start
            guard !line.isEmpty else { continue }
            return try body(UnsafeRawBufferPointer(rebasing: buffer[line]))
        }
    }

    /// The first pass: how many non-empty lines, nil when one is not UTF-8. It looks at whole
    /// lines a chunk at a time (an LF never sits inside a multi-byte character, so a chunk cut
    /// after an LF is valid exactly when its lines are); only a chunk with a byte above 0x7F is
    /// checked as `String(validating:)` checks it.
    private func countCheckingUTF8() -> Int? {
        var lines = 0
        while true {
            let base = buffer.baseAddress!
            var pos = start
            while pos < end, let hit = memchr(base + pos, 0x0A, end - pos) {
                let newline = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
                if !trimmed(pos..<newline).isEmpty { lines += 1 }
                pos = newline + 1
            }
            if atEOF {
                if !trimmed(pos..<end).isEmpty { lines += 1 }
                pos = end
            }
            let whole = UnsafeRawBufferPointer(rebasing: buffer[start..<pos])
            guard Self.isASCII(whole) || String(validating: whole, as: UTF8.self) != nil else { return nil }
            start = pos
            scanned = pos
            if atEOF { return lines }
            refill()
        }
    }

    /// Back to the first line, for the second pass.
    private func rewind() -> Bool {
        start = 0
        scanned = 0
        guard fd >= 0 else { return true }
        end = 0
        atEOF = false
        return lseek(fd, 0, SEEK_SET) == 0
    }

    /// A line without the CR before its LF.
    private func trimmed(_ line: Range<Int>) -> Range<Int> {
        line.upperBound > line.lowerBound && buffer[line.upperBound - 1] == 0x0D
            ? line.lowerBound..<(line.upperBound - 1) : line
    }

    /// Moves the unfinished line to the front (doubling the buffer when it fills it) and reads more.
    private func refill() {
        if start > 0 {
            memmove(buffer.baseAddress!, buffer.baseAddress! + start, end - start)
            end -= start
            scanned -= start
            start = 0
        }
        if end == buffer.count {
            let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 8)
            bigger.copyMemory(from: UnsafeRawBufferPointer(buffer))
            buffer.deallocate()
            buffer = bigger
        }
        while true {
            let n = read(fd, buffer.baseAddress! + end, buffer.count - end)
            if n > 0 {
                end += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                // The end, or a read error: what was read is all there is.
                atEOF = true
            }
            return
        }
    }

    private static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var high: UInt64 = 0
        var i = 0
        while i + 8 <= bytes.count {
            high |= base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < bytes.count {
            high |= UInt64(bytes[i])
            i += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }
}

/// Text whose `{i}` becomes a number: split once at every `{i}`, then written by joining the
/// pieces with the number's digits (what `DataCommands.substitute` makes, without a String) into
/// a buffer of its own, sized for the longest number, with no array append per message.
final class NumberedText {
    /// The pieces between the `{i}`s, back to back; piece `k` ends at `ends[k]`.
    private let pieces: UnsafeMutableRawBufferPointer
    private let ends: [Int]
    /// Where a message is written: the pieces and up to 20 digits (and a sign) per `{i}`.
    private let out: UnsafeMutableRawBufferPointer

    init(_ text: String) {
        let split = text.components(separatedBy: "{i}").map { Array($0.utf8) }
        let total = split.reduce(0) { $0 + $1.count }
        pieces = .allocate(byteCount: max(1, total), alignment: 1)
        var ends: [Int] = []
        for piece in split {
            let start = ends.last ?? 0
            UnsafeMutableRawBufferPointer(rebasing: pieces[start..<(start + piece.count)]).copyBytes(from: piece)
            ends.append(start + piece.count)
        }
        self.ends = ends
        out = .allocate(byteCount: max(1, total + 21 * (split.count - 1)), alignment: 1)
    }

    deinit {
        pieces.deallocate()
        out.deallocate()
    }

    var isNumbered: Bool { ends.count > 1 }

    /// Message `i`'s text, valid until the next call.
    func text(_ i: Int) -> UnsafeRawBufferPointer {
        let base = out.baseAddress!
        let source = UnsafeRawPointer(pieces.baseAddress!)
        var n = ends[0]
        base.copyMemory(from: source, byteCount: n)
        guard ends.count > 1 else { return UnsafeRawBufferPointer(start: base, count: n) }
        // The digits, written backwards at the end of a 21-byte scratch.
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &scratch) { digits in
            var magnitude = i.magnitude
            var first = 24
            repeat {
                first -= 1
                digits[first] = 0x30 + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if i < 0 {
                first -= 1
                digits[first] = UInt8(ascii: "-")
            }
            let number = UnsafeRawBufferPointer(rebasing: digits[first...])
            for k in 1..<ends.count {
                (base + n).copyMemory(from: number.baseAddress!, byteCount: number.count)
                n += number.count
                let count = ends[k] - ends[k - 1]
                (base + n).copyMemory(from: source + ends[k - 1], byteCount: count)
                n += count
            }
            return UnsafeRawBufferPointer(start: base, count: n)
        }
    }
}
