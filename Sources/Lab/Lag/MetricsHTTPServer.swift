import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A minimal HTTP/1.1 server for one resource, `GET /metrics`, answering from
/// text handed to it (`publish`), so a scrape never waits on the cluster: it gets
/// the last collection's text at once, whatever the cluster is doing. One thread
/// accepts and answers connections one at a time (Prometheus scrapes one at a
/// time); every connection is closed after its answer, and a client that sends
/// nothing is dropped after two seconds.
///
/// `@unchecked Sendable`: the listening descriptor is written only in `init`
/// and closed after the accept thread ended (`stop` waits for it); the text is
/// behind a Mutex and the stop flag is an Atomic.
final class MetricsHTTPServer: @unchecked Sendable {
    /// The address actually bound (port 0 asks the kernel for a free one).
    let host: String
    let port: UInt16
    private let fd: Int32
    private let text = Mutex<String>("")
    private let stopping = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    /// Scrapes answered, for the tests and the closing line.
    let scrapes = Atomic<Int>(0)

    /// Parses `HOST:PORT` (an IPv4 address or `localhost`).
    static func parseListen(_ value: String) throws -> (host: String, port: UInt16) {
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let port = UInt16(parts[1]) else {
            throw LabError.invalid("--listen takes HOST:PORT (e.g. 127.0.0.1:9308), not '\(value)'")
        }
        let host = parts[0] == "localhost" ? "127.0.0.1" : String(parts[0])
        var probe = in_addr()
        guard inet_pton(AF_INET, host, &probe) == 1 else {
            throw LabError.invalid(
                "--listen takes an IPv4 address (127.0.0.1, 0.0.0.0) or localhost, not '\(parts[0])'")
        }
        return (host, port)
    }

    init(host: String, port: UInt16) throws {
        #if canImport(Glibc)
            let socketFd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let socketFd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard socketFd >= 0 else { throw LabError.invalid("cannot open a socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(socketFd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socketFd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(socketFd, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(socketFd)
            throw LabError.invalid("cannot listen on \(host):\(port): \(reason)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFd, $0, &length) }
        }
        fd = socketFd
        self.host = host
        self.port = UInt16(bigEndian: actual.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "kafkalab-metrics-http"
        thread.start()
    }

    /// The text the next scrapes get.
    func publish(_ body: String) { text.withLock { $0 = body } }

    /// Stops accepting, waits for the accept thread (at most one poll slice and
    /// one answer), and closes the socket.
    func stop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        finished.wait()
        close(fd)
    }

    deinit { stop() }

    private func acceptLoop() {
        defer { finished.signal() }
        while !stopping.load(ordering: .acquiring) {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 100) == 1 else { continue }
            let client = accept(fd, nil, nil)
            guard client >= 0 else { continue }
            answer(client)
            close(client)
        }
    }

    private func answer(_ client: Int32) {
        var tv = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while request.count < 16_384 {
            let n = recv(client, &buffer, buffer.count, 0)
            guard n > 0 else { break }
            request += buffer[0..<n]
            if request.count >= 4, request.suffix(4).elementsEqual("\r\n\r\n".utf8) { break }
            if request.count >= 2, request.suffix(2).elementsEqual("\n\n".utf8) { break }
        }
        let firstLine = String(
            decoding: request.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let words = firstLine.split(separator: " ")
        let response: String
        if words.count >= 2, words[0] == "GET" || words[0] == "HEAD",
            words[1] == "/metrics" || words[1].hasPrefix("/metrics?")
        {
            let body = text.withLock { $0 }
            scrapes.add(1, ordering: .relaxed)
            response =
                "HTTP/1.1 200 OK\r\nContent-Type: \(PrometheusExposition.contentType)\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
                + (words[0] == "HEAD" ? "" : body)
        } else {
            let body = "kafkalab lag export serves /metrics only\n"
            response =
                "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        }
        var bytes = Array(response.utf8)[...]
        while !bytes.isEmpty {
            #if canImport(Glibc)
                let n = send(client, Array(bytes), bytes.count, Int32(MSG_NOSIGNAL))
            #else
                let n = send(client, Array(bytes), bytes.count, 0)
            #endif
            guard n > 0 else { return }
            bytes = bytes.dropFirst(n)
        }
    }
}
