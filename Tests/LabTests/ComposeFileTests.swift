// Checks docker-compose.yml (the real three-broker cluster the labs run
// against) without Docker: the file is parsed with Yams, YAML anchors and
// merge keys resolved, and the topology the labs rely on is asserted.

import Foundation
import Testing
import Yams

// MARK: - Expected topology

private let brokers = ["kafka-1", "kafka-2", "kafka-3"]
private let brokerIDs = [1, 2, 3]
private let brokerHostPorts = [19092, 29092, 39092]
private let controllers = ["controller-1", "controller-2", "controller-3"]
private let controllerIDs = [101, 102, 103]
private let controllerPort = 9093
private let image = "apache/kafka:3.9.0"

// MARK: - Reading the file

struct ComposeFileError: Error, CustomStringConvertible {
    let description: String
}

/// docker-compose.yml at the repository root, three levels above this file
/// (Tests/kafkalabTests/ComposeFileTests.swift).
private func composeFileURL(_ file: String = #filePath) -> URL {
    URL(fileURLWithPath: file)
        .deletingLastPathComponent()  // kafkalabTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // repository root
        .appendingPathComponent("docker-compose.yml")
}

/// A YAML mapping as `[String: Any]`, whichever dictionary type Yams built.
private func mapping(_ value: Any?) -> [String: Any]? {
    if let dict = value as? [String: Any] { return dict }
    guard let dict = value as? [AnyHashable: Any] else { return nil }
    var result: [String: Any] = [:]
    for (key, element) in dict {
        guard let key = key.base as? String else { return nil }
        result[key] = element
    }
    return result
}

/// A YAML scalar as text (`3` and `"3"` both read as "3").
private func scalar(_ value: Any?) -> String? {
    switch value {
    case let string as String: return string
    case let int as Int: return String(int)
    case let bool as Bool: return String(bool)
    case let double as Double: return String(double)
    default: return nil
    }
}

/// One `NAME://host:port` entry of listeners / advertised.listeners.
struct Listener: Equatable {
    let name: String
    let host: String
    let port: Int
}

private func parseListeners(_ text: String?) -> [Listener] {
    guard let text else { return [] }
    return text.split(separator: ",").compactMap { entry in
        let entry = entry.trimmingCharacters(in: .whitespaces)
        guard let schemeEnd = entry.range(of: "://") else { return nil }
        let name = String(entry[..<schemeEnd.lowerBound])
        let hostPort = entry[schemeEnd.upperBound...]
        guard let colon = hostPort.lastIndex(of: ":"),
            let port = Int(hostPort[hostPort.index(after: colon)...])
        else { return nil }
        return Listener(name: name, host: String(hostPort[..<colon]), port: port)
    }
}

/// A published port: host side and container side.
struct PortMapping: Equatable {
    let published: Int
    let target: Int
    /// The host address it is bound to; nil binds every interface.
    var hostIP: String? = nil
}

struct VolumeMount: Equatable {
    let source: String
    let target: String
}

struct Compose {
    let root: [String: Any]

