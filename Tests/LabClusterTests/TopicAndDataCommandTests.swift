import Foundation
import Kafka
import Testing

@testable import Lab

@Suite("Topic, produce and consume commands on the embedded cluster")
struct TopicAndDataCommandTests {
    @Test func createDescribeAndRefuseDuplicatesAndBadNames() throws {
        let t = try TestSession()
        let out = try t.output(of: "topic create orders --partitions 4")
        #expect(out.contains("created orders: 4 partitions"))
        #expect(t.session.currentTopic == "orders")
        let doc = try t.json("topic describe orders")
        #expect(doc["partitions"]?.arrayValue?.count == 4)
        #expect(try t.failure(of: "topic create orders").contains("already exists"))
        #expect(try t.failure(of: "topic create 'bad name'").contains("not a valid topic name"))
        #expect(try t.failure(of: "topic create x --partitions 0").contains("--partitions must be between"))
        #expect(try t.failure(of: "topic describe nosuch").contains("unknown topic 'nosuch'"))
    }

    @Test func ifNotExistsAcceptsAnExistingTopicAsItIs() throws {
        let t = try TestSession()
        try t.output(of: "topic create orders --partitions 4 --if-not-exists")
        try t.output(of: "topic create other")
        try t.output(of: "use other")
        let errBefore = t.buffer.stderr.count
        let again = try t.output(of: "topic create orders --partitions 6 --if-not-exists")
        #expect(again.contains("orders already exists with 4 partitions; --if-not-exists leaves it as it is"))
        // A warning: on stderr (issue 28 item 5).
        #expect(String(t.buffer.stderr.dropFirst(errBefore)).contains("not the 6 asked for"))
        #expect(t.session.currentTopic == "other", "an existing current topic is kept")
        #expect(try t.session.requireTopic("orders").partitions.count == 4)
        #expect(try t.failure(of: "topic create orders").contains("--if-not-exists accepts it"))
    }

    @Test func deleteIsRefusedOnTheEmbeddedClusterInOneLine() throws {
        let t = try TestSession()
        try t.output(of: "topic create keep")
        let message = try t.failure(of: "topic delete keep")
        #expect(message.contains("cannot delete topics"))
        #expect(!message.contains("\n"))
        #expect(try t.session.topicNames().contains("keep"))
    }

    @Test func produceWithKeysHeadersAndNumberingThenConsumeIntact() throws {
        let t = try TestSession(format: .json)
        try t.output(of: "topic create data --partitions 3")
        let produced = try t.json("produce --count 200 --key k{i} --header trace=t{i} \"value {i}\"")
        #expect(produced["delivered"]?.intValue == 200)
        #expect(produced["failed"]?.intValue == 0)
        let text = try t.output(of: "consume data")
        let records = try text.split(separator: "\n").map { try JSONValue.parse(String($0)) }.filter {
            $0["offset"] != nil
        }
        #expect(records.count == 200)
        var seen = Set<String>()
        for r in records {
            let value = try #require(r["value"]?.stringValue)
            let i = try #require(Int(value.dropFirst("value ".count)))
            #expect(r["key"]?.stringValue == "k\(i)")
            #expect(r["headers"]?["trace"]?.stringValue == "t\(i)")
            seen.insert(value)
        }
        #expect(seen.count == 200)
    }

    @Test func produceFromAFileWithTabSeparatedKeys() throws {
        let t = try TestSession()
        try t.output(of: "topic create lines --partitions 1")
        let path = NSTemporaryDirectory() + "kafkalab-lines-\(UUID().uuidString).txt"
        try "a\tfirst\nsecond\nb\tthird\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try t.output(of: "produce --file \(path)").contains("produced 3 of 3"))
        let out = try t.output(of: "consume lines")
        #expect(out.contains("key=a  first"))
        #expect(out.contains("p0 @1  second"))
        #expect(out.contains("key=b  third"))
        #expect(try t.failure(of: "produce --file /nonexistent/file").contains("cannot read"))
    }

