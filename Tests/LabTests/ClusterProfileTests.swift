import Foundation
import Kafka
import Testing

@testable import Lab

/// Java client keys to librdkafka's, refusals in one line, and where each property came from.
@Suite("Cluster profiles")
struct ClusterProfileTests {
    func translate(_ text: String) throws -> JavaClientKeys.Translation {
        JavaClientKeys.translate(
            try JavaProperties.parse(text).map {
                .init(key: $0.key, value: $0.value, origin: .file("f", line: $0.line))
            })
    }

    func profile(_ text: String, path: String = "client.properties") throws -> ClusterProfile {
        var p = ClusterProfile()
        try p.add(fileText: text, path: path)
        return p
    }

    func refusal(_ text: String) -> String {
        do {
            _ = try profile(text)
            return "accepted"
        } catch {
            return describeError(error)
        }
    }

    static let confluentCloud = """
        # Required connection configs for Kafka producer, consumer, and admin
        bootstrap.servers=pkc-abc12.us-east-1.aws.confluent.cloud:9092
        security.protocol=SASL_SSL
        sasl.mechanism=PLAIN
        sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username='KEY123' password='s3cr3t/+=';
        client.dns.lookup=use_all_dns_ips
        session.timeout.ms=45000
        acks=all
        key.serializer=org.apache.kafka.common.serialization.StringSerializer
        schema.registry.url=https://psrc-xyz.us-east-2.aws.confluent.cloud
        basic.auth.credentials.source=USER_INFO
        basic.auth.user.info=SRKEY:SRSECRET
        """

