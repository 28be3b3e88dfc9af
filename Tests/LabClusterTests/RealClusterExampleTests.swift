import Foundation
import Kafka
import Testing

@testable import Lab

/// Every example, twice in a row from a fresh shell, on the real cluster (the
/// project's docker-compose.yml): a real cluster keeps topics and groups between
/// runs. Runs only when KAFKALAB_TEST_BOOTSTRAP names it, with docker on PATH for
/// 02's broker stops; the stand-in replays (ComposeExampleReplayTests) run everywhere.
extension RealClusterOnlyWithBootstrap {
    @Suite(
        "Real cluster: every example twice in a row",
        .enabled(if: ProcessInfo.processInfo.environment["KAFKALAB_TEST_BOOTSTRAP"] != nil))
    struct RealClusterExampleTests {
        let bootstrap = ProcessInfo.processInfo.environment["KAFKALAB_TEST_BOOTSTRAP"] ?? ""
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()

        @Test(arguments: [
            "01-cluster.kl", "02-replication.kl", "03-producers.kl", "04-compression-and-batching.kl",
            "05-consumers.kl", "06-lag.kl", "07-storage.kl", "08-replication-model.kl",
        ])
        func replaysTwice(_ example: String) throws {
            let lines = try String(
                contentsOf: root.appendingPathComponent("examples/\(example)"), encoding: .utf8
            ).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for run in 1...2 {
                let buffer = OutputBuffer()
                let session = Session(output: .capturing(into: buffer), isScript: true)
                let dispatcher = CommandCatalog.dispatcher()
                session.dispatcher = dispatcher
                session.composeFile = root.appendingPathComponent("docker-compose.yml").path
                session.connect(try ClusterConnection(bootstrap: bootstrap))
                defer { session.disconnect() }
                let result = ScriptRunner(dispatcher: dispatcher).run(lines: lines, in: session)
                #expect(result.succeeded, "\(example) run \(run): \(result.failures) stderr: \(buffer.stderr)")
            }
        }
    }
}
