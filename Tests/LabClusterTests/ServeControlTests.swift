import Foundation
import Kafka
import Testing

@testable import Lab

/// The control channel of `kafkalab serve`: its line protocol, discovery, and
/// a client driving an in-process served cluster through a real socket.
@Suite("Serve control channel")
struct ServeControlTests {
    @Test func requestsSurviveTheirLineForm() {
        let requests: [ServeRequest] = [
            .hello, .stopped, .create(topic: "orders", partitions: 6, replicationFactor: 3), .stop(2), .start(2),
            .leader(topic: "t.x_y-z", partition: 0, broker: -1), .inject(api: 0, codes: [19, 7]),
            .delay(broker: 2, api: 0, milliseconds: 3000), .fail(broker: 1, api: 0, error: 19, milliseconds: 100),
        ]
        for r in requests { #expect(ServeRequest(line: r.line) == r, "\(r.line)") }
        #expect(ServeRequest(line: "create orders six 3") == nil)
        #expect(ServeRequest(line: "stop") == nil)
        #expect(ServeRequest(line: "inject 0 ") == nil)
        #expect(ServeRequest(line: "drop everything") == nil)
        #expect(ServeReply(line: ServeReply.ok("").line) == .ok(""))
        #expect(ServeReply(line: ServeReply.ok("1,2").line) == .ok("1,2"))
        #expect(
            ServeReply(line: ServeReply.failure(code: 36, message: "exists\nreally").line)
                == .failure(code: 36, message: "exists really"))
        #expect(ServeReply(line: "what") == nil)
    }

    @Test func discoveryMatchesAnyCommonAddressWithLoopbackNamesAlike() {
        let advert = ServeAdvert(pid: 1, bootstrap: "127.0.0.1:4001,127.0.0.1:4002", brokers: 2, socket: "/x")
        #expect(ServeDiscovery.matches(advert, bootstrap: "localhost:4002"))
        #expect(ServeDiscovery.matches(advert, bootstrap: "127.0.0.1:4001,127.0.0.1:4002"))
        #expect(!ServeDiscovery.matches(advert, bootstrap: "localhost:4003"))
        #expect(!ServeDiscovery.matches(advert, bootstrap: "10.0.0.1:4001"))
        #expect(
            ServeDiscovery.directory(environment: ["XDG_RUNTIME_DIR": "/run/user/7"]) == "/run/user/7/kafkalab-serve")
        #expect(ServeDiscovery.directory(environment: ["TMPDIR": "/var/tmp/"]) == "/var/tmp/kafkalab-serve-\(getuid())")
        #expect(
            ServeDiscovery.directory(environment: ["TMPDIR": "/" + String(repeating: "d", count: 120)])
                == "/tmp/kafkalab-serve-\(getuid())")
        #expect(
            ServeDiscovery.directories(environment: ["XDG_RUNTIME_DIR": "/run/user/7", "TMPDIR": "/tmp"])
                == ["/run/user/7/kafkalab-serve", "/tmp/kafkalab-serve-\(getuid())"])
    }

    @Test func topicCreationRefusesAtOnceWhereNoControllerIsNamed() {
        #expect(
            ClusterConnection.cannotCreateTopics(controller: 2, brokers: [1, 2, 3], clusterId: "abc", bootstrap: "b:1")
                == nil)
        let mock = ClusterConnection.cannotCreateTopics(
            controller: 0, brokers: [1, 2, 3], clusterId: "mockCluster1a2b", bootstrap: "127.0.0.1:9")
        #expect(mock?.contains("librdkafka's mock cluster") == true && mock?.contains("kafkalab serve") == true)
        let none = ClusterConnection.cannotCreateTopics(controller: nil, brokers: [1], clusterId: nil, bootstrap: "h:1")
        #expect(none?.contains("no controller id") == true)
        #expect(none?.contains("\n") == false)
    }

    @Test func aClientFindsTheServedClusterAndControlsIt() throws {
        let dir = NSTemporaryDirectory() + "kafkalab-serve-test-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cluster = try EmbeddedCluster(brokers: 3)
        let server = try ServeControlServer(cluster: cluster, directory: dir)
        defer { server.stop() }
        let first = cluster.bootstrap.split(separator: ",")[0].replacingOccurrences(of: "127.0.0.1", with: "localhost")
        let served = try #require(ServeDiscovery.find(bootstrap: first, directories: ["/nonexistent-kafkalab", dir]))
        #expect(served.brokerCount == 3)

        try served.createTopic("through-socket", partitions: 5, replicationFactor: 3)
        let admin = try AdminClient(config: ["bootstrap.servers": cluster.bootstrap])
        #expect(try admin.metadata().topic("through-socket")?.partitions.count == 5)
        #expect(throws: KafkaError.self) { try served.createTopic("bad", partitions: 0, replicationFactor: 3) }

        try served.stopBroker(2)
        #expect(cluster.stoppedBrokers == [2])
        #expect(served.stoppedBrokers == [2])
        let error = #expect(throws: KafkaError.self) { try served.stopBroker(9) }
        #expect(error?.message.contains("brokers 1..3") == true)
        try served.startBroker(2)
        #expect(served.stoppedBrokers.isEmpty)

        server.stop()
        #expect(
            ServeDiscovery.find(bootstrap: cluster.bootstrap, directories: [dir]) == nil,
            "a stopped server is not found")
    }
}
