import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A request as a client sent it: the header's fixed fields, the raw header
/// (kept byte for byte, flexible tagged fields included) and the body after it.
/// An interceptor that rewrites a request sets `body`; the header goes on as it came.
public struct KafkaWireRequest: Sendable {
    public let apiKey: Int16
    public let apiVersion: Int16
    public let correlationId: Int32
    public let clientId: String?
    /// Request header v2 (flexible versions): the header ends with tagged fields.
    public let isFlexible: Bool
    public let header: [UInt8]
    public var body: [UInt8]

    public var api: KafkaApiKey? { KafkaApiKey(rawValue: apiKey) }

    /// Parses a frame's contents (without the size prefix).
    public init(frame: [UInt8]) throws {
        var reader = KafkaWireReader(frame)
        let fixed = try KafkaRequestHeader.read(&reader)
        apiKey = fixed.apiKey
        apiVersion = fixed.apiVersion
        correlationId = fixed.correlationId
        clientId = fixed.clientId
        isFlexible = KafkaApiKey.isFlexible(apiKey: apiKey, version: apiVersion, response: false)
        if isFlexible { try reader.skipTaggedFields() }
        header = Array(frame[..<reader.offset])
        body = reader.rest()
    }

    public var frame: [UInt8] { header + body }
    public var reader: KafkaWireReader { KafkaWireReader(body) }
}

/// A broker's answer: its correlation id, the raw response header and the body.
/// `apiKey`/`apiVersion` are the request's (a response does not carry them).
public struct KafkaWireResponse: Sendable {
    public let apiKey: Int16
    public let apiVersion: Int16
    public let correlationId: Int32
    public let header: [UInt8]
    public var body: [UInt8]

    public init(frame: [UInt8], apiKey: Int16, apiVersion: Int16) throws {
        var reader = KafkaWireReader(frame)
        correlationId = try reader.int32()
        self.apiKey = apiKey
        self.apiVersion = apiVersion
        if KafkaApiKey.isFlexible(apiKey: apiKey, version: apiVersion, response: true) {
            try reader.skipTaggedFields()
        }
        header = Array(frame[..<reader.offset])
        body = reader.rest()
    }

    /// A response built for `request` (response header v0, or v1 with no tagged
    /// fields where the request's version is flexible).
    public init(answering request: KafkaWireRequest, body: [UInt8]) {
        apiKey = request.apiKey
        apiVersion = request.apiVersion
        correlationId = request.correlationId
        var w = KafkaWireWriter()
        w.int32(request.correlationId)
        if KafkaApiKey.isFlexible(apiKey: apiKey, version: apiVersion, response: true) { w.int8(0) }
        header = w.bytes
        self.body = body
    }

    public var frame: [UInt8] { header + body }
    public var reader: KafkaWireReader { KafkaWireReader(body) }
}

/// One client connection through the proxy, as an interceptor sees it.
public struct KafkaWireConnection: Sendable {
    /// Counts connections from 1 over the proxy's life.
    public let id: Int
    /// Which upstream broker this connection goes to: its index in the proxy's
    /// upstream list (the mock's brokers 1...N are indexes 0..<N) and its address.
    public let upstreamIndex: Int
    public let upstream: KafkaWireProxy.Address

    public init(id: Int, upstreamIndex: Int, upstream: KafkaWireProxy.Address) {
        self.id = id
        self.upstreamIndex = upstreamIndex
        self.upstream = upstream
    }
}

/// What an interceptor does with a request.
public enum KafkaWireVerdict: Sendable {
    /// Send `request` (as given: rewritten or not) on to the next interceptor and then
    /// the broker. `response`, if any, rewrites the broker's answer; rewrites run in
    /// the reverse order of the interceptors (the last to see the request sees its
    /// answer first). It runs on the connection's response thread; one that throws
    /// leaves the answer as it was.
    case forward(KafkaWireRequest, response: (@Sendable (KafkaWireResponse) throws -> KafkaWireResponse)?)
    /// Answer the client with this response body (after the response header); the
    /// broker and later interceptors never see the request, and the response rewrites
    /// of earlier ones apply to the answer. It still reaches the client in request
    /// order. For a request that expects no response (Produce with acks=0) nothing is sent.
    case answer(body: [UInt8])
}

