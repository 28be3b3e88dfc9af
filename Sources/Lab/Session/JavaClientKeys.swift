import Foundation
import Kafka

/// Turns the keys of a client properties file (Java's names, as the Kafka CLI's
/// `--command-config` reads them, or librdkafka's, as kcat's `-F` does) into
/// librdkafka properties. Pure: no I/O; librdkafka itself judges the values.
///
/// What happens to a key, in order:
/// - `bootstrap.servers` (or `metadata.broker.list`) is the cluster to connect to.
/// - Java names with a librdkafka equivalent are translated: `sasl.mechanism`,
///   `sasl.jaas.config` (PLAIN, SCRAM, Kerberos), PEM trust and key stores, PKCS#12 keystores.
/// - A key librdkafka knows passes through as it is.
/// - Java-only keys that mean nothing to a non-JVM client (serializers,
///   interceptors, JMX, Schema Registry settings...) are IGNORED with one note
///   each: the Java clients themselves warn and carry on when given a key they do
///   not use, and a platform team's file shared with Java applications holds them.
/// - Everything else is REFUSED in one line: what librdkafka cannot do (JKS
///   stores, OAUTHBEARER through JAAS, MSK IAM) with what it needs instead, and
///   unknown keys with the nearest librdkafka property names. A refused file
///   changes nothing: a half-applied security configuration would fail later,
///   and less clearly.
public enum JavaClientKeys {
    /// One key as read, with where it came from.
    public struct Input: Equatable, Sendable {
        public let key: String
        public let value: String
        public let origin: PropertyOrigin

        public init(key: String, value: String, origin: PropertyOrigin) {
            self.key = key
            self.value = value
            self.origin = origin
        }
    }

    /// One librdkafka property the translation produced.
    public struct Output: Equatable, Sendable {
        public let key: String
        public let value: String
        public let origin: PropertyOrigin
    }

    public struct Translation: Equatable, Sendable {
        /// librdkafka properties, in input order.
        public var properties: [Output] = []
        /// The bootstrap list the input names, if any.
        public var bootstrap: (value: String, origin: PropertyOrigin)?
        /// One line per key translated or ignored (never a value).
        public var notes: [String] = []
        /// One line per key refused (never a secret's value).
        public var problems: [String] = []

        public static func == (a: Translation, b: Translation) -> Bool {
            a.properties == b.properties && a.bootstrap?.value == b.bootstrap?.value
                && a.bootstrap?.origin == b.bootstrap?.origin && a.notes == b.notes && a.problems == b.problems
        }
    }

    /// Java client keys that configure only the JVM (classes, JMX, the Java
    /// TLS provider) or another product; librdkafka has nothing to map them to.
    static let javaOnlyKeys: [String: String] = [
        "key.serializer": "serializers are Java classes; kafkalab sends bytes",
        "value.serializer": "serializers are Java classes; kafkalab sends bytes",
        "key.deserializer": "deserializers are Java classes; kafkalab reads bytes",
        "value.deserializer": "deserializers are Java classes; kafkalab reads bytes",
        "interceptor.classes": "interceptors are Java classes",
        "partitioner.class": "a Java class; librdkafka's own choice is `partitioner`",
        "client.dns.lookup": "librdkafka 2.0.2 resolves every address of a name itself",
        "buffer.memory": "librdkafka's producer buffer is queue.buffering.max.kbytes",
        "max.block.ms": "a Java send() blocking bound; librdkafka's produce never blocks",
        "default.api.timeout.ms": "a Java client API bound; kafkalab's is --timeout",
        "ssl.protocol": "librdkafka negotiates the TLS version with OpenSSL",
        "ssl.enabled.protocols": "librdkafka negotiates the TLS version with OpenSSL",
        "ssl.keymanager.algorithm": "a Java TLS provider setting",
        "ssl.trustmanager.algorithm": "a Java TLS provider setting",
        "ssl.secure.random.implementation": "a Java TLS provider setting",
        "ssl.provider": "a Java TLS provider setting",
        "ssl.engine.factory.class": "a Java class",
        "security.providers": "a Java class",
        "sasl.login.class": "a Java class",
        "sasl.client.callback.handler.class": "a Java class",
        "metric.reporters": "Java metrics reporters; librdkafka's are statistics.interval.ms",
        "auto.include.jmx.reporter": "JMX is Java's",
        "max.poll.records": "librdkafka's consumer returns one message per poll",
        "allow.auto.create.topics": "librdkafka 2.0.2's consumer never asks the broker to create topics",
        "exclude.internal.topics": "librdkafka's consumer leaves internal topics out unless subscribed by name",
    ]

