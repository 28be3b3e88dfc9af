import Foundation
import Synchronization
import Testing

@testable import Kafka

@Suite("Embedded cluster round trips")
struct EmbeddedClusterTests {
    @Test func metadataListsThreeBrokersAndCreatedTopic() throws {
        let cluster = try EmbeddedCluster(brokers: 3)
        try cluster.createTopic("meta", partitions: 5)
        let admin = try AdminClient(config: ["bootstrap.servers": cluster.bootstrap])
        let md = try admin.metadata()
        #expect(md.brokers.map(\.id) == [1, 2, 3])
        let topic = try #require(md.topic("meta"))
        #expect(topic.partitions.count == 5)
        for p in topic.partitions {
            #expect(p.replicas.count == 3)
            #expect(Set(p.isr) == Set(p.replicas))
            #expect(p.replicas.contains(p.leader))
        }
    }

    @Test func produceTenThousandKeyedMessagesWithHeadersAndConsumeThemBack() throws {
        let cluster = try EmbeddedCluster(brokers: 3)
        try cluster.createTopic("roundtrip", partitions: 4)
        let failures = Atomic<Int>(0)
        let delivered = Atomic<Int>(0)
        let producer = try Producer(
            config: ["bootstrap.servers": cluster.bootstrap],
            onDelivery: { report in
                if report.succeeded {
                    delivered.add(1, ordering: .relaxed)
                } else {
                    failures.add(1, ordering: .relaxed)
                }
            })
        let count = 10_000
        for i in 0..<count {
            try producer.send(
                topic: "roundtrip", key: Array("key-\(i % 97)".utf8), value: Array("value-\(i)".utf8),
                headers: [MessageHeader(key: "seq", value: Array("\(i)".utf8)), MessageHeader(key: "nil", value: nil)])
        }
        try producer.flush(timeoutMs: 30_000)
        #expect(delivered.load(ordering: .relaxed) == count)
        #expect(failures.load(ordering: .relaxed) == 0)

        let admin = try AdminClient(config: ["bootstrap.servers": cluster.bootstrap])
        var total: Int64 = 0
        for p in 0..<4 { total += try admin.watermarks(topic: "roundtrip", partition: Int32(p)).high }
        #expect(total == Int64(count))

        let consumer = try Consumer(config: [
            "bootstrap.servers": cluster.bootstrap, "group.id": "rt-\(UUID())",
            "enable.auto.commit": "false",
        ])
        try consumer.assign(
            (0..<4).map {
                TopicPartitionOffset(topic: "roundtrip", partition: $0, offset: TopicPartitionOffset.beginning)
            })
        var seen = Set<Int>()
        var keyed = 0
        let deadline = Date().addingTimeInterval(30)
        while seen.count < count && Date() < deadline {
            guard case .message(let m)? = consumer.poll(timeoutMs: 500) else { continue }
            let value = String(decoding: m.value ?? [], as: UTF8.self)
            let i = Int(value.dropFirst("value-".count))!
            #expect(String(decoding: m.key ?? [], as: UTF8.self) == "key-\(i % 97)")
            #expect(m.headers.first?.key == "seq" && m.headers.first?.value == Array("\(i)".utf8))
            #expect(m.headers.last == MessageHeader(key: "nil", value: nil))
            seen.insert(i)
            keyed += 1
        }
        #expect(seen.count == count)
        #expect(keyed == count)
    }

    @Test func stoppedBrokerIsRefusedTwiceAndUnknownBrokerRejected() throws {
        let cluster = try EmbeddedCluster(brokers: 3)
        try cluster.stopBroker(2)
        #expect(cluster.stoppedBrokers == [2])
        #expect(throws: KafkaError.self) { try cluster.stopBroker(9) }
        try cluster.startBroker(2)
        #expect(cluster.stoppedBrokers.isEmpty)
    }
}

@Suite("Configuration")
struct ConfigTests {
    @Test func librdkafkaRejectsUnknownKeysAndBadValuesWithItsOwnMessage() {
        #expect(throws: KafkaError.self) { try ClientConfig.validate(key: "linger.mss", value: "5") }
        do {
            try ClientConfig.validate(key: "compression.type", value: "brotli")
            Issue.record("brotli accepted")
        } catch let e as KafkaError {
            #expect(e.message.contains("compression"))
        } catch { Issue.record("\(error)") }
        #expect(throws: Never.self) { try ClientConfig.validate(key: "linger.ms", value: "50") }
    }