/// Decides, for each request on a connection, what the proxy does with it.
/// Called on the connection's request thread, one request at a time, in order;
/// different connections call it from different threads at once.
public protocol KafkaWireInterceptor: Sendable {
    /// `nil`: forward the request unchanged and leave the response alone.
    func intercept(_ request: KafkaWireRequest, on connection: KafkaWireConnection) -> KafkaWireVerdict?
}

/// A Kafka protocol proxy for tests: one 127.0.0.1 listener per upstream broker;
/// each accepted connection gets its own connection to that broker, and requests go
/// up and responses down through a chain of interceptors. Metadata (v0-4) and
/// FindCoordinator (v0-2) answers are rewritten to name the proxy's listeners, so
/// a client that bootstraps through `bootstrap` never connects to a broker directly.
/// Everything else passes byte for byte unless an interceptor says otherwise.
///
/// Responses reach each client in the order of its requests (Kafka clients match
/// them by position), also when an interceptor answers one itself.
///
/// Its threads hold it until `stop()`: the owner calls that (ScriptedKafka in its deinit).
///
/// `@unchecked Sendable`: `upstreams`, `interceptors` and the listeners are set in
/// `init` and never change, `threads` is a DispatchGroup (thread-safe); everything
/// that changes (connections, counters, the stopped flag) is behind `state`'s mutex.
public final class KafkaWireProxy: @unchecked Sendable {
    public struct Address: Sendable, Hashable {
        public let host: String
        public let port: Int32
        public init(host: String, port: Int32) {
            self.host = host
            self.port = port
        }
    }

    public let upstreams: [Address]
    /// The proxy's listener for each upstream, same order.
    public let listeners: [Address]
    private let interceptors: [any KafkaWireInterceptor]
    private let listenFds: [Int32]
    private let threads = DispatchGroup()

    private struct State {
        var stopped = false
        var nextConnectionId = 1
        var connections: [Int: ProxiedConnection] = [:]
        var requestsSeen: [Int16: Int] = [:]
    }
    private let state = Mutex(State())

    /// `upstreams`: "host:port,host:port" (the mock's bootstrap list).
    /// `interceptors` see each request in this order.
    public init(upstreams bootstrap: String, interceptors: [any KafkaWireInterceptor] = []) throws {
        upstreams = try bootstrap.split(separator: ",").map { entry in
            guard let colon = entry.lastIndex(of: ":"), let port = Int32(entry[entry.index(after: colon)...]) else {
                throw KafkaWireError.malformed("upstream '\(entry)' is not HOST:PORT")
            }
            return Address(host: String(entry[..<colon]), port: port)
        }
        var fds: [Int32] = []
        var listeners: [Address] = []
        do {
            for _ in upstreams {
                let (fd, port) = try Socket.listen()
                fds.append(fd)
                listeners.append(Address(host: "127.0.0.1", port: port))
            }
        } catch {
            for fd in fds { close(fd) }
            throw error
        }
        listenFds = fds
        self.listeners = listeners
        // The proxy rewrites broker addresses last on the way down, so interceptors see the broker's own.
        self.interceptors =
            [BrokerAddressRewrite(map: Dictionary(uniqueKeysWithValues: zip(upstreams, listeners)))]
            + interceptors
        for (index, fd) in fds.enumerated() {
            threads.enter()
            Thread.detachNewThread { [self] in
                acceptLoop(fd: fd, upstreamIndex: index)
                threads.leave()
            }
        }
    }

    /// "127.0.0.1:p1,127.0.0.1:p2,...": what clients bootstrap from.
    public var bootstrap: String { listeners.map { "\($0.host):\($0.port)" }.joined(separator: ",") }

    /// Requests of `api` that clients sent through the proxy so far.
    public func requestCount(_ api: KafkaApiKey) -> Int { state.withLock { $0.requestsSeen[api.rawValue] ?? 0 } }

    /// Connections open now.
    public var openConnections: Int { state.withLock { $0.connections.count } }

