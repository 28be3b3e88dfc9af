import Testing

@testable import Lab

/// The JSON convention holds by construction for any `CommandResult`: these pin the encoder.
@Suite("Typed results: JSONValueEncoder and the one renderer")
struct CommandResultTests {
    struct Inner: Encodable {
        let partitionId: Int
        let leaderEpoch: Int?
    }

    struct Sample: CommandResult {
        enum Verdict: String, Encodable { case ok, lagging }
        let durationMs: Double
        let msgsPerCpuSec: Int64
        let p99Ms: Double?
        let leaderID: Int32
        let verdict: Verdict
        let ids: [Int32]
        let nested: [Inner]
        let bigOffset: Int64
        let missing: String?
        let raw: JSONValue

        func render(into output: Output) { output.line("sample \(durationMs) ms") }
    }

    static let sample = Sample(
        durationMs: 12.5, msgsPerCpuSec: 7, p99Ms: nil, leaderID: 2, verdict: .lagging, ids: [1, 2, 3],
        nested: [Inner(partitionId: 0, leaderEpoch: nil), Inner(partitionId: 1, leaderEpoch: 4)],
        bigOffset: 9_007_199_254_740_993, missing: nil, raw: .object([("already_json", true)]))

    @Test func snakeCaseKeysInDeclarationOrderNullForAbsentExactIntegers() {
        let json = JSONValueEncoder.encode(Self.sample).serialized()
        #expect(
            json
                == #"{"duration_ms":12.5,"msgs_per_cpu_sec":7,"p99_ms":null,"leader_id":2,"verdict":"lagging","ids":[1,2,3],"nested":[{"partition_id":0,"leader_epoch":null},{"partition_id":1,"leader_epoch":4}],"big_offset":9007199254740993,"missing":null,"raw":{"already_json":true}}"#
        )
    }

    @Test func snakeCase() {
        #expect(JSONValueEncoder.snakeCase("durationMs") == "duration_ms")
        #expect(JSONValueEncoder.snakeCase("p999Ms") == "p999_ms")
        #expect(JSONValueEncoder.snakeCase("leaderID") == "leader_id")
        #expect(JSONValueEncoder.snakeCase("already_snake") == "already_snake")
        #expect(JSONValueEncoder.snakeCase("HWMark") == "hw_mark")
    }

    @Test func nonFiniteDoublesAreNull() {
        struct D: Encodable { let x: Double }
        #expect(JSONValueEncoder.encode(D(x: .nan)).serialized() == #"{"x":null}"#)
    }

    @Test func emitRendersTextOrSetsTheDocument() {
        let text = OutputBuffer()
        let out = Output.capturing(format: .table, into: text)
        out.beginCommand()
        out.emit(Self.sample)
        out.endCommand()
        #expect(text.stdout == "sample 12.5 ms\n")

        let json = OutputBuffer()
        let jout = Output.capturing(format: .json, into: json)
        jout.beginCommand()
        jout.emit(Self.sample)
        jout.endCommand()
        #expect(json.stdout == JSONValueEncoder.encode(Self.sample).serialized() + "\n")
        #expect(!json.stdout.contains("sample 12.5"))
    }

    @Test func sessionResultsTextAndJSONCarryTheSameFacts() {
        let r = SetResult(
            scope: "producer", property: "linger.ms", previous: nil, value: "50", revert: "unset linger.ms")
        let buffer = OutputBuffer()
        r.render(into: .capturing(into: buffer))
        #expect(buffer.stdout == "linger.ms (producer): default → 50; to revert: unset linger.ms\n")
        #expect(
            JSONValueEncoder.encode(r).serialized()
                == #"{"scope":"producer","property":"linger.ms","previous":null,"value":"50","revert":"unset linger.ms"}"#
        )
    }
}
