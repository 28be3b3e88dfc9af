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

    @Test func reportsComeToTheProducingThreadsHandlerWhileItServesThemAndToThePollerAfter() throws {
        let cluster = try EmbeddedCluster(brokers: 1)
        try cluster.createTopic("served-here", partitions: 1)
        let pollerReports = Mutex<[pthread_t]>([])
        let producer = try Producer(
            config: ["bootstrap.servers": cluster.bootstrap],
            onDelivery: { _ in pollerReports.withLock { $0.append(pthread_self()) } })
        let me = pthread_self()
        let deadline = Date().addingTimeInterval(30)
        final class Reports: DeliverySink {
            var seen: [(thread: pthread_t, offset: Int64)] = []
            override func deliver(_ report: DeliveryReport) { seen.append((pthread_self(), report.offset)) }
        }
        let reports = Reports()
        try producer.servingReportsHere(into: reports) {
            for i in 0..<100 { try producer.send(topic: "served-here", value: Array("v\(i)".utf8)) }
            while reports.seen.count < 100 && Date() < deadline { producer.poll(timeoutMs: 100) }
        }
        let here = reports.seen
        #expect(here.map(\.offset) == Array(0..<100))
        #expect(here.allSatisfy { pthread_equal($0.thread, me) != 0 })
        #expect(pollerReports.withLock { $0.isEmpty })
        // Released: the background poller serves the next report to the producer's own handler.
        try producer.send(topic: "served-here", value: Array("after".utf8))
        while pollerReports.withLock({ $0.isEmpty }) && Date() < deadline { usleep(1_000) }
        let after = try #require(pollerReports.withLock { $0.first })
        #expect(pthread_equal(after, me) == 0)
        #expect(reports.seen.count == 100)
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