    /// Closes the listeners and every connection, and waits for every thread the proxy started.
    public func stop() {
        let open: [ProxiedConnection]? = state.withLock { s in
            if s.stopped { return nil }
            s.stopped = true
            return Array(s.connections.values)
        }
        guard let open else { return }
        // shutdown wakes a thread blocked in accept or read; a connection's last pump closes
        // its sockets, and the listeners are closed here once no thread can use them.
        for fd in listenFds { shutdown(fd, Int32(SHUT_RDWR)) }
        for c in open { c.shutDown() }
        threads.wait()
        for fd in listenFds { close(fd) }
    }

    /// Accepts until `stop` (which closes `fd` once this has returned).
    private func acceptLoop(fd: Int32, upstreamIndex: Int) {
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if state.withLock({ $0.stopped }) { return }
                // EINTR, ECONNABORTED, or out of descriptors for a moment: try again.
                usleep(errno == EINTR ? 0 : 10_000)
                continue
            }
            let upstream = upstreams[upstreamIndex]
            let server = Socket.connect(host: upstream.host, port: upstream.port)
            guard server >= 0 else {
                // The broker is gone: the client sees its connection closed, as it would.
                close(client)
                continue
            }
            let connection: ProxiedConnection? = state.withLock { s in
                if s.stopped { return nil }
                let id = s.nextConnectionId
                s.nextConnectionId += 1
                let c = ProxiedConnection(
                    info: KafkaWireConnection(id: id, upstreamIndex: upstreamIndex, upstream: upstream),
                    client: client, server: server)
                s.connections[id] = c
                return c
            }
            guard let connection else {
                close(client)
                close(server)
                return
            }
            // Both pumps end when either side closes; the last one out closes the sockets.
            threads.enter()
            threads.enter()
            Thread.detachNewThread { [self] in
                pumpRequests(connection)
                connection.shutDown()
                finish(connection)
                threads.leave()
            }
            Thread.detachNewThread { [self] in
                pumpResponses(connection)
                connection.shutDown()
                finish(connection)
                threads.leave()
            }
        }
    }

    private func finish(_ connection: ProxiedConnection) {
        if connection.pumpEnded() {
            state.withLock { _ = $0.connections.removeValue(forKey: connection.info.id) }
            connection.closeSockets()
        }
    }

    private func pumpRequests(_ c: ProxiedConnection) {
        var buffer: [UInt8] = []
        while let frames = Socket.readFrames(c.client, &buffer) {
            for frame in frames {
                guard let request = try? KafkaWireRequest(frame: frame) else {
                    // A header this proxy cannot read past its fixed fields: pass it on as it
                    // is; its answer keeps its place by the correlation id.
                    var r = KafkaWireReader(frame)
                    if let key = try? r.int16(), let version = try? r.int16(), let id = try? r.int32() {
                        c.expect(PendingResponse(correlationId: id, apiKey: key, apiVersion: version, rewrites: []))
                    }
                    guard Socket.writeAll(c.server, KafkaFrame.wrap(frame)) else { return }
                    continue
                }
                state.withLock { $0.requestsSeen[request.apiKey, default: 0] += 1 }
                let expectsResponse = !(request.api == .produce && (try? KafkaProduceRequest.acks(of: request)) == 0)
                var current = request
                var rewrites: [@Sendable (KafkaWireResponse) throws -> KafkaWireResponse] = []
                var answer: [UInt8]?
                for interceptor in interceptors {
                    switch interceptor.intercept(current, on: c.info) {
                    case nil: continue
                    case .forward(let next, let rewrite):
                        current = next
                        if let rewrite { rewrites.append(rewrite) }
                    case .answer(let body):
                        answer = body
                    }
                    if answer != nil { break }
                }
                if let answer {
                    guard expectsResponse else { continue }
                    var local = KafkaWireResponse(answering: request, body: answer)
                    for rewrite in rewrites.reversed() {
                        if let next = try? rewrite(local) { local = next }
                    }
                    guard c.enqueue(correlationId: request.correlationId, ready: local.frame) else { return }
                    continue
                }
                if expectsResponse {
                    c.expect(
                        PendingResponse(
                            correlationId: request.correlationId, apiKey: request.apiKey,
                            apiVersion: request.apiVersion, rewrites: rewrites.reversed()))
                }
                guard Socket.writeAll(c.server, KafkaFrame.wrap(current.frame)) else { return }
            }
        }
    }

    private func pumpResponses(_ c: ProxiedConnection) {
        var buffer: [UInt8] = []
        while let frames = Socket.readFrames(c.server, &buffer) {
            for frame in frames {
                guard frame.count >= 4 else { return }
                let correlationId = Int32(
                    bitPattern: UInt32(frame[0]) << 24 | UInt32(frame[1]) << 16 | UInt32(frame[2]) << 8
                        | UInt32(frame[3]))
                guard let pending = c.pending(correlationId) else {
                    // An answer nobody asked for: pass it on.
                    guard c.enqueue(correlationId: correlationId, ready: frame) else { return }
                    continue
                }
                var out = frame
                if !pending.rewrites.isEmpty,
                    var response = try? KafkaWireResponse(
                        frame: frame, apiKey: pending.apiKey, apiVersion: pending.apiVersion)
                {
                    for rewrite in pending.rewrites {
                        if let next = try? rewrite(response) { response = next }
                    }
                    out = response.frame
                }
                guard c.fill(correlationId: correlationId, with: out) else { return }
            }
        }
    }
}

