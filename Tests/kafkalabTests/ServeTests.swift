import Foundation
import Testing

/// `kafkalab serve` seen from a second kafkalab: with the control channel it
/// is a full lab cluster (the example tests replay every example on it);
/// without it, topic creation says why it cannot work instead of waiting.
extension ServeTests {
    @Test func withoutItsControlChannelTopicCreateFailsInOneLine() throws {
        // Serve and client in runtime directories the other does not search.
        let base = NSTemporaryDirectory() + "kafkalab-serve-test-\(UUID().uuidString.prefix(8))"
        let (serveDir, elsewhere) = (base + "/serve", base + "/client")
        for dir in [serveDir, elsewhere] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        defer { try? FileManager.default.removeItem(atPath: base) }
        let served = try ServeProcess(environment: ["XDG_RUNTIME_DIR": serveDir])
        let r = try KafkalabBinary.run(
            ["--bootstrap", served.bootstrap, "--timeout", "30", "-c", "topic create t --partitions 2"],
            environment: ["XDG_RUNTIME_DIR": elsewhere], timeout: 60)
        #expect(r.status == 1)
        #expect(!r.stdout.contains("served:"), "not discovered, so not labelled served")
        let errors = r.stderr.split(separator: "\n").filter { !$0.hasPrefix("connected to") }
        #expect(errors.count == 1, "\(r.stderr)")
        #expect(errors.first?.contains("librdkafka's mock cluster") == true)
        #expect(errors.first?.contains("no `kafkalab serve` control channel") == true)
        #expect(!r.stderr.contains("waiting for controller"))

        // Ctrl-C removes the socket and the advert, so no client finds a dead channel.
        let serveLog = served.stop()
        let socket = try #require(
            serveLog.split(separator: "\n").first { $0.hasPrefix("control channel ") }?
                .split(separator: " ")[2].dropLast())
        #expect(socket.hasSuffix(".sock"))
        #expect(!FileManager.default.fileExists(atPath: String(socket)))
        #expect(!FileManager.default.fileExists(atPath: socket.dropLast(5) + ".json"))
    }
}