    @Test func confluentCloudFileTranslates() throws {
        let p = try profile(Self.confluentCloud)
        #expect(p.bootstrap == "pkc-abc12.us-east-1.aws.confluent.cloud:9092")
        #expect(p.bootstrapOrigin == .file("client.properties", line: 2))
        let values = p.properties.mapValues(\.value)
        #expect(
            values == [
                "security.protocol": "SASL_SSL", "sasl.mechanisms": "PLAIN", "sasl.username": "KEY123",
                "sasl.password": "s3cr3t/+=", "session.timeout.ms": "45000", "acks": "all",
            ])
        #expect(p.properties["sasl.password"]?.origin == .file("client.properties", line: 5))
        // One note per key translated or ignored, and never a value in them.
        #expect(p.notes.count == 7)
        #expect(p.notes.contains { $0.contains("client.dns.lookup ignored") })
        #expect(p.notes.contains { $0.contains("key.serializer ignored") })
        #expect(!p.notes.joined().contains("s3cr3t") && !p.notes.joined().contains("SRSECRET"))
    }

    @Test func scopesSplitByClientSide() throws {
        let p = try profile(Self.confluentCloud)
        #expect(p.properties(for: .producer)["acks"] == "all")
        #expect(p.properties(for: .consumer)["acks"] == nil)
        #expect(p.properties(for: .consumer)["session.timeout.ms"] == "45000")
        #expect(p.properties(for: .producer)["session.timeout.ms"] == nil)
        #expect(
            p.properties(for: .admin).keys.sorted() == [
                "sasl.mechanisms", "sasl.password", "sasl.username", "security.protocol",
            ])
    }

    /// The properties reader takes one backslash first (as Java's does): `\\\"` in the file is `\"` to JAAS.
    @Test func scramJaasWithDoubleQuotesAndEscapes() throws {
        let t = try translate(
            #"sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="p\\\"w;d";"#
        )
        #expect(t.problems == [])
        #expect(t.properties.map(\.key) == ["sasl.username", "sasl.password"])
        #expect(t.properties.map(\.value) == ["alice", "p\"w;d"])
    }

    @Test func jaasWithoutCredentialsOrMalformedIsRefusedWithoutItsValue() throws {
        let missing = try translate(
            "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\";")
        #expect(missing.problems == ["f:1: sasl.jaas.config with PlainLoginModule needs username= and password="])
        let broken = try translate("sasl.jaas.config=PlainLoginModule required password=\"hunter2")
        #expect(broken.problems.count == 1)
        #expect(!broken.problems[0].contains("hunter2"))
    }

    @Test func oauthbearerJaasSaysWhatLibrdkafkaNeeds() throws {
        let t = try translate(
            "sasl.mechanism=OAUTHBEARER\nsasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId='x' clientSecret='y';"
        )
        #expect(t.problems.count == 1)
        #expect(t.problems[0].hasPrefix("f:2: sasl.jaas.config with OAuthBearerLoginModule"))
        for needed in [
            "sasl.oauthbearer.method=oidc", "sasl.oauthbearer.client.id", "sasl.oauthbearer.token.endpoint.url",
        ] {
            #expect(t.problems[0].contains(needed))
        }
        #expect(!t.problems[0].contains("clientSecret='y'"))
    }

    @Test func mskIamIsRefusedWithTheScramAlternative() throws {
        let t = try translate("sasl.mechanism=AWS_MSK_IAM")
        #expect(t.problems.count == 1 && t.problems[0].contains("SCRAM-SHA-512"))
    }

    @Test func jksTruststoreIsRefusedWithTheKeytoolCommand() throws {
        let t = try translate(
            "ssl.truststore.location=/etc/kafka/truststore.jks\nssl.truststore.password=changeit\nsecurity.protocol=SSL"
        )
        #expect(t.problems.count == 1)
        #expect(t.problems[0].contains("keytool -list -rfc -keystore /etc/kafka/truststore.jks > ca.pem"))
        #expect(t.problems[0].contains("ssl.ca.location"))
        #expect(!t.problems[0].contains("changeit"))
        let pkcs12 = try translate("ssl.truststore.type=PKCS12\nssl.truststore.location=t.p12")
        #expect(
            pkcs12.problems.count == 1 && pkcs12.problems[0].contains("openssl pkcs12 -in t.p12 -nokeys -out ca.pem"))
    }

    @Test func jksKeystoreIsRefusedWithConversionsAndPkcs12PassesThrough() throws {
        let jks = try translate("ssl.keystore.location=client.jks\nssl.keystore.password=pw")
        #expect(jks.problems.count == 1)
        for needed in ["ssl.certificate.location", "ssl.key.location", "keytool -importkeystore", "openssl pkcs12"] {
            #expect(jks.problems[0].contains(needed))
        }
        let p12 = try translate("ssl.keystore.type=PKCS12\nssl.keystore.location=client.p12\nssl.keystore.password=pw")
        #expect(p12.problems == [])
        #expect(p12.properties.map(\.key) == ["ssl.keystore.location", "ssl.keystore.password"])
    }

    @Test func pemStoresTranslate() throws {
        let t = try translate(
            "ssl.truststore.type=PEM\nssl.truststore.location=/certs/ca.pem\nssl.keystore.type=PEM\nssl.keystore.location=/certs/client.pem"
        )
        #expect(t.problems == [])
        #expect(
            Dictionary(uniqueKeysWithValues: t.properties.map { ($0.key, $0.value) }) == [
                "ssl.ca.location": "/certs/ca.pem", "ssl.certificate.location": "/certs/client.pem",
                "ssl.key.location": "/certs/client.pem",
            ])
    }

    @Test func javaValuesOfSharedKeysTranslate() throws {
        let p = try profile(
            """
            ssl.endpoint.identification.algorithm=
            auto.offset.reset=none
            partition.assignment.strategy=org.apache.kafka.clients.consumer.RangeAssignor, org.apache.kafka.clients.consumer.CooperativeStickyAssignor
            """)
        #expect(p.properties["ssl.endpoint.identification.algorithm"]?.value == "none")
        #expect(p.properties["auto.offset.reset"]?.value == "error")
        // Kafka 3's default list: librdkafka cannot mix the two kinds; the first one's kind stays.
        #expect(p.properties["partition.assignment.strategy"]?.value == "range")
        #expect(p.notes.contains { $0.contains("cannot mix eager and cooperative") })
        let renamed = try profile("fetch.max.wait.ms=50\nmax.request.size=2000000\nmax.poll.records=10")
        #expect(renamed.properties.mapValues(\.value) == ["fetch.wait.max.ms": "50", "message.max.bytes": "2000000"])
        #expect(renamed.notes.contains { $0.contains("max.poll.records ignored") })
        let sticky = try translate("partition.assignment.strategy=org.apache.kafka.clients.consumer.StickyAssignor")
        #expect(sticky.problems.count == 1 && sticky.problems[0].contains("cooperative-sticky"))
    }

    @Test func unknownKeyNamesTheNearestLibrdkafkaProperty() throws {
        let t = try translate("linger.mss=5")
        #expect(t.problems.count == 1)
        #expect(t.problems[0].hasPrefix("f:1: unknown property 'linger.mss'"))
        #expect(t.problems[0].contains("linger.ms"))
    }

    @Test func refusedFileChangesNothingAndListsEveryProblemOnOneLine() throws {
        var p = try profile("bootstrap.servers=a:9092\nsecurity.protocol=SSL")
        let before = p
        #expect(throws: LabError.self) {
            try p.add(
                fileText: "bootstrap.servers=b:9092\nlinger.mss=1\nsasl.mechanism=AWS_MSK_IAM", path: "bad.properties")
        }
        #expect(p == before)
        let line = refusal("linger.mss=1\nsasl.mechanism=AWS_MSK_IAM")
        #expect(!line.contains("\n"))
        #expect(line.contains("client.properties:1") && line.contains("client.properties:2"))
    }

    @Test func librdkafkaJudgesValuesAndSecretsStayMasked() throws {
        let line = refusal("security.protocol=CARRIER_PIGEON")
        #expect(line.contains("client.properties:1: security.protocol"))
        // A key file that does not exist: librdkafka refuses at client creation.
        let missing = refusal("security.protocol=SSL\nssl.key.location=/nonexistent/k.pem\nssl.key.password=topsecret")
        #expect(missing.contains("together"))
        #expect(!missing.contains("topsecret"))
    }

    @Test func laterSourcesWinAndCommandLineSettingsAreNamed() throws {
        var p = try profile("bootstrap.servers=a:9092\nclient.id=first", path: "one.properties")
        try p.add(fileText: "client.id=second", path: "two.properties")
        try p.add(setting: "linger.ms=7")
        #expect(p.properties["client.id"] == .init(value: "second", origin: .file("two.properties", line: 1)))
        #expect(p.properties["linger.ms"]?.origin.description == "-X")
        #expect(p.bootstrapOrigin?.description == "one.properties:1")
        #expect(throws: LabError.self) { try p.add(setting: "no-equals-sign") }
        #expect(throws: LabError.self) { try p.add(setting: "=value") }
    }

    @Test func displayRowsMaskSecrets() throws {
        let p = try profile(Self.confluentCloud)
        let rows = p.displayRows
        #expect(rows.first?.property == "bootstrap.servers")
        #expect(rows.first { $0.property == "sasl.password" }?.value == "********")
        #expect(rows.first { $0.property == "sasl.username" }?.value == "KEY123")
        #expect(rows.first { $0.property == "sasl.password" }?.origin == "client.properties:5")
    }

    @Test func secretNamesIncludeTheJavaKeysAFileMayHold() {
        for key in ["sasl.jaas.config", "ssl.keystore.key", "basic.auth.user.info", "sasl.password", "ssl.key.pem"] {
            #expect(ConfigCatalog.isSecret(key), "\(key)")
        }
        for key in ["ssl.key.location", "sasl.username", "bootstrap.servers", "security.protocol"] {
            #expect(!ConfigCatalog.isSecret(key), "\(key)")
        }
        #expect(Secrets.lineRevealsSecret("kafkalab -X sasl.password=x"))
        // Kept out of the history file: a pasted JAAS line; kept in it: a connect naming a file.
        #expect(Secrets.lineRevealsSecret("set sasl.jaas.config 'PlainLoginModule required password=\"x\";'"))
        #expect(!Secrets.lineRevealsSecret("connect --config ~/staging.properties"))
        #expect(!Secrets.lineRevealsSecret("connect staging"))
    }
}

