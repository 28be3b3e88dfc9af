import Foundation

/// The few POSIX calls of the serve control channel: a Unix-domain stream
/// socket, one line each way. Plain file descriptors, closed by the caller.
enum UnixSocket {
    /// sun_path holds 108 bytes on Linux (104 on macOS), NUL included.
    static let maxPathBytes = 100

    static func withAddress<T>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count <= maxPathBytes else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    static func makeStream() -> Int32 {
        #if canImport(Glibc)
            socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #else
            socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
    }

    /// A listening socket at `path` (an old file there is replaced), or nil.
    static func listen(at path: String) -> Int32? {
        unlink(path)
        let fd = makeStream()
        guard fd >= 0 else { return nil }
        let bound = withAddress(path) { bind(fd, $0, $1) }
        guard bound == 0, Foundation.listen(fd, 16) == 0 else { close(fd); return nil }
        chmod(path, 0o600)
        return fd
    }

    /// A connected socket to `path`, with send and receive time-outs, or nil.
    static func connect(to path: String, timeoutSeconds: Int) -> Int32? {
        let fd = makeStream()
        guard fd >= 0 else { return nil }
        setTimeouts(fd, seconds: timeoutSeconds)
        let rc = withAddress(path) { Foundation.connect(fd, $0, $1) }
        guard rc == 0 else { close(fd); return nil }
        return fd
    }

    static func setTimeouts(_ fd: Int32, seconds: Int) {
        var tv = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Writes the whole line and a newline; false on any error.
    static func writeLine(_ fd: Int32, _ line: String) -> Bool {
        let bytes = Array((line + "\n").utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }

    /// Reads up to the first newline (at most `limit` bytes); nil on error,
    /// time-out or end of stream before a newline.
    static func readLine(_ fd: Int32, limit: Int = 64 * 1024) -> String? {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1024)
        while data.count < limit {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return nil }
            data.append(contentsOf: chunk[0..<n])
            if let end = data.firstIndex(of: UInt8(ascii: "\n")) {
                return String(decoding: data[..<end], as: UTF8.self)
            }
        }
        return nil
    }
}
