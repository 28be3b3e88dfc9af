import Kafka
import Testing

@testable import Lab

/// `set` refuses what librdkafka 2.0.2 would wrap, misread or abort on, with
/// one line saying what is allowed; the settings stay as they were.
@Suite("Property validation")
struct PropertyValidationTests {
    /// The refusal's text, or nil when the value was accepted.
    func refusal(_ key: String, _ value: String, on settings: ClientSettings = ClientSettings()) -> String? {
        var s = settings
        do {
            _ = try s.set(key, value)
            return nil
        } catch {
            #expect(s == settings, "a refused \(key) changed the settings")
            return describeError(error)
        }
    }

    @Test func integersAreParsedExactlyAgainstTheDocumentedRange() throws {
        // librdkafka's (int)strtol took these as 1215752191 and -2147483648.
        let wrapped = try #require(refusal("batch.size", "99999999999"))
        #expect(wrapped.contains("from 1 to 2147483647") && wrapped.contains("99999999999"))
        #expect(refusal("batch.size", "2147483648") != nil)
        #expect(refusal("batch.size", "9223372036854775808") != nil)
        #expect(refusal("batch.size", "-9223372036854775809") != nil)
        // strtol read "5abc" as 5 and "0x10" as 16.
        #expect(refusal("acks", "5abc") != nil)
        #expect(refusal("batch.size", "0x10") != nil)
        #expect(refusal("batch.size", " 10") != nil)
        #expect(refusal("batch.size", "2147483647") == nil)
        #expect(refusal("acks", "all") == nil)
        #expect(refusal("acks", "-1") == nil)
    }

    @Test func floatsMustBeFiniteAndInRange() throws {
        let nan = try #require(refusal("linger.ms", "NaN"))
        #expect(nan.contains("from 0 to 900000"))
        #expect(refusal("linger.ms", "inf") != nil)
        #expect(refusal("linger.ms", "-0.5") != nil)
        #expect(refusal("linger.ms", "900001") != nil)
        #expect(refusal("linger.ms", "1e400") != nil)
        #expect(refusal("linger.ms", "0.5") == nil)
    }

    @Test func protocolStringsAreBoundedBeforeTheyAbortTheProcess() throws {
        // 70,000 bytes abort librdkafka (rd_realloc assertion); 40,000 never connect.
        // client.id is bounded lower (statisticsStringLimit): the statistics writer overflows first.
        let long = try #require(refusal("transactional.id", String(repeating: "t", count: 40_000)))
        #expect(long.contains("32767"))
        #expect(refusal("transactional.id", String(repeating: "t", count: 32_768)) != nil)
        #expect(refusal("transactional.id", String(repeating: "t", count: 32_767)) == nil)
        #expect(refusal("client.id", String(repeating: "x", count: 20_001)) != nil)
        #expect(refusal("client.id", String(repeating: "x", count: 20_000)) == nil)
        #expect(refusal("client.id", "a\nb") != nil)
        #expect(refusal("sasl.username", String(repeating: "u", count: 70_000)) != nil)
    }

    @Test func theConnectionBelongsToConnect() throws {
        let text = try #require(refusal("bootstrap.servers", "elsewhere:9092"))
        #expect(text.contains("connect"))
        #expect(refusal("metadata.broker.list", "elsewhere:9092") != nil)
        #expect(refusal("internal.termination.signal", "2") != nil)
    }

    @Test func librdkafkasCrossPropertyChecksRunAtSet() throws {
        var s = ClientSettings()
        _ = try s.set("message.max.bytes", "2000")
        // Only rd_kafka_new compares these two; `set` creates a client to ask.
        let text = try #require(refusal("fetch.max.bytes", "1000", on: s))
        #expect(text.contains("fetch.max.bytes") && text.contains("message.max.bytes"))
        #expect(refusal("fetch.max.bytes", "3000", on: s) == nil)
        // Unsetting message.max.bytes would bring back its default (1000000), above fetch.max.bytes.
        _ = try s.set("fetch.max.bytes", "3000")
        let before = s
        #expect(throws: KafkaError.self) { try s.unset("message.max.bytes") }
        #expect(s == before)
    }

    @Test func everyRefusalIsOneLine() throws {
        for (key, value) in [
            ("batch.size", "1e99"), ("linger.ms", "NaN"), ("compression.type", "brotli"),
            ("acks", "-5"), ("client.id", String(repeating: "y", count: 40_000)),
        ] {
            let text = try #require(refusal(key, value))
            #expect(!text.contains("\n"), "\(key): \(text)")
            #expect(text.count < 300, "\(key): \(text.count) characters")
        }
    }
}