    /// Prefixes of whole families of such keys.
    static let javaOnlyPrefixes: [(prefix: String, why: String)] = [
        ("schema.registry.", "a Schema Registry client setting; kafkalab uses no schema registry"),
        ("basic.auth.", "a Schema Registry client setting; kafkalab uses no schema registry"),
        ("metrics.", "Java client metrics"),
        ("sasl.login.", "a Java login module setting"),
        ("ssl.keystore.", ""),  // handled as a group below; listed so a stray one is ignored, not refused
        ("ssl.truststore.", ""),
    ]

    /// Translates the entries of one source (a file, or the `-X` settings).
    /// The last entry of a key wins, as in `java.util.Properties`.
    public static func translate(_ inputs: [Input]) -> Translation {
        var last: [String: Input] = [:]
        var order: [String] = []
        for input in inputs {
            if last[input.key] == nil { order.append(input.key) }
            last[input.key] = input
        }
        var t = Translation()
        func emit(_ key: String, _ value: String, _ origin: PropertyOrigin) {
            t.properties.append(Output(key: key, value: value, origin: origin))
        }
        let truststoreType = last["ssl.truststore.type"]?.value.uppercased() ?? "JKS"
        let keystoreType = last["ssl.keystore.type"]?.value.uppercased()
        for key in order {
            let input = last[key]!
            let at = input.origin.description
            let value = input.value
            switch key {
            case "bootstrap.servers", "metadata.broker.list":
                let list = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty }.joined(separator: ",")
                t.bootstrap = (list, input.origin)
            case "sasl.mechanism", "sasl.mechanisms":
                if value.uppercased() == "AWS_MSK_IAM" {
                    t.problems.append("\(at): \(key)=AWS_MSK_IAM: " + mskIamRefusal)
                } else {
                    if key == "sasl.mechanism" {
                        t.notes.append("\(at): sasl.mechanism is librdkafka's sasl.mechanisms")
                    }
                    emit("sasl.mechanisms", value, input.origin)
                }
            case "sasl.jaas.config":
                translateJaas(value, at: at, origin: input.origin, into: &t)
            case "ssl.truststore.location":
                if truststoreType == "PEM" {
                    t.notes.append("\(at): a PEM truststore is librdkafka's ssl.ca.location")
                    emit("ssl.ca.location", value, input.origin)
                } else {
                    let convert =
                        truststoreType == "PKCS12"
                        ? "`openssl pkcs12 -in \(value) -nokeys -out ca.pem`"
                        : "`keytool -list -rfc -keystore \(value) > ca.pem` (it asks for the store password)"
                    t.problems.append(
                        "\(at): ssl.truststore.location is a \(truststoreType) truststore, which librdkafka cannot read: it needs the CA certificates as PEM in ssl.ca.location; convert with \(convert), then set ssl.ca.location=ca.pem (leave it out to trust the system's CAs, which suffices for Confluent Cloud and MSK)"
                    )
                }
            case "ssl.truststore.certificates":
                t.notes.append("\(at): ssl.truststore.certificates is librdkafka's ssl.ca.pem")
                emit("ssl.ca.pem", value, input.origin)
            case "ssl.keystore.location":
                switch keystoreType {
                case "PKCS12":
                    emit("ssl.keystore.location", value, input.origin)
                    if let password = last["ssl.keystore.password"] {
                        emit("ssl.keystore.password", password.value, password.origin)
                    }
                case "PEM":
                    t.notes.append(
                        "\(at): a PEM keystore is librdkafka's ssl.certificate.location and ssl.key.location (the same file)"
                    )
                    emit("ssl.certificate.location", value, input.origin)
                    emit("ssl.key.location", value, input.origin)
                default:
                    t.problems.append(
                        "\(at): ssl.keystore.location is a \(keystoreType ?? "JKS") keystore, which librdkafka cannot read: it needs the client certificate and key as PEM (ssl.certificate.location, ssl.key.location) or a PKCS#12 file (ssl.keystore.location with ssl.keystore.type=PKCS12); convert with `keytool -importkeystore -srckeystore \(value) -destkeystore client.p12 -deststoretype PKCS12`, then either use client.p12 as PKCS12 or split it: `openssl pkcs12 -in client.p12 -nokeys -out client.pem` and `openssl pkcs12 -in client.p12 -nocerts -nodes -out client.key`"
                    )
                }
            case "ssl.keystore.key":
                t.notes.append("\(at): ssl.keystore.key is librdkafka's ssl.key.pem")
                emit("ssl.key.pem", value, input.origin)
            case "ssl.keystore.certificate.chain":
                t.notes.append("\(at): ssl.keystore.certificate.chain is librdkafka's ssl.certificate.pem")
                emit("ssl.certificate.pem", value, input.origin)
            case "ssl.endpoint.identification.algorithm" where value.trimmingCharacters(in: .whitespaces).isEmpty:
                t.notes.append(
                    "\(at): an empty ssl.endpoint.identification.algorithm (no host name check) is librdkafka's none")
                emit(key, "none", input.origin)
            case "auto.offset.reset" where value.lowercased() == "none":
                t.notes.append("\(at): auto.offset.reset=none (fail without a committed offset) is librdkafka's error")
                emit(key, "error", input.origin)
            case "partition.assignment.strategy" where value.contains("Assignor"):
                var names: [String] = []
                for item in value.split(separator: ",") {
                    let cls =
                        item.trimmingCharacters(in: .whitespaces).split(separator: ".").last.map(String.init) ?? ""
                    if let name = assignors[cls] {
                        names.append(name)
                    } else {
                        t.problems.append(
                            "\(at): partition.assignment.strategy \(cls) has no librdkafka equivalent (it has range, roundrobin and cooperative-sticky)"
                        )
                    }
                }
                // librdkafka refuses eager and cooperative assignors together; Java's
                // group picks the first it can (the list is for migrating), so the first one's kind stays.
                let cooperative = names.first == "cooperative-sticky"
                let kept = names.filter { ($0 == "cooperative-sticky") == cooperative }
                t.notes.append(
                    "\(at): the Java assignor classes are librdkafka's \(kept.joined(separator: ","))"
                        + (kept.count < names.count
                            ? " (librdkafka cannot mix eager and cooperative assignors; the first one's kind is kept)"
                            : ""))
                emit(key, kept.joined(separator: ","), input.origin)
            case "ssl.keystore.password", "ssl.keystore.type", "ssl.truststore.type", "ssl.truststore.password":
                break  // consumed with their location (a password without one has nothing to open)
            case _ where renamed[key] != nil:
                t.notes.append("\(at): \(key) is librdkafka's \(renamed[key]!)")
                emit(renamed[key]!, value, input.origin)
            default:
                if ConfigCatalog.property(named: key) != nil {
                    emit(key, value, input.origin)
                } else if let why = javaOnlyKeys[key]
                    ?? javaOnlyPrefixes.first(where: { key.hasPrefix($0.prefix) })?.why
                {
                    t.notes.append(
                        "\(at): \(key) ignored: a Java client setting (\(why.isEmpty ? "no librdkafka equivalent" : why))"
                    )
                } else {
                    let near = NearestNames.suggest(key, from: ConfigCatalog.names)
                    t.problems.append(
                        "\(at): unknown property '\(key)': neither librdkafka \(ConfigCatalog.libraryVersion) nor the Java client has it; "
                            + (near.isEmpty
                                ? "`help config` lists librdkafka's" : "nearest: " + near.joined(separator: ", ")))
                }
            }
        }
        return t
    }

    /// Java client keys whose librdkafka property has another name and the same meaning.
    static let renamed = [
        "fetch.max.wait.ms": "fetch.wait.max.ms",
        "receive.buffer.bytes": "socket.receive.buffer.bytes",
        "send.buffer.bytes": "socket.send.buffer.bytes",
        "max.request.size": "message.max.bytes",
    ]

    /// Java's assignor classes and librdkafka's names for the same strategies.
    static let assignors = [
        "RangeAssignor": "range", "RoundRobinAssignor": "roundrobin", "CooperativeStickyAssignor": "cooperative-sticky",
    ]

    static let mskIamRefusal =
        "librdkafka 2.0.2 has no MSK IAM authentication; use the cluster's SASL/SCRAM listener (port 9096, sasl.mechanism=SCRAM-SHA-512 with a Secrets Manager user) or its TLS listener (port 9094)"

    /// `sasl.jaas.config`: `<LoginModule class> required key="value" ...;`.
    static func translateJaas(_ text: String, at: String, origin: PropertyOrigin, into t: inout Translation) {
        guard let jaas = JaasConfig.parse(text) else {
            t.problems.append(
                "\(at): sasl.jaas.config is not `<LoginModule> required key=\"value\" ...;` (value not shown: it holds credentials)"
            )
            return
        }
        let module = jaas.loginModule.split(separator: ".").last.map(String.init) ?? jaas.loginModule
        switch module {
        case "PlainLoginModule", "ScramLoginModule":
            guard let user = jaas.options["username"], let password = jaas.options["password"] else {
                t.problems.append("\(at): sasl.jaas.config with \(module) needs username= and password=")
                return
            }
            t.notes.append("\(at): sasl.jaas.config (\(module)) is librdkafka's sasl.username and sasl.password")
            t.properties.append(Output(key: "sasl.username", value: user, origin: origin))
            t.properties.append(Output(key: "sasl.password", value: password, origin: origin))
        case "Krb5LoginModule":
            t.notes.append(
                "\(at): sasl.jaas.config (Krb5LoginModule) is librdkafka's sasl.kerberos.principal and sasl.kerberos.keytab"
            )
            if let principal = jaas.options["principal"] {
                t.properties.append(Output(key: "sasl.kerberos.principal", value: principal, origin: origin))
            }
            if let keytab = jaas.options["keyTab"] {
                t.properties.append(Output(key: "sasl.kerberos.keytab", value: keytab, origin: origin))
            }
        case "OAuthBearerLoginModule":
            t.problems.append(
                "\(at): sasl.jaas.config with OAuthBearerLoginModule: librdkafka takes OAUTHBEARER as properties, not JAAS: sasl.mechanism=OAUTHBEARER, sasl.oauthbearer.method=oidc, sasl.oauthbearer.client.id, sasl.oauthbearer.client.secret, sasl.oauthbearer.token.endpoint.url (and sasl.oauthbearer.scope, sasl.oauthbearer.extensions such as logicalCluster=lkc-...); put those in the file instead"
            )
        case "IAMLoginModule":
            t.problems.append("\(at): sasl.jaas.config with IAMLoginModule: " + mskIamRefusal)
        default:
            t.problems.append(
                "\(at): sasl.jaas.config names \(module), which librdkafka has no equivalent of (it knows PLAIN, SCRAM, GSSAPI and OAUTHBEARER)"
            )
        }
    }
}