struct PendingResponse: Sendable {
    let correlationId: Int32
    let apiKey: Int16
    let apiVersion: Int16
    let rewrites: [@Sendable (KafkaWireResponse) throws -> KafkaWireResponse]
}

/// A client's connection and its broker connection, with the answers the client
/// is owed in request order. `@unchecked Sendable`: the descriptors are set once;
/// the queue and the pump count are behind `queue`'s mutex, and writes to the
/// client happen only under it, so answers go out whole and in order.
final class ProxiedConnection: @unchecked Sendable {
    let info: KafkaWireConnection
    let client: Int32
    let server: Int32

    private struct Slot {
        let correlationId: Int32
        var frame: [UInt8]?
        var pending: PendingResponse?
    }
    private struct Queue {
        var slots: [Slot] = []
        var pumpsRunning = 2
        var broken = false
        /// Set when the descriptors are closed: their numbers may then belong to another socket.
        var closed = false
    }
    private let queue = Mutex(Queue())

    init(info: KafkaWireConnection, client: Int32, server: Int32) {
        self.info = info
        self.client = client
        self.server = server
    }

    /// A request went up: its answer is owed after everything owed before it.
    func expect(_ pending: PendingResponse) {
        queue.withLock { $0.slots.append(Slot(correlationId: pending.correlationId, pending: pending)) }
    }

    /// The oldest owed answer with this correlation id, if it waits for the broker.
    func pending(_ correlationId: Int32) -> PendingResponse? {
        queue.withLock { q in
            q.slots.first { $0.correlationId == correlationId && $0.frame == nil }?.pending
        }
    }

    /// An answer made by the proxy: owed after everything owed before it.
    func enqueue(correlationId: Int32, ready frame: [UInt8]) -> Bool {
        queue.withLock { q in
            q.slots.append(Slot(correlationId: correlationId, frame: frame))
            return flush(&q)
        }
    }

    /// The broker answered: fill the slot, then send every answer that is due.
    func fill(correlationId: Int32, with frame: [UInt8]) -> Bool {
        queue.withLock { q in
            if let i = q.slots.firstIndex(where: { $0.correlationId == correlationId && $0.frame == nil }) {
                q.slots[i].frame = frame
            }
            return flush(&q)
        }
    }

    private func flush(_ q: inout Queue) -> Bool {
        while let first = q.slots.first, let frame = first.frame {
            q.slots.removeFirst()
            if q.broken || !Socket.writeAll(client, KafkaFrame.wrap(frame)) {
                q.broken = true
                return false
            }
        }
        return !q.broken
    }

    /// Wakes both pumps (a blocked read returns). Never after `closeSockets`.
    func shutDown() {
        queue.withLock { q in
            guard !q.closed else { return }
            shutdown(client, Int32(SHUT_RDWR))
            shutdown(server, Int32(SHUT_RDWR))
        }
    }

    /// One pump ended; true for the last.
    func pumpEnded() -> Bool {
        queue.withLock { q in
            q.pumpsRunning -= 1
            return q.pumpsRunning == 0
        }
    }

    func closeSockets() {
        queue.withLock { q in
            guard !q.closed else { return }
            q.closed = true
            close(client)
            close(server)
        }
    }
}

