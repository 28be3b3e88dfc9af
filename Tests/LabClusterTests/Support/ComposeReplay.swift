import Foundation
import Kafka
import Testing

@testable import Lab

/// Replays `examples/<example>` line by line in compose mode on a fresh
/// session whose cluster is `kafka` (a scripted Kafka 3.9 stand-in).
/// `before` scripts the stand-in just before the first line equal to a key: what
/// Kafka does there that the mock under the stand-in cannot (a coordinator's fence).
func replayInComposeMode(
    _ example: String, on kafka: ScriptedKafka, before: [String: (ScriptedKafka) -> Void] = [:]
) throws -> (session: TestSession, result: ScriptRunner.Result) {
    let t = TestSession(standIn: kafka)
    // This file is Tests/LabClusterTests/Support/ComposeReplay.swift; examples/ is at the root.
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples/\(example)")
    let lines = try String(contentsOf: script, encoding: .utf8).split(
        separator: "\n", omittingEmptySubsequences: false
    ).map(String.init)
    let runner = ScriptRunner(dispatcher: t.dispatcher)
    var result = ScriptRunner.Result()
    var from = 0
    for (index, line) in lines.enumerated() {
        guard let script = before[line] else { continue }
        let part = runner.run(lines: Array(lines[from..<index]), in: t.session)
        result.executed += part.executed
        result.failures += part.failures
        if part.stopped { return (t, result) }
        script(kafka)
        from = index
    }
    let rest = runner.run(lines: Array(lines[from...]), in: t.session)
    result.executed += rest.executed
    result.failures += rest.failures
    result.quit = rest.quit
    result.interrupted = rest.interrupted
    result.stopped = rest.stopped
    return (t, result)
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
