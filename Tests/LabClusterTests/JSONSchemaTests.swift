import Foundation
import Testing

@testable import Lab

/// Every command's JSON, success and failure, against the convention in the
/// README ("JSON output"): one embedded cluster, each command run the way a
/// script runs it. A success prints JSON documents only (one per command, or
/// one per sample or record) that follow `JSONConvention`; a failure prints
/// nothing on stdout and one line on stderr.
@Suite("JSON schema of every command (embedded cluster)")
struct JSONSchemaTests {
    /// Command lines that succeed on the embedded cluster, in order (later ones use what earlier ones made).
    /// The slow demos are checked where their lab's tests read them: `TestSession.json` applies the same
    /// convention to every document (txn begin|commit|abort|demo|fence, idempotence demo, compaction demo,
    /// bench consume, group strategies, min-isr demo in ProducersLabTests, StorageAndTeachingTests, BenchCommandTests,
    /// ConsumerLabTests, ReplicationLabTests; commit demo and ordering demo in TeachingRunsTests). `group static` and `lag demo` take tens of seconds and have no JSON test.
    static let successes: [String] = [
        "help", "help topic", "help quit", "help config", "help config linger.ms",
        "status", "cluster", "format json",
        "topic create js --partitions 3", "topic list", "topic describe js", "use js",
        "set linger.ms 5", "show config", "show config producer", "status", "unset linger.ms",
        "produce --topic js --count 3 v{i}", "produce --topic js --key k --header h=1 one",
        "consume js --count 2", "consume js --count 1 --group jsg",
        "producer", "isr js", "isr watch js --interval 200ms --for 400ms", "broker list",
        "broker stop 3", "broker start 3",
        "lag jsg", "lag watch jsg --interval 200ms --for 400ms",
        "explain", "explain isr", "segments js",
        "txn status", "set transactional.id js-tx", "txn status", "unset transactional.id",
        "seed js --count 200 --size 10",
        "bench none --count 500 --size 10 --warmup 0",
        "bench matrix linger.ms=0,5 --count 300 --size 10 --warmup 0",
        "connect embedded 1",
    ]

    /// Command lines that fail: bad input and what the embedded cluster cannot do.
    static let failures: [String] = [
        "nosuchcommand", "help nosuchcommand", "help config no.such.property",
        "topic create", "topic describe nosuchtopic", "topic delete js", "use nosuchtopic",
        "set linger.ms", "set no.such.property 1", "unset no.such.property", "show config sideways",
        "format yaml", "source /nonexistent.kl", "connect nohostport",
        "produce --topic nosuchtopic x", "produce --topic js --count 0 x", "consume nosuchtopic",
        "isr nosuchtopic", "isr watch js --interval 0", "broker stop 99", "broker frobnicate",
        "groups", "group describe nosuchgroup", "group strategies bogus", "group static --consumers 0",
        "lag nosuchgroup", "lag demo --rate 0", "lag watch",
        "explain nosuchconcept", "segments nosuchtopic", "compaction demo --keys 1",
        "txn commit", "idempotence demo --count 0", "min-isr demo js --wait 0",
        "commit demo --crash-at 0", "commit demo --count 3 --crash-at 3", "ordering demo --count 1",
        "seed js --count 0", "bench nosuchcodec", "bench matrix nonsense", "bench consume --count 0",
        "producer extra", "status extra", "cluster extra",
    ]

    @Test func everyCommandPrintsConventionalJSONOrFailsInOneStderrLine() throws {
        let t = try TestSession(format: .json)
        for line in Self.successes {
            let (outcome, stdout, _) = run(t, line)
            #expect(outcome == .succeeded, "\(line): \(outcome)")
            let documents = stdout.split(separator: "\n").map(String.init)
            #expect(!documents.isEmpty, "\(line): no JSON document")
            for text in documents {
                guard let doc = try? JSONValue.parse(text), case .object(let pairs) = doc else {
                    Issue.record("\(line): not a JSON object: \(text.prefix(120))")
                    continue
                }
                #expect(pairs.contains { $0.0 != "ok" }, "\(line): a document with no facts: \(text)")
                let problems = JSONConvention.violations(in: doc)
                #expect(problems.isEmpty, "\(line): \(problems.joined(separator: "; "))")
            }
        }
        for line in Self.failures {
            let (outcome, stdout, stderr) = run(t, line)
            guard case .failed = outcome else {
                Issue.record("\(line) did not fail: \(outcome)")
                continue
            }
            #expect(stdout.isEmpty, "\(line): printed on stdout: \(stdout.prefix(200))")
            let lines = stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("error: "), "\(line): stderr \(stderr)")
        }
    }

    private func run(_ t: TestSession, _ line: String) -> (Dispatcher.Outcome, String, String) {
        let out = t.buffer.stdout.count, err = t.buffer.stderr.count
        let started = Date()
        let outcome = t.run(line)
        if ProcessInfo.processInfo.environment["JSON_SCHEMA_TIMES"] != nil {
            print(String(format: "TIME %.3f %@", Date().timeIntervalSince(started), line))
        }
        return (outcome, String(t.buffer.stdout.dropFirst(out)), String(t.buffer.stderr.dropFirst(err)))
    }
}