/// Named cluster files and their permissions.
@Suite("Cluster files")
struct ClusterFilesTests {
    func temporaryConfigHome() throws -> (env: [String: String], dir: String) {
        let home = NSTemporaryDirectory() + "kafkalab-clusters-\(UUID().uuidString)"
        let dir = home + "/kafkalab/clusters"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return (["XDG_CONFIG_HOME": home, "HOME": "/nonexistent"], dir)
    }

    @Test func directoryFollowsXdgConfigHomeElseHome() {
        #expect(ClusterFiles.directory(environment: ["XDG_CONFIG_HOME": "/x"]) == "/x/kafkalab/clusters")
        #expect(ClusterFiles.directory(environment: ["HOME": "/home/u"]) == "/home/u/.config/kafkalab/clusters")
        #expect(
            ClusterFiles.directory(environment: ["XDG_CONFIG_HOME": "", "HOME": "/h"]) == "/h/.config/kafkalab/clusters"
        )
    }

    @Test func namedClustersAreListedAndReadWithAPermissionWarning() throws {
        let (env, dir) = try temporaryConfigHome()
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        FileManager.default.createFile(
            atPath: dir + "/staging.properties", contents: Data("bootstrap.servers=staging:9092\n".utf8),
            attributes: [.posixPermissions: 0o600])
        FileManager.default.createFile(
            atPath: dir + "/prod.properties",
            contents: Data("bootstrap.servers=prod:9092\nsecurity.protocol=SSL\n".utf8),
            attributes: [.posixPermissions: 0o644])
        FileManager.default.createFile(atPath: dir + "/notes.txt", contents: Data())
        #expect(ClusterFiles.names(environment: env) == ["prod", "staging"])

        let (staging, quiet) = try ClusterFiles.profile(cluster: "staging", files: [], settings: [], environment: env)
        #expect(staging.bootstrap == "staging:9092")
        #expect(quiet.isEmpty)

        let (prod, warnings) = try ClusterFiles.profile(
            cluster: "prod", files: [], settings: ["client.id=me"], environment: env)
        #expect(prod.properties["client.id"]?.value == "me")
        #expect(warnings.count == 1)
        #expect(warnings[0].contains("readable by others (mode 644)") && warnings[0].contains("chmod 600"))

        let unknown = #expect(throws: LabError.self) {
            try ClusterFiles.profile(cluster: "stagin", files: [], settings: [], environment: env)
        }
        #expect(unknown.map(describeError)?.contains("did you mean staging?") == true)
        #expect(throws: LabError.self) { try ClusterFiles.path(ofCluster: "../etc/passwd", environment: env) }
    }
}

