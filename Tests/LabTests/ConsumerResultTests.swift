import Testing

@testable import Lab

/// The consumers lab's results: one value rendered to text and to JSON carries the same figures.
@Suite("Consumer results: text and JSON from one value")
struct ConsumerResultTests {
    @Test func groupDescribe() {
        let r = RenderedResult(
            GroupDescribeResult(
                group: "g", state: "Stable", protocol: "range", coordinator: 2,
                members: [
                    .init(
                        memberID: "m-1", clientID: "c1", host: "/10.0.0.1", groupInstanceID: nil,
                        assignment: [.init(topic: "t", partition: 0), .init(topic: "t", partition: 1)])
                ]))
        #expect(r.text.hasPrefix("group g  state Stable  protocol range  coordinator 2  members 1\n"))
        #expect(r.hasRow(["m-1", "c1", "/10.0.0.1", "-", "t:p0-1"]), "\(r.text)")
        #expect(
            r.json.serialized()
                == #"{"group":"g","state":"Stable","protocol":"range","coordinator":2,"members":[{"member_id":"m-1","client_id":"c1","host":"/10.0.0.1","group_instance_id":null,"assignment":[{"topic":"t","partition":0},{"topic":"t","partition":1}]}]}"#
        )
        let empty = RenderedResult(
            GroupDescribeResult(group: "g", state: "Empty", protocol: "", coordinator: nil, members: []))
        #expect(empty.text == "group g  state Empty  protocol -  coordinator ?  members 0\n")
        #expect(empty.json["coordinator"] == .null && empty.json["members"] == .array([]))
    }

    @Test func seed() {
        let r = RenderedResult(
            SeedResult(
                topic: "s", created: true, partitions: 3, sent: 200, delivered: 200, failed: 0, sizeBytes: 1024,
                durationMs: 500, msgsPerSec: 400, messagesInTopic: 200, planned: 200, readableMessages: 200,
                unreadable: nil))
        #expect(
            r.text
                == "created s (3 partitions); seeded s: 200 of 200 message(s) of 1024 B (0.2 MiB) in 0.50 s: 400 msgs/s, 0.4 MiB/s\ns now holds 200 message(s) in 3 partitions\n"
        )
        #expect(
            r.json.serialized()
                == #"{"topic":"s","created":true,"partitions":3,"sent":200,"delivered":200,"failed":0,"size_bytes":1024,"duration_ms":500.0,"msgs_per_sec":400.0,"messages_in_topic":200}"#
        )
        let partly = RenderedResult(
            SeedResult(
                topic: "s", created: false, partitions: 3, sent: 50, delivered: 40, failed: 0, sizeBytes: 10,
                durationMs: 100, msgsPerSec: 400, messagesInTopic: nil, planned: 200, readableMessages: 30,
                unreadable: (1, "timed out")))
        #expect(
            partly.text.contains(
                "s now holds at least 30 message(s) in 3 partitions (the watermarks of 1 could not be read: timed out)")
        )
        #expect(partly.text.contains("interrupted (Ctrl-C) after 50 of 200 were sent: 40 delivered, 10 dropped"))
        #expect(partly.json["messages_in_topic"] == .null)
    }
}
