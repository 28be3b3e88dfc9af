import Kafka
import Testing

@testable import Lab

@Suite("Config scoping")
struct ClientSettingsTests {
    @Test func scopeComesFromLibrdkafkasTable() throws {
        var s = ClientSettings()
        #expect(try s.set("linger.ms", "50").scope == .producer)
        #expect(try s.set("fetch.min.bytes", "1024").scope == .consumer)
        #expect(try s.set("client.id", "lab").scope == .common)
        #expect(s.producerProperties["linger.ms"] == "50")
        #expect(s.consumerProperties["linger.ms"] == nil)
        #expect(s.consumerProperties["client.id"] == "lab")
        #expect(s.producerProperties["fetch.min.bytes"] == nil)
    }

    @Test func prefixForcesOneSideOfABothScopedProperty() throws {
        var s = ClientSettings()
        let c = try s.set("consumer.client.id", "reader")
        #expect(c.scope == .consumer)
        #expect(s.consumerProperties["client.id"] == "reader")
        #expect(s.producerProperties["client.id"] == nil)
        #expect(throws: LabError.self) { try s.set("consumer.linger.ms", "5") }
    }

    @Test func badKeysAndValuesLeaveSettingsUnchanged() throws {
        var s = ClientSettings()
        _ = try s.set("acks", "all")
        let before = s
        #expect(throws: LabError.self) { try s.set("linger.mss", "5") }
        #expect(throws: KafkaError.self) { try s.set("linger.ms", "not-a-number") }
        #expect(throws: KafkaError.self) { try s.set("compression.type", "brotli") }
        #expect(s == before)
    }

    @Test func setReportsThePreviousValueAndUnsetRemovesIt() throws {
        var s = ClientSettings()
        #expect(try s.set("linger.ms", "5").previous == nil)
        #expect(try s.set("linger.ms", "50").previous == "5")
        let u = try s.unset("linger.ms")
        #expect(u.previous == "50")
        #expect(s.producer.isEmpty)
    }

    @Test func secretsAreMasked() throws {
        var s = ClientSettings()
        _ = try s.set("sasl.password", "hunter2")
        #expect(ClientSettings.masked(s.common)["sasl.password"] == "********")
        #expect(!ClientSettings.masked(s.common).values.contains("hunter2"))
    }
}

@Suite("History filtering")
struct SecretsTests {
    @Test func linesSettingSecretsAreNotSaved() {
        #expect(Secrets.lineRevealsSecret("set sasl.password hunter2"))
        #expect(Secrets.lineRevealsSecret("set producer.ssl.key.password x"))
        #expect(Secrets.lineRevealsSecret("topic create t --config sasl.password=x"))
        #expect(Secrets.lineRevealsSecret("set 'sasl.password' \"a b\""))
        #expect(Secrets.lineRevealsSecret("set sasl.oauthbearer.client.secret s"))
        #expect(Secrets.lineRevealsSecret("set sasl.password 'unterminated"))
        #expect(!Secrets.lineRevealsSecret("set linger.ms 5"))
        #expect(!Secrets.lineRevealsSecret("produce hello"))
    }
}