    @Test func badProduceAndConsumeInputIsOneLine() throws {
        let t = try TestSession()
        try t.output(of: "topic create small --partitions 2")
        #expect(try t.failure(of: "produce --partition 5 x").contains("no partition 5"))
        #expect(try t.failure(of: "produce --count 0 x").contains("--count must be between"))
        #expect(try t.failure(of: "produce --header nokey x").contains("--header takes key=value"))
        #expect(try t.failure(of: "consume --from yesterday").contains("--from takes beginning, end or an offset"))
        #expect(try t.failure(of: "produce --topic ghost x").contains("unknown topic 'ghost'"))
        // the embedded cluster would auto-create a topic a client names; kafkalab refused first
        #expect(try !t.session.topicNames().contains("ghost"))
    }

    @Test func consumeFromAnOffsetAndOnePartition() throws {
        let t = try TestSession()
        try t.output(of: "topic create off --partitions 1")
        try t.output(of: "produce --count 10 \"m{i}\"")
        let out = try t.output(of: "consume --from 7 --partition 0")
        #expect(out.contains("p0 @7  m7"))
        #expect(out.contains("p0 @9  m9"))
        #expect(!out.contains("m6"))
        #expect(out.contains("3 message(s)"))
    }

    @Test func statusShowsChangedPropertiesWithSecretsMasked() throws {
        let t = try TestSession()
        try t.output(of: "set linger.ms 25")
        try t.output(of: "set sasl.password hunter2")
        let out = try t.output(of: "status")
        #expect(out.contains("linger.ms"))
        #expect(out.contains("25"))
        #expect(!out.contains("hunter2"))
        #expect(!t.buffer.stdout.contains("hunter2"))
    }

    @Test func connectSwitchesClustersAndResetsTheTopic() throws {
        let t = try TestSession()
        try t.output(of: "topic create before")
        let out = try t.output(of: "connect embedded 2")
        #expect(out.contains("connected to embedded:2"))
        #expect(t.session.currentTopic == nil)
        #expect(try t.session.requireConnection().admin.metadata().brokers.count == 2)
        #expect(try t.failure(of: "connect embedded 99").contains("between 1 and 32"))
        #expect(t.session.connection?.label == "embedded:2")
    }

    @Test func statusShowsTheIdempotentProducersIdWithoutAnyLabCommand() throws {
        let t = try TestSession()
        try t.output(of: "topic create ids --partitions 1")
        try t.output(of: "set enable.idempotence true")
        #expect(!(try t.output(of: "status")).contains("producer id"))
        try t.output(of: "produce x")
        // statistics (where librdkafka reports the id) arrive once a second
        var status = ""
        for _ in 0..<30 where !status.contains("producer id") {
            usleep(100_000)
            status = try t.output(of: "status")
        }
        #expect(status.contains("producer id"))
        #expect(status.contains("epoch 0"))
    }

    /// The mock would make a stopped broker the leader of new partitions, and
    /// librdkafka then waits on it far past any time-out (seen with `txn demo`).
    @Test func topicsCreatedWhileABrokerIsStoppedAreLedByLiveBrokers() throws {
        let t = try TestSession()
        try t.output(of: "broker stop 2")
        try t.output(of: "topic create later --partitions 6")
        let md = try t.session.requireConnection().admin.metadata()
        let leaders = try #require(md.topic("later")).partitions.map(\.leader)
        #expect(!leaders.contains(2))
        #expect(!leaders.contains(-1))
        #expect(try t.output(of: "topic describe later").contains("PARTITION"))
        try t.output(of: "produce --topic later --count 20 x{i}")
        #expect(try t.output(of: "consume later").contains("20 message(s)"))
    }

    /// A group member reads nothing until it is assigned partitions: the idle clock starts
    /// then. It used to start at once, so a join longer than --idle (the mock holds a first
    /// join ~3 s; a real rebalance can take longer) ended with 0 messages called "end of log".
    @Test func consumeInAGroupWaitsForItsAssignmentBeforeIdling() throws {
        let t = try TestSession()
        try t.output(of: "topic create joined --partitions 2")
        try t.output(of: "produce --topic joined --count 6 j{i}")
        let text = try t.output(of: "consume joined --group slow-join --idle 1s")
        #expect(text.contains("consumed 6 message(s) from joined as group slow-join (end of log)"), "\(text)")
    }
}