/// The one JAAS entry of a `sasl.jaas.config` value, as Kafka's `JaasConfig`
/// reads it: `class flag (key=value)* ;` where a value is a word or a string in
/// double or single quotes (backslash escapes the next character).
struct JaasConfig: Equatable {
    let loginModule: String
    let flag: String
    let options: [String: String]

    static func parse(_ text: String) -> JaasConfig? {
        var tokens: [(text: String, quoted: Bool)] = []
        var chars = Array(text)[...]
        while let c = chars.first {
            if c.isWhitespace {
                chars.removeFirst()
            } else if c == "\"" || c == "'" {
                chars.removeFirst()
                var s = ""
                var closed = false
                while let d = chars.popFirst() {
                    if d == "\\", let e = chars.popFirst() {
                        s.append(e)
                    } else if d == c {
                        closed = true
                        break
                    } else {
                        s.append(d)
                    }
                }
                guard closed else { return nil }
                tokens.append((s, true))
            } else if c == "=" || c == ";" {
                chars.removeFirst()
                tokens.append((String(c), false))
            } else {
                var s = ""
                while let d = chars.first, !d.isWhitespace, d != "=", d != ";", d != "\"", d != "'" {
                    s.append(d)
                    chars.removeFirst()
                }
                tokens.append((s, false))
            }
        }
        guard tokens.count >= 3, !tokens[0].quoted, !tokens[1].quoted, tokens.last?.text == ";",
            !tokens.last!.quoted
        else { return nil }
        var options: [String: String] = [:]
        var i = 2
        while i < tokens.count - 1 {
            guard i + 2 < tokens.count, !tokens[i].quoted, tokens[i + 1].text == "=", !tokens[i + 1].quoted,
                tokens[i + 2].text != ";" || tokens[i + 2].quoted
            else { return nil }
            options[tokens[i].text] = tokens[i + 2].text
            i += 3
        }
        return JaasConfig(loginModule: tokens[0].text, flag: tokens[1].text, options: options)
    }
}
