import Foundation
import Kafka
import Testing

@testable import Lab

/// Replays `examples/<example>` line by line in compose mode on a fresh
/// session whose cluster is `kafka` (a scripted Kafka 3.9 stand-in).
func replayInComposeMode(
    _ example: String, on kafka: ScriptedKafka
) throws -> (session: TestSession, result: ScriptRunner.Result) {
    let t = TestSession(standIn: kafka)
    // This file is Tests/LabClusterTests/Support/ComposeReplay.swift; examples/ is at the root.
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples/\(example)")
    let lines = try String(contentsOf: script, encoding: .utf8).split(
        separator: "\n", omittingEmptySubsequences: false
    ).map(String.init)
    return (t, ScriptRunner(dispatcher: t.dispatcher).run(lines: lines, in: t.session))
}

/// Replays `example` `times` times in a row on one stand-in, each run from a fresh
/// shell (a real cluster keeps topics and groups between runs), expecting every run
/// to succeed. Returns what each run printed, for the caller's own checks.
func replayInComposeMode(
    _ example: String, on kafka: ScriptedKafka, times: Int, sourceLocation: SourceLocation = #_sourceLocation
) throws -> [String] {
    try (1...times).map { run in
        let (t, result) = try replayInComposeMode(example, on: kafka)
        #expect(
            result.succeeded, "\(example) run \(run): \(result.failures) stderr: \(t.buffer.stderr)",
            sourceLocation: sourceLocation)
        return t.buffer.stdout
    }
}

/// The broker ids of a JSON list (an ISR, replicas), in ascending order: Kafka keeps
/// them in placement and join order, which tests compare as sets.
func ids(_ value: JSONValue?) -> [Int64] {
    guard case .array(let items)? = value else { return [] }
    return items.compactMap(\.intValue).sorted()
}
