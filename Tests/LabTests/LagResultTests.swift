import Testing

@testable import Lab

/// The lag lab's results: one value rendered to text and to JSON carries the same figures.
@Suite("Lag results: text and JSON from one value")
struct LagResultTests {
    @Test func groupList() {
        let r = RenderedResult(
            GroupListResult(groups: [
                .init(group: "orders", state: "Stable", members: 3, simple: false),
                .init(group: "audit", state: "Empty", members: nil, simple: true),
            ]))
        #expect(
            r.hasRow(["orders", "Stable", "3", "consumer"]) && r.hasRow(["audit", "Empty", "?", "simple"]), "\(r.text)")
        #expect(
            r.json.serialized()
                == #"{"groups":[{"group":"orders","state":"Stable","members":3,"simple":false},{"group":"audit","state":"Empty","members":null,"simple":true}]}"#
        )
        let none = RenderedResult(GroupListResult(groups: []))
        #expect(none.text == "no consumer groups on this cluster\n" && none.json.serialized() == #"{"groups":[]}"#)
    }
}
