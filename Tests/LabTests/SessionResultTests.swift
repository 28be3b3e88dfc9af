import Testing

@testable import Lab

/// The session commands' results: one value rendered to text and to JSON carries the same facts.
@Suite("Session results: text and JSON from one value")
struct SessionResultTests {
    @Test func helpListsCommands() {
        let r = RenderedResult(
            HelpListResult(rows: [
                .init(command: "status", whatItDoes: "the cluster"), .init(command: "quit", whatItDoes: "leave"),
            ]))
        #expect(r.hasRow(["status", "the", "cluster"]) && r.hasRow(["quit", "leave"]), "\(r.text)")
        #expect(
            r.json.serialized()
                == #"{"rows":[{"command":"status","what_it_does":"the cluster"},{"command":"quit","what_it_does":"leave"}]}"#
        )
    }

    @Test func helpForOneCommand() {
        let r = RenderedResult(
            HelpCommandResult(
                command: "topic", summary: "create or list topics", usage: "topic create|list", details: nil,
                subcommands: [.init(command: "topic create", summary: "create a topic")]))
        #expect(r.text.hasPrefix("topic: create or list topics\nusage: topic create|list\n"), "\(r.text)")
        #expect(r.hasRow(["topic", "create", "create", "a", "topic"]), "\(r.text)")
        #expect(
            r.json.serialized()
                == #"{"command":"topic","summary":"create or list topics","usage":"topic create|list","details":null,"subcommands":[{"command":"topic create","summary":"create a topic"}]}"#
        )
        let quit = RenderedResult(
            HelpCommandResult(command: "quit", summary: "leave", usage: "quit", details: "more", subcommands: []))
        #expect(quit.text == "quit: leave\nusage: quit\nmore\n")
        #expect(quit.json["details"] == "more" && quit.json["subcommands"] == .array([]))
    }

    @Test func statusLinesTablesAndKeys() {
        let r = RenderedResult(
            StatusResult(
                lines: [
                    StatusLine("cluster", "embedded", "embedded"),
                    StatusLine("brokers", "1,2 (stopped: 3)", [Int32(1), 2]),
                    StatusLine("topic", "(none: `use <topic>`)", String?.none),
                    StatusLine(
                        "producer id", "7 epoch 0",
                        SessionCommands.ProducerIdLine(producerId: 7, epoch: 0)),
                ],
                config: [.init(scope: "producer", property: "linger.ms", value: "5")],
                connectionProperties: [.init(property: "sasl.password", value: "********", setBy: "a.properties:3")]))
        #expect(r.text.hasPrefix("cluster      embedded\nbrokers      1,2 (stopped: 3)\n"), "\(r.text)")
        #expect(r.text.contains("producer id  7 epoch 0\n"))
        #expect(!r.text.contains("librdkafka defaults (nothing set)"))
        #expect(r.hasRow(["sasl.password", "********", "a.properties:3"]), "\(r.text)")
        #expect(r.hasRow(["producer", "linger.ms", "5"]), "\(r.text)")
        #expect(
            r.json.serialized()
                == #"{"cluster":"embedded","brokers":[1,2],"topic":null,"producer_id":{"producer_id":7,"epoch":0},"config":[{"scope":"producer","property":"linger.ms","value":"5"}],"connection_properties":[{"property":"sasl.password","value":"********","set_by":"a.properties:3"}]}"#
        )
        let bare = RenderedResult(
            StatusResult(
                lines: [StatusLine("cluster", "not connected", JSONValue.null)], config: [], connectionProperties: []))
        #expect(bare.text == "cluster  not connected\nconfig   librdkafka defaults (nothing set)\n", "\(bare.text)")
        #expect(bare.json.serialized() == #"{"cluster":null,"config":[],"connection_properties":[]}"#)
    }

    @Test func unsetWasSetAndWasNot() {
        let r = RenderedResult(UnsetResult(scope: "producer", property: "linger.ms", previous: "50", default: "5"))
        #expect(r.text == "linger.ms (producer): 50 → default (5)\n")
        #expect(
            r.json.serialized()
                == #"{"scope":"producer","property":"linger.ms","previous":"50","value":null,"default":"5"}"#)
        let not = RenderedResult(UnsetResult(scope: "common", property: "client.id", previous: nil, default: nil))
        #expect(not.text == "client.id was not set; it stays at the default\n")
        #expect(not.json["previous"] == .null && not.json["default"] == .null)
    }

    @Test func showConfigRowsOrNothingSet() {
        let r = RenderedResult(
            ShowConfigResult(rows: [
                .init(scope: "producer", property: "linger.ms", value: "50", default: "5"),
                .init(scope: "common", property: "client.id", value: "me", default: nil),
            ]))
        #expect(
            r.hasRow(["producer", "linger.ms", "50", "5"]) && r.hasRow(["common", "client.id", "me"]), "\(r.text)")
        #expect(
            r.json.serialized()
                == #"{"rows":[{"scope":"producer","property":"linger.ms","value":"50","default":"5"},{"scope":"common","property":"client.id","value":"me","default":null}]}"#
        )
        let empty = RenderedResult(ShowConfigResult(rows: []))
        #expect(empty.text.hasPrefix("nothing set: every property has librdkafka's default"))
        #expect(empty.json.serialized() == #"{"rows":[]}"#)
    }

    @Test func format() {
        let r = RenderedResult(FormatResult(format: .table))
        #expect(r.text == "output: tables\n")
        #expect(r.json.serialized() == #"{"format":"table"}"#)
        #expect(JSONValueEncoder.encode(FormatResult(format: .json)).serialized() == #"{"format":"json"}"#)
    }
}
