import Foundation

/// How a kafkalab client finds the control channel of a `kafkalab serve`
/// process from nothing but the bootstrap list it was given.
///
/// Each serve process writes `<pid>.json` (its pid, bootstrap list, broker
/// count and socket path) and listens on `<pid>.sock` in one directory per
/// user: `$XDG_RUNTIME_DIR/kafkalab-serve`, else `$TMPDIR/kafkalab-serve-<uid>`,
/// else `/tmp/kafkalab-serve-<uid>`, mode 0700. A client reads every advert
/// in those it can find, keeps those whose bootstrap list shares an address with its own
/// (`localhost` and `127.0.0.1` are the same), and believes one only when its
/// socket answers `hello` with the same bootstrap list, so a stale file of a
/// killed process is ignored.
public struct ServeAdvert: Codable, Equatable, Sendable {
    public let pid: Int32
    public let bootstrap: String
    public let brokers: Int
    public let socket: String

    public init(pid: Int32, bootstrap: String, brokers: Int, socket: String) {
        self.pid = pid
        self.bootstrap = bootstrap
        self.brokers = brokers
        self.socket = socket
    }
}

public enum ServeDiscovery {
    /// Where `serve` advertises: the first of `directories`.
    public static func directory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        directories(environment: environment)[0]
    }

    /// Every place a serve process of this user may advertise, in order of
    /// preference; a client looks in all of them, so a `serve` started where
    /// XDG_RUNTIME_DIR or TMPDIR differ (another login, a service) is found too.
    public static func directories(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        let uid = getuid()
        var found: [String] = []
        func add(_ dir: String) {
            // A socket path must fit in sun_path.
            if (dir + "/2147483647.sock").utf8.count <= UnixSocket.maxPathBytes, !found.contains(dir) {
                found.append(dir)
            }
        }
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty { add(runtime + "/kafkalab-serve") }
        if let tmp = environment["TMPDIR"], !tmp.isEmpty {
            add((tmp.hasSuffix("/") ? String(tmp.dropLast()) : tmp) + "/kafkalab-serve-\(uid)")
        }
        add("/tmp/kafkalab-serve-\(uid)")
        return found
    }

    /// `host:port` addresses of a bootstrap list, loopback names made one.
    public static func addresses(of bootstrap: String) -> Set<String> {
        Set(
            bootstrap.split(separator: ",").map { entry in
                let text = entry.trimmingCharacters(in: .whitespaces)
                guard let colon = text.lastIndex(of: ":") else { return text }
                var host = String(text[..<colon]).lowercased()
                if ["localhost", "127.0.0.1", "[::1]", "::1"].contains(host) { host = "127.0.0.1" }
                return host + text[colon...]
            })
    }

    /// Whether an advert is for the cluster a client was pointed at.
    public static func matches(_ advert: ServeAdvert, bootstrap: String) -> Bool {
        !addresses(of: advert.bootstrap).isDisjoint(with: addresses(of: bootstrap))
    }

    /// The directory if it exists, is a directory and belongs to this user
    /// (another user's socket could lie about the cluster).
    static func ownedDirectory(_ dir: String) -> Bool {
        var info = stat()
        guard lstat(dir, &info) == 0 else { return false }
        return (info.st_mode & S_IFMT) == S_IFDIR && info.st_uid == getuid()
    }

    /// The adverts in the directory, unreadable files skipped.
    static func adverts(in dir: String) -> [ServeAdvert] {
        guard ownedDirectory(dir), let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else {
            return []
        }
        return names.filter { $0.hasSuffix(".json") }.sorted().compactMap { name in
            guard let data = FileManager.default.contents(atPath: dir + "/" + name) else { return nil }
            return try? JSONDecoder().decode(ServeAdvert.self, from: data)
        }
    }

    /// The control channel of the serve process whose cluster `bootstrap`
    /// names, or nil when no live one does.
    public static func find(bootstrap: String, directories dirs: [String] = directories()) -> ServedCluster? {
        for dir in dirs {
            for advert in adverts(in: dir) where matches(advert, bootstrap: bootstrap) {
                if let served = ServedCluster(advert: advert) { return served }
            }
        }
        return nil
    }
}