    static func load() throws -> Compose {
        let url = composeFileURL()
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ComposeFileError(description: "cannot read \(url.path): \(error)")
        }
        guard let root = mapping(try Yams.load(yaml: text)) else {
            throw ComposeFileError(description: "\(url.path) is not a YAML mapping")
        }
        return Compose(root: root)
    }

    var services: [String: [String: Any]] {
        (mapping(root["services"]) ?? [:]).compactMapValues { mapping($0) }
    }

    func service(_ name: String) throws -> [String: Any] {
        guard let service = services[name] else {
            throw ComposeFileError(description: "no service \(name)")
        }
        return service
    }

    /// `environment:` in either the mapping or the `KEY=VALUE` list form.
    func environment(_ name: String) throws -> [String: String] {
        let raw = try service(name)["environment"]
        if let dict = mapping(raw) {
            return dict.compactMapValues { scalar($0) }
        }
        var env: [String: String] = [:]
        for item in (raw as? [Any]) ?? [] {
            guard let item = scalar(item), let eq = item.firstIndex(of: "=") else { continue }
            env[String(item[..<eq])] = String(item[item.index(after: eq)...])
        }
        return env
    }

    /// `ports:` in short (`[ip:]host:container[/proto]`) or long syntax.
    func ports(_ name: String) throws -> [PortMapping] {
        let raw = (try service(name)["ports"] as? [Any]) ?? []
        return raw.compactMap { item in
            if let dict = mapping(item) {
                guard let target = scalar(dict["target"]).flatMap({ Int($0) }),
                    let published = scalar(dict["published"]).flatMap({ Int($0) })
                else { return nil }
                return PortMapping(published: published, target: target, hostIP: scalar(dict["host_ip"]))
            }
            guard let text = scalar(item) else { return nil }
            let withoutProto = text.split(separator: "/").first.map(String.init) ?? text
            let parts = withoutProto.split(separator: ":").map(String.init)
            guard parts.count >= 2,
                let published = Int(parts[parts.count - 2]),
                let target = Int(parts[parts.count - 1])
            else { return nil }
            return PortMapping(
                published: published, target: target, hostIP: parts.count >= 3 ? parts[parts.count - 3] : nil)
        }
    }

    /// `volumes:` of a service in short (`source:target[:mode]`) or long syntax.
    func volumes(_ name: String) throws -> [VolumeMount] {
        let raw = (try service(name)["volumes"] as? [Any]) ?? []
        return raw.compactMap { item in
            if let dict = mapping(item) {
                guard let source = scalar(dict["source"]), let target = scalar(dict["target"])
                else { return nil }
                return VolumeMount(source: source, target: target)
            }
            let parts = (scalar(item) ?? "").split(separator: ":").map(String.init)
            guard parts.count >= 2 else { return nil }
            return VolumeMount(source: parts[0], target: parts[1])
        }
    }

    /// Names of `depends_on:` in list or mapping form.
    func dependencies(_ name: String) throws -> Set<String> {
        let raw = try service(name)["depends_on"]
        if let dict = mapping(raw) { return Set(dict.keys) }
        return Set(((raw as? [Any]) ?? []).compactMap { scalar($0) })
    }

    var topLevelVolumes: Set<String> {
        Set(mapping(root["volumes"])?.keys.map { $0 } ?? [])
    }
}

private func securityProtocolMap(_ env: [String: String]) -> [String: String] {
    var map: [String: String] = [:]
    for pair in (env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"] ?? "").split(separator: ",") {
        let parts = pair.split(separator: ":").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        if parts.count == 2 { map[parts[0]] = parts[1] }
    }
    return map
}

// MARK: - Tests

@Suite("docker-compose.yml")
struct ComposeFileTests {
    let compose: Compose

    init() throws {
        compose = try Compose.load()
    }

    @Test("six services: controller-1..3 and kafka-1..3")
    func sixServices() {
        #expect(compose.services.count == 6)
        #expect(Set(compose.services.keys) == Set(brokers + controllers))
    }

    @Test(
        "brokers kafka-N are node N with the broker role only",
        arguments: zip(brokers, brokerIDs))
    func broker(name: String, id: Int) throws {
        let service = try compose.service(name)
        #expect(scalar(service["container_name"]) == name)
        let env = try compose.environment(name)
        #expect(env["KAFKA_NODE_ID"] == String(id))
        #expect(env["KAFKA_PROCESS_ROLES"] == "broker")
    }