    /// Issue 28 item 3: librdkafka 2.0.2's statistics writer overflows on a
    /// client.id of about 20,100 bytes or more and prints it unescaped.
    @Test func clientIdIsLimitedToWhatTheStatisticsWriterHolds() {
        let limit = PropertyValueCheck.statisticsStringLimit
        #expect(throws: Never.self) {
            try ClientConfig.validate(key: "client.id", value: String(repeating: "a", count: limit))
        }
        for refused in [
            String(repeating: "a", count: limit + 1), String(repeating: "a", count: 32_767), "a\"b", "a\\b",
        ] {
            do {
                try ClientConfig.validate(key: "client.id", value: refused)
                Issue.record("client.id of \(refused.utf8.count) bytes accepted")
            } catch let e as KafkaError {
                #expect(e.message.contains("statistics"), "\(e.message)")
                #expect(!e.message.contains("\n"))
            } catch { Issue.record("\(error)") }
        }
        // Other protocol strings keep the protocol's own limit.
        #expect(throws: Never.self) {
            try ClientConfig.validate(key: "group.id", value: String(repeating: "g", count: 32_767))
        }
    }

    @Test func catalogComesFromTheLinkedLibrary() throws {
        let linger = try #require(ConfigCatalog.property(named: "linger.ms"))
        #expect(linger.scope == .producer)
        #expect(linger.defaultValue == "5")
        #expect(linger.aliasTarget == "queue.buffering.max.ms")
        #expect(ConfigCatalog.property(named: "group.instance.id")?.scope == .consumer)
        #expect(ConfigCatalog.property(named: "bootstrap.servers")?.scope == .both)
        #expect(ConfigCatalog.properties.count > 150)
        #expect(ConfigCatalog.isSecret("sasl.password"))
        #expect(ConfigCatalog.isSecret("ssl.key.password"))
        #expect(!ConfigCatalog.isSecret("linger.ms"))
    }

    @Test func effectiveValuesReflectDefaultsAndAliases() throws {
        let values = try ClientConfig.effectiveValues(
            of: ["linger.ms": "50"], keys: ["queue.buffering.max.ms", "batch.num.messages"])
        #expect(values["queue.buffering.max.ms"] == "50")
        #expect(values["batch.num.messages"] == "10000")
        // topic-level properties come from librdkafka's default topic configuration
        let topicLevel = try ClientConfig.effectiveValues(of: [:], keys: ["acks", "compression.level"])
        #expect(topicLevel["acks"] == "-1")
        #expect(topicLevel["compression.level"] == "-1")
        #expect(try ClientConfig.effectiveValues(of: ["acks": "1"], keys: ["acks"])["acks"] == "1")
    }

    @Test func errorNamesAreLibrdkafkas() {
        #expect(KafkaError(code: KafkaErrorCode.notEnoughReplicas).name == "NOT_ENOUGH_REPLICAS")
        #expect(KafkaError(code: KafkaErrorCode.msgTimedOut).name == "_MSG_TIMED_OUT")
        #expect(KafkaError(code: KafkaErrorCode.notEnoughReplicas).isRetriable)
    }
}

@Suite("Statistics decoding")
struct StatisticsTests {
    @Test func decodesBrokersTopicsAndEos() throws {
        let json = """
            {"name":"p#producer-1","type":"producer","ts":123,"msg_cnt":2,"txmsgs":10,"txmsg_bytes":1000,
             "brokers":{"127.0.0.1:1/1":{"name":"127.0.0.1:1/1","nodeid":1,"state":"UP","tx":5,"txbytes":900,"txretries":2,"req":{"Produce":4,"Fetch":0}},
                        "GroupCoordinator":{"name":"GroupCoordinator","nodeid":-1,"tx":99,"txbytes":5,"req":{"Produce":50}}},
             "topics":{"t":{"topic":"t","batchsize":{"min":10,"max":500,"avg":250,"sum":500,"cnt":2},"batchcnt":{"sum":10,"cnt":2},
                            "partitions":{"0":{"partition":0,"txmsgs":10,"txbytes":1000}}}},
             "eos":{"idemp_state":"Assigned","txn_state":"Ready","producer_id":4000,"producer_epoch":0,"epoch_cnt":1}}
            """
        let s = try ClientStatistics.decode(json)
        #expect(s.produceRequests == 4)
        #expect(s.retries == 2)
        #expect(s.bytesSent == 900)
        #expect(s.topics?["t"]?.batchSize?.sum == 500)
        #expect(s.eos?.producerId == 4000)
        #expect(s.eos?.hasProducerId == true)
        #expect(s.eos?.transactionState == "Ready")
    }
}