/// Rewrites the broker addresses in Metadata (v0-4) and FindCoordinator (v0-2)
/// answers to the proxy's listeners. Addresses it does not know stay as they are.
struct BrokerAddressRewrite: KafkaWireInterceptor {
    let map: [KafkaWireProxy.Address: KafkaWireProxy.Address]

    func intercept(_ request: KafkaWireRequest, on connection: KafkaWireConnection) -> KafkaWireVerdict? {
        let map = self.map
        @Sendable func replace(_ host: String, _ port: Int32) -> (String, Int32) {
            let upstream = map.first { $0.key.port == port && ($0.key.host == host || Self.isLoopback(host)) }
            guard let to = upstream?.value else { return (host, port) }
            return (to.host, to.port)
        }
        switch request.api {
        case .metadata where request.apiVersion <= 4:
            return .forward(
                request,
                response: { response in
                    var r = response
                    r.body = try KafkaMetadataResponse.rewritingBrokers(
                        r.body, version: r.apiVersion, replace)
                    return r
                })
        case .findCoordinator where request.apiVersion <= 2:
            return .forward(
                request,
                response: { response in
                    var r = response
                    r.body = try KafkaFindCoordinatorResponse.rewritingAddress(
                        r.body, version: r.apiVersion, replace)
                    return r
                })
        default:
            return nil
        }
    }

    static func isLoopback(_ host: String) -> Bool { host == "127.0.0.1" || host == "localhost" }
}

/// Blocking POSIX socket calls the proxy needs.
enum Socket {
    /// A listener on 127.0.0.1 at an ephemeral port.
    static func listen() throws -> (fd: Int32, port: Int32) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw KafkaWireError.malformed("socket: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, Glibc.listen(fd, 64) == 0 else {
            let e = errno
            close(fd)
            throw KafkaWireError.malformed("bind/listen: errno \(e)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int32(UInt16(bigEndian: addr.sin_port)))
    }

    /// A connected socket to host:port (IPv4 literal or localhost), or -1 when the
    /// connection is refused or not made within `timeoutMs` (a listener whose backlog
    /// is full never answers: the accept loop must not hang on it).
    static func connect(host: String, port: Int32, timeoutMs: Int32 = 5_000) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = inet_addr(host == "localhost" ? "127.0.0.1" : host)
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        let result = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var connected = result == 0
        if !connected && errno == EINPROGRESS {
            var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            if poll(&p, 1, timeoutMs) == 1 {
                var error: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                connected = getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0
            }
        }
        guard connected else {
            close(fd)
            return -1
        }
        _ = fcntl(fd, F_SETFL, flags)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return fd
    }

    /// Reads until at least one whole frame is in `buffer`; nil at end of stream or error.
    static func readFrames(_ fd: Int32, _ buffer: inout [UInt8]) -> [[UInt8]]? {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let frames = KafkaFrame.take(from: &buffer)
            if !frames.isEmpty { return frames }
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return nil }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }
}

/// A blocking Kafka client connection for tests: sends requests as frames and reads answers.
/// Not thread-safe; one test uses one.
public final class KafkaWireClient {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var frames: [[UInt8]] = []
    public let clientId: String?

    public init(host: String = "127.0.0.1", port: Int32, clientId: String? = "wire-test") throws {
        fd = Socket.connect(host: host, port: port)
        guard fd >= 0 else { throw KafkaWireError.malformed("cannot connect to \(host):\(port)") }
        self.clientId = clientId
    }

    deinit { close(fd) }

    /// Sends a non-flexible request (header v1) with `body`.
    public func send(_ api: KafkaApiKey, version: Int16, correlationId: Int32, body: [UInt8]) throws {
        var w = KafkaWireWriter()
        KafkaRequestHeader(apiKey: api.rawValue, apiVersion: version, correlationId: correlationId, clientId: clientId)
            .write(&w)
        w.raw(body)
        guard Socket.writeAll(fd, KafkaFrame.wrap(w.bytes)) else {
            throw KafkaWireError.malformed("send failed: errno \(errno)")
        }
    }

    /// The next answer's frame (correlation id first); throws if the connection ends.
    public func receive() throws -> [UInt8] {
        if frames.isEmpty {
            guard let more = Socket.readFrames(fd, &buffer) else { throw KafkaWireError.malformed("connection closed") }
            frames = more
        }
        return frames.removeFirst()
    }
}