    @Test(
        "controllers are nodes 101..103 with the controller role only",
        arguments: zip(controllers, controllerIDs))
    func controller(name: String, id: Int) throws {
        let service = try compose.service(name)
        #expect(scalar(service["container_name"]) == name)
        let env = try compose.environment(name)
        #expect(env["KAFKA_NODE_ID"] == String(id))
        #expect(env["KAFKA_PROCESS_ROLES"] == "controller")
        // The controller listens where the voters list says it does.
        #expect(
            parseListeners(env["KAFKA_LISTENERS"])
                == [Listener(name: "CONTROLLER", host: "", port: controllerPort)])
        #expect(securityProtocolMap(env)["CONTROLLER"] == "PLAINTEXT")
        // The apache/kafka image refuses to start a controller-only node
        // that sets advertised listeners.
        #expect(env["KAFKA_ADVERTISED_LISTENERS"] == nil)
    }

    @Test("one CLUSTER_ID, a base64url-encoded UUID, on all six nodes")
    func clusterID() throws {
        var ids: Set<String> = []
        for name in brokers + controllers {
            let id = try #require(try compose.environment(name)["CLUSTER_ID"], "\(name) has no CLUSTER_ID")
            ids.insert(id)
        }
        #expect(ids.count == 1)
        let id = try #require(ids.first)
        // 16 bytes in unpadded base64url are 22 characters.
        #expect(id.count == 22)
        let base64 =
            id.replacingOccurrences(of: "-", with: "+")
            .replacingOccurrences(of: "_", with: "/") + "=="
        #expect(Data(base64Encoded: base64)?.count == 16)
    }

    @Test("every node names the three controllers as quorum voters")
    func quorumVoters() throws {
        let expected = Set(zip(controllerIDs, controllers).map { "\($0)@\($1):\(controllerPort)" })
        for name in brokers + controllers {
            let env = try compose.environment(name)
            let voters = (env["KAFKA_CONTROLLER_QUORUM_VOTERS"] ?? "")
                .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(voters.count == 3, "\(name): \(voters)")
            #expect(Set(voters) == expected, "\(name): \(voters)")
            #expect(env["KAFKA_CONTROLLER_LISTENER_NAMES"] == "CONTROLLER", "\(name)")
        }
    }

    @Test(
        "host listener published on the host port and advertised as localhost:<port>",
        arguments: zip(brokers, brokerHostPorts))
    func hostListener(name: String, hostPort: Int) throws {
        let published = try compose.ports(name).filter { $0.published == hostPort }
        let port = try #require(published.first, "\(name) does not publish \(hostPort)")
        #expect(published.count == 1)
        // No authentication on these listeners: reachable from this machine only.
        #expect(port.hostIP == "127.0.0.1", "\(name) publishes \(hostPort) on \(port.hostIP ?? "every interface")")
        let env = try compose.environment(name)
        let listeners = parseListeners(env["KAFKA_LISTENERS"])
        let advertised = parseListeners(env["KAFKA_ADVERTISED_LISTENERS"])
        // The container port behind the published port is a broker listener...
        let listener = try #require(
            listeners.first { $0.port == port.target },
            "\(name) has no listener on container port \(port.target)")
        // ...which is advertised as localhost:<published port>.
        #expect(
            advertised.contains(Listener(name: listener.name, host: "localhost", port: hostPort)),
            "\(name) advertises \(advertised)")
        #expect(securityProtocolMap(env)[listener.name] != nil)
        #expect(listener.name != env["KAFKA_INTER_BROKER_LISTENER_NAME"])
    }

    @Test(
        "brokers replicate over an internal listener advertised by service name",
        arguments: brokers)
    func internalListener(name: String) throws {
        let env = try compose.environment(name)
        let interBroker = try #require(env["KAFKA_INTER_BROKER_LISTENER_NAME"])
        let listeners = parseListeners(env["KAFKA_LISTENERS"])
        let advertised = parseListeners(env["KAFKA_ADVERTISED_LISTENERS"])
        let internalListener = try #require(
            advertised.first { $0.name == interBroker },
            "\(name) does not advertise \(interBroker)")
        #expect(internalListener.host == name)
        #expect(listeners.contains { $0.name == interBroker && $0.port == internalListener.port })
        // Every listener (and the controller listener) has a security protocol;
        // a broker-only node must not listen on the controller listener.
        let map = securityProtocolMap(env)
        for listener in listeners {
            #expect(map[listener.name] != nil, "\(name): \(listener.name) not in the protocol map")
            #expect(listener.name != "CONTROLLER")
        }
        #expect(map["CONTROLLER"] != nil)
        #expect(Set(advertised.map(\.name)) == Set(listeners.map(\.name)))
    }

    @Test("cluster defaults for the labs on every broker", arguments: brokers)
    func clusterDefaults(name: String) throws {
        let env = try compose.environment(name)
        let expected = [
            "KAFKA_DEFAULT_REPLICATION_FACTOR": "3",
            "KAFKA_MIN_INSYNC_REPLICAS": "2",
            "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": "3",
            "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "3",
            "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR": "2",
            "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS": "0",
            "KAFKA_NUM_PARTITIONS": "3",
        ]
        for (key, value) in expected {
            #expect(env[key] == value, "\(name): \(key)")
        }
        // Left at its default on purpose (see the comment in the file).
        #expect(env["KAFKA_AUTO_LEADER_REBALANCE_ENABLE"] == nil)
    }

    @Test(
        "controllers agree with the brokers on the topic defaults they apply",
        arguments: controllers)
    func controllerTopicDefaults(name: String) throws {
        // The active controller fills in partitions and replication factor for
        // CreateTopics requests that leave them unset.
        let env = try compose.environment(name)
        let broker = try compose.environment(brokers[0])
        for key in ["KAFKA_NUM_PARTITIONS", "KAFKA_DEFAULT_REPLICATION_FACTOR", "KAFKA_MIN_INSYNC_REPLICAS"] {
            #expect(env[key] != nil, "\(name): \(key)")
            #expect(env[key] == broker[key], "\(name): \(key)")
        }
        #expect(env["KAFKA_AUTO_LEADER_REBALANCE_ENABLE"] == nil)
    }

    @Test("image apache/kafka:3.9.0 and a heap limit on every node")
    func imageAndHeap() throws {
        for name in brokers + controllers {
            #expect(scalar(try compose.service(name)["image"]) == image, "\(name)")
            let heap = try compose.environment(name)["KAFKA_HEAP_OPTS"] ?? ""
            #expect(heap.contains("-Xmx"), "\(name): KAFKA_HEAP_OPTS=\(heap)")
        }
    }

    @Test(
        "each broker has a healthcheck on its own internal listener and waits for the controllers",
        arguments: brokers)
    func brokerHealthcheck(name: String) throws {
        let service = try compose.service(name)
        let healthcheck = try #require(mapping(service["healthcheck"]), "\(name) has no healthcheck")
        #expect(scalar(healthcheck["disable"]) != "true")
        let words: [String] =
            if let list = healthcheck["test"] as? [Any] {
                list.compactMap { scalar($0) }
            } else {
                [scalar(healthcheck["test"]) ?? ""]
            }
        #expect(!words.isEmpty && words.first != "NONE", "\(name): \(words)")
        let command = words.joined(separator: " ")
        let env = try compose.environment(name)
        let interBroker = env["KAFKA_INTER_BROKER_LISTENER_NAME"]
        let internalListener = try #require(parseListeners(env["KAFKA_LISTENERS"]).first { $0.name == interBroker })
        #expect(command.contains(":\(internalListener.port)"), "\(name): \(command)")
        #expect(try compose.dependencies(name) == Set(controllers))
    }

    @Test("every node keeps its data dir on its own named volume declared at top level")
    func namedVolumes() throws {
        var used: [String] = []
        for name in brokers + controllers {
            let logDirs = try #require(try compose.environment(name)["KAFKA_LOG_DIRS"], "\(name): no KAFKA_LOG_DIRS")
            let mounts = try compose.volumes(name)
            for dir in logDirs.split(separator: ",").map(String.init) {
                let mount = try #require(mounts.first { $0.target == dir }, "\(name): \(dir) is not on a volume")
                // A named volume, not a bind mount of a host path.
                #expect(
                    !mount.source.hasPrefix("/") && !mount.source.hasPrefix(".")
                        && !mount.source.hasPrefix("~"), "\(name): \(mount.source)")
                #expect(compose.topLevelVolumes.contains(mount.source), "\(name): \(mount.source) not declared")
                used.append(mount.source)
            }
        }
        #expect(used.count == 6)
        #expect(Set(used).count == used.count, "nodes share a volume: \(used)")
    }
}
