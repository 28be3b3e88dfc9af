import Foundation
import Kafka

@testable import Lab

/// A session on a fresh embedded cluster with captured output, for
/// integration tests that drive commands the way a user types them.
final class TestSession {
    let buffer = OutputBuffer()
    let session: Session
    let dispatcher = CommandCatalog.dispatcher()

    init(brokers: Int = 3, format: OutputFormat = .table, isScript: Bool = true) throws {
        session = Session(output: .capturing(format: format, into: buffer), isScript: isScript)
        session.dispatcher = dispatcher
        session.connect(try ClusterConnection(embeddedBrokers: brokers))
    }

    /// A session connected in compose mode to a scripted stand-in (see ScriptedKafka).
    init(standIn: ScriptedKafka, format: OutputFormat = .table) {
        session = Session(output: .capturing(format: format, into: buffer), isScript: true)
        session.dispatcher = dispatcher
        session.connect(standIn.connection())
    }

    deinit { session.disconnect() }

    var embedded: EmbeddedCluster {
        guard case .inProcessMock(let cluster) = session.connection?.control else {
            preconditionFailure("this test session is not on an in-process embedded cluster")
        }
        return cluster
    }

    /// Runs one line and returns its outcome; output accumulates in `buffer`.
    @discardableResult
    func run(_ line: String) -> Dispatcher.Outcome {
        dispatcher.execute(line, in: session)
    }

    /// Runs one line that must succeed and returns only what it printed.
    func output(of line: String) throws -> String {
        let before = buffer.stdout.count
        let errBefore = buffer.stderr.count
        let outcome = run(line)
        guard outcome == .succeeded else {
            throw TestFailure("`\(line)` failed: \(outcome) stderr: \(buffer.stderr.dropFirst(errBefore))")
        }
        return String(buffer.stdout.dropFirst(before))
    }

    /// Runs one line in JSON mode and parses its (last) document. Every
    /// document it printed must follow the JSON convention (`JSONConvention`),
    /// so each lab's tests also check the schema of what they read.
    func json(_ line: String) throws -> JSONValue {
        let text = try output(of: line + " --json")
        var last = JSONValue.null
        for document in text.split(separator: "\n") {
            last = try JSONValue.parse(String(document))
            let problems = JSONConvention.violations(in: last)
            if !problems.isEmpty {
                throw TestFailure("`\(line)` breaks the JSON convention: " + problems.joined(separator: "; "))
            }
        }
        return last
    }

    /// The error line of a command that must fail.
    func failure(of line: String) throws -> String {
        let errBefore = buffer.stderr.count
        guard case .failed(let message) = run(line) else { throw TestFailure("`\(line)` did not fail") }
        guard buffer.stderr.dropFirst(errBefore).contains(message) else {
            throw TestFailure("error not printed: \(message)")
        }
        return message
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
