import Foundation
import Testing

/// `kafkalab --config FILE`, `-X key=value` and `--cluster NAME`, run as a user runs them.
@Suite("Cluster flags (binary)")
struct ClusterFlagsTests {
    func temporaryDirectory() throws -> String {
        let dir = NSTemporaryDirectory() + "kafkalab-flags-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func write(_ text: String, to path: String, mode: Int = 0o600) {
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: mode])
    }

    @Test func configFilesAndDashXReachTheConnectionAndStatusNamesTheirOrigins() throws {
        let served = try ServeProcess(brokers: 1)
        defer { _ = served.stop() }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        write(
            """
            bootstrap.servers=\(served.bootstrap)
            sasl.mechanism=PLAIN
            sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="do-not-print";
            client.id=from-first
            """, to: dir + "/first.properties", mode: 0o644)
        write("client.id=from-second\n", to: dir + "/second.properties")
        let r = try KafkalabBinary.run(
            [
                "--config", dir + "/first.properties", "--config", dir + "/second.properties", "-X", "linger.ms=3",
                "--json", "-c", "status",
            ], timeout: 60)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stdout.contains("do-not-print") && !r.stderr.contains("do-not-print"))
        // One warning for the file others can read; none for the 0600 one.
        #expect(r.stderr.contains("first.properties is readable by others (mode 644)"))
        #expect(!r.stderr.contains("second.properties is readable"))
        let doc = try #require(
            JSONSerialization.jsonObject(with: Data(r.stdout.split(separator: "\n").last!.utf8)) as? [String: Any])
        let rows = try #require(doc["connection_properties"] as? [[String: String]])
        let byName = Dictionary(uniqueKeysWithValues: rows.map { ($0["property"]!, $0) })
        #expect(byName["bootstrap.servers"]?["value"] == served.bootstrap)
        #expect(byName["client.id"]?["value"] == "from-second")
        #expect(byName["client.id"]?["set_by"] == dir + "/second.properties:1")
        #expect(byName["linger.ms"]?["set_by"] == "-X")
        #expect(byName["sasl.password"]?["value"] == "********")
        #expect(byName["sasl.username"]?["set_by"] == dir + "/first.properties:3")
    }

    @Test func namedClusterComesFromXdgConfigHome() throws {
        let served = try ServeProcess(brokers: 1)
        defer { _ = served.stop() }
        let home = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: home) }
        try FileManager.default.createDirectory(atPath: home + "/kafkalab/clusters", withIntermediateDirectories: true)
        write("bootstrap.servers=\(served.bootstrap)\n", to: home + "/kafkalab/clusters/staging.properties")
        let r = try KafkalabBinary.run(
            ["--cluster", "staging", "-c", "status"], environment: ["XDG_CONFIG_HOME": home], timeout: 60)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("staging.properties:1"))
        let missing = try KafkalabBinary.run(
            ["--cluster", "stagingg", "-c", "status"], environment: ["XDG_CONFIG_HOME": home], timeout: 60)
        #expect(missing.status == 2)
        #expect(
            missing.stderr.contains("no cluster named 'stagingg'") && missing.stderr.contains("did you mean staging?"))
    }

    @Test func refusedStartUpsSayWhyInOneLineAndExit2() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        write("bootstrap.servers=localhost:1\nssl.truststore.location=/t.jks\n", to: dir + "/jks.properties")
        write("security.protocol=SSL\n", to: dir + "/nobootstrap.properties")
        let cases: [([String], String)] = [
            (["--config", dir + "/jks.properties"], "keytool -list -rfc -keystore /t.jks > ca.pem"),
            (["--config", dir + "/nobootstrap.properties"], "no bootstrap.servers"),
            (["--config", dir + "/absent.properties"], "cannot read"),
            (["-X", "linger.mss=1", "--bootstrap", "localhost:1"], "nearest: linger.ms"),
            (["--embedded", "-X", "client.id=x"], "speaks neither TLS nor SASL"),
        ]
        for (arguments, expected) in cases {
            let r = try KafkalabBinary.run(arguments + ["-c", "status"], timeout: 30)
            // A flag clash is the argument parser's (exit 64 today); the others fail at start-up (2).
            if arguments.first != "--embedded" { #expect(r.status == 2, "\(arguments): \(r.status) \(r.stderr)") }
            #expect(r.status != 0)
            #expect(r.stderr.contains(expected), "\(arguments): \(r.stderr)")
        }
    }
}

/// `kafkalab lag-export`: the prompt's `lag export` as its own process.
@Suite("lag-export (binary)")
struct LagExportBinaryTests {
    @Test func servesUntilCtrlCAndExits130() throws {
        let r = try KafkalabBinary.run(
            [
                "lag-export", "--embedded", "--brokers", "1", "--group", "a group", "--listen", "127.0.0.1:0",
                "--interval", "200ms",
            ],
            timeout: 30, interruptAfter: 2.5)
        #expect(r.status == 130, "\(r.stderr)")
        #expect(r.stdout.contains("serving consumer lag on http://127.0.0.1:"))
        #expect(r.stdout.contains("lag export stopped:") && r.stdout.contains("0 failed"))
        let refused = try KafkalabBinary.run(["lag-export", "--embedded"], timeout: 30)
        #expect(refused.status != 0 && refused.stderr.contains("--group"))
    }
}
