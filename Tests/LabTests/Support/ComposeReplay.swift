import Foundation
import Kafka

@testable import Lab

/// Replays `examples/<example>` line by line in compose mode on a fresh
/// session whose cluster is `kafka` (a scripted Kafka 3.9 stand-in).
func replayInComposeMode(
    _ example: String, on kafka: ScriptedKafka, file: String = #filePath
) throws -> (session: TestSession, result: ScriptRunner.Result) {
    let t = TestSession(standIn: kafka)
    let script = URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/\(example)")
    let lines = try String(contentsOf: script, encoding: .utf8).split(
        separator: "\n", omittingEmptySubsequences: false
    ).map(String.init)
    return (t, ScriptRunner(dispatcher: t.dispatcher).run(lines: lines, in: t.session))
}
