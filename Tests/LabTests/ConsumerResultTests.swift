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
}