/// The README's example files read as the README says they do.
@Suite("README example cluster files")
struct ReadmeClusterFileTests {
    /// The indented block after the paragraph that starts with `intro`.
    func example(_ intro: String) throws -> String {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let lines = try String(contentsOf: readme, encoding: .utf8).components(separatedBy: "\n")
        let start = try #require(lines.firstIndex { $0.hasPrefix(intro) })
        let block = lines[(start + 2)...].prefix { !$0.isEmpty }
        return block.map { String($0.dropFirst(4)) }.joined(separator: "\n")
    }

    @Test func confluentCloudAndMskExamplesTranslate() throws {
        var cloud = ClusterProfile()
        try cloud.add(fileText: try example("A Confluent Cloud-style file"), path: "ccloud.properties")
        #expect(cloud.bootstrap == "pkc-XXXXX.us-east-1.aws.confluent.cloud:9092")
        #expect(cloud.properties["sasl.username"]?.value == "<CLUSTER_API_KEY>")
        #expect(cloud.properties["sasl.password"]?.value == "<CLUSTER_API_SECRET>")
        #expect(cloud.properties["security.protocol"]?.value == "SASL_SSL")
        var msk = ClusterProfile()
        try msk.add(fileText: try example("An MSK-style file"), path: "msk.properties")
        #expect(msk.bootstrap?.split(separator: ",").count == 2)
        #expect(msk.properties["sasl.mechanisms"]?.value == "SCRAM-SHA-512")
        #expect(msk.properties["sasl.username"]?.value == "<user>")
    }
}

/// Every client's configuration starts in `ClusterConnection.clientProperties`: it is the
/// only code that gives a client its brokers, so a client built from anything else could
/// not connect. (ClientPropagationTests checks the clients the commands make at run time.)
@Suite("One place builds client configurations")
struct ClientConfigSourceTests {
    @Test func onlyTheBuilderPutsBootstrapServersIntoAConfiguration() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        // Files that name the key without building a client, and why.
        let allowed: [String: String] = [
            "Sources/Lab/Session/ClusterConnection+ClientProperties.swift": "the builder",
            "Sources/Lab/Session/ClusterProfile.swift": "status rows",
            "Sources/Lab/Session/JavaClientKeys.swift": "reading a file's key",
            "Sources/Lab/Bench/ConsumerBenchCommands.swift": "help text",
            "Sources/Lab/Shell/SessionCommands+Connect.swift": "connect's summary line",
        ]
        var offenders: [String] = []
        var scanned = 0
        for dir in ["Sources/Lab", "Sources/kafkalab"] {
            let base = root.appendingPathComponent(dir)
            let files = FileManager.default.enumerator(atPath: base.path)?.compactMap { $0 as? String } ?? []
            for file in files where file.hasSuffix(".swift") {
                let path = dir + "/" + file
                scanned += 1
                let text = try String(contentsOf: base.appendingPathComponent(file), encoding: .utf8)
                if (text.contains("\"bootstrap.servers\"") || text.contains("\"metadata.broker.list\""))
                    && allowed[path] == nil
                {
                    offenders.append(path)
                }
            }
        }
        #expect(scanned > 100, "only \(scanned) sources found under \(root.path)")
        #expect(offenders == [], "these build a client configuration outside ClusterConnection.clientProperties")
    }
}

@Suite("connect completion")
struct ConnectCompletionTests {
    /// `connect` completes embedded, compose and the named clusters (`ClusterFiles.names()`, read at each Tab).
    @Test func connectCompletesItsWordsAndClusterNames() {
        let completer = Completer(dispatcher: CommandCatalog.dispatcher(), topics: { [] })
        #expect(completer.candidates(for: "connect em") == ["embedded"])
        let all = completer.candidates(for: "connect ")
        #expect(all.contains("compose") && all.contains("embedded"))
        for name in ClusterFiles.names() { #expect(all.contains(name)) }
        #expect(completer.candidates(for: "connect --con") == ["--config"])
    }
}
