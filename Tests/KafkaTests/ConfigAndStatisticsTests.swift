import Foundation
import Testing

@testable import Kafka

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
