import Kafka
import Testing

@testable import Lab

/// The teaching commands' results: one value rendered to text and to JSON carries the same words.
@Suite("Teaching results: text and JSON from one value")
struct TeachingResultTests {
    @Test func explainCarriesTheSameTextTableAndCommands() throws {
        let concept = Concept(
            name: "acks", title: "acks: who must have a record", text: "First paragraph.\n\nSecond one.",
            commands: ["producer", "min-isr demo"],
            table: ConceptTable(
                headers: ["ACKS", "WAITS FOR"], keys: ["acks", "waits_for"], rows: [["all", "the ISR"]]))
        let r = RenderedResult(ExplainResult(concept))
        #expect(
            r.text
                == "acks: who must have a record\n\nFirst paragraph.\n\nSecond one.\n\nACKS  WAITS FOR\nall   the ISR\n\nsee it: `producer`, `min-isr demo`\n"
        )
        #expect(
            r.json.serialized()
                == #"{"concept":"acks","title":"acks: who must have a record","text":"First paragraph.\n\nSecond one.","commands":["producer","min-isr demo"],"table":[{"acks":"all","waits_for":"the ISR"}]}"#
        )
        let plain = RenderedResult(
            ExplainResult(Concept(name: "x", title: "X", text: "t", commands: ["isr"])))
        #expect(plain.json["table"] == .null)
        #expect(!plain.text.contains("ACKS"))
    }

    @Test func helpConfigShowsTheSessionValueInBoth() throws {
        let p = try #require(ConfigCatalog.property(named: "linger.ms"))
        let set = RenderedResult(HelpConfigResult(p, scope: "producer", value: "50"))
        #expect(set.text.contains("session      50\n"), "\(set.text)")
        #expect(set.json["value"] == .string("50"))
        #expect(set.text.contains("property     linger.ms\n") && set.json["property"] == .string("linger.ms"))
        #expect(set.text.contains("default      \(p.defaultValue)\n") && set.json["default"] == .string(p.defaultValue))
        let note = try #require(PropertyNotes.note(for: "linger.ms"))
        #expect(set.text.contains("in the labs  \(note)") && set.json["in_the_labs"] == .string(note))

        let unset = RenderedResult(HelpConfigResult(p, scope: "producer", value: nil))
        #expect(unset.text.contains("session      default\n"))
        #expect(unset.json["value"] == .null)
    }
}
