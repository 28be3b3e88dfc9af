import Foundation
import Kafka
import Synchronization

/// The control channel of `kafkalab serve`: a Unix-domain socket that answers
/// ServeRequest lines against the served EmbeddedCluster, advertised in
/// ServeDiscovery's directory so a second kafkalab finds it from the
/// bootstrap list alone. Requests are answered one at a time on one thread;
/// each is a synchronous call into the mock, so none waits long.
public final class ServeControlServer: Sendable {
    public let advert: ServeAdvert
    private let advertPath: String
    private let cluster: EmbeddedCluster
    private let listener: Int32
    private let stopping = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)

    /// Listens and writes the advert; throws one line when it cannot.
    public init(cluster: EmbeddedCluster, directory dir: String = ServeDiscovery.directory()) throws {
        if !ServeDiscovery.ownedDirectory(dir) {
            mkdir(dir, 0o700)
            guard ServeDiscovery.ownedDirectory(dir) else {
                throw LabError.invalid("cannot use \(dir) for the control channel: not a directory of this user")
            }
        }
        Self.removeStaleAdverts(in: dir)
        let pid = getpid()
        let socketPath = "\(dir)/\(pid).sock"
        guard let fd = UnixSocket.listen(at: socketPath) else {
            throw LabError.invalid("cannot listen on \(socketPath): \(String(cString: strerror(errno)))")
        }
        listener = fd
        self.cluster = cluster
        advert = ServeAdvert(pid: pid, bootstrap: cluster.bootstrap, brokers: cluster.brokerCount, socket: socketPath)
        advertPath = "\(dir)/\(pid).json"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard
            FileManager.default.createFile(
                atPath: advertPath, contents: try encoder.encode(advert),
                attributes: [.posixPermissions: 0o600])
        else {
            close(fd)
            unlink(socketPath)
            throw LabError.invalid("cannot write \(advertPath)")
        }
        Thread.detachNewThread { [self] in serve() }
    }

    /// Stops answering and removes the advert and the socket.
    public func stop() {
        stopping.store(true, ordering: .relaxed)
        unlink(advertPath)
        unlink(advert.socket)
        for _ in 0..<50 where !finished.load(ordering: .relaxed) { usleep(10_000) }
    }

    private func serve() {
        defer {
            close(listener)
            finished.store(true, ordering: .relaxed)
        }
        while !stopping.load(ordering: .relaxed) {
            var pfd = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 200) == 1 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            UnixSocket.setTimeouts(client, seconds: 5)
            if let line = UnixSocket.readLine(client, limit: 4096) {
                _ = UnixSocket.writeLine(client, ServeReply.answer(ServeRequest(line: line), cluster: cluster).line)
            }
            close(client)
        }
    }

    /// Adverts of serve processes that no longer run (killed, not stopped).
    static func removeStaleAdverts(in dir: String) {
        for advert in ServeDiscovery.adverts(in: dir) where kill(advert.pid, 0) != 0 && errno == ESRCH {
            unlink("\(dir)/\(advert.pid).json")
            unlink(advert.socket)
        }
    }
}
