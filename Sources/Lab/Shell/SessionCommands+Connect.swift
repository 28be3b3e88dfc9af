import Foundation
import Kafka

/// `connect`: by bootstrap list, by cluster name, with `--config` files, or to
/// an embedded or the compose cluster.
extension SessionCommands {
    static func runConnect(_ ctx: CommandContext) throws {
        try ctx.arguments.expectPositionals(atMost: 2)
        let files = ctx.arguments.values("--config")
        let timeout = try ctx.arguments.seconds(
            "--timeout", default: Double(ctx.session.requestTimeoutMs) / 1000, minimum: 0.5, maximum: 300)
        let timeoutMs = Int32(timeout * 1000)
        let target = ctx.arguments.optionalPositional(0)
        let connection: ClusterConnection
        if target == "embedded" {
            guard files.isEmpty else {
                throw LabError.unsupported(
                    "--config is for a real cluster: the embedded cluster (librdkafka's mock) speaks neither TLS nor SASL"
                )
            }
            let n =
                try ctx.arguments.optionalPositional(1).map {
                    try Arguments.parseInt($0, name: "<brokers>", range: 1...32, usage: ctx.command.usage)
                } ?? 3
            connection = try ClusterConnection(embeddedBrokers: n, timeoutMs: timeoutMs)
        } else {
            try ctx.arguments.expectPositionals(atMost: 1)
            let named = target.flatMap { $0 == "compose" || $0.contains(":") ? nil : $0 }
            if target == nil && files.isEmpty {
                throw ctx.usageError("connect needs a bootstrap list, a cluster name, --config <file>, or embedded")
            }
            if named != nil && !files.isEmpty {
                throw ctx.usageError(
                    "give a cluster name or --config files, not both (a name is itself a file in \(ClusterFiles.directory()))"
                )
            }
            let (profile, warnings) = try ClusterFiles.profile(cluster: named, files: files, settings: [])
            let explicit = named == nil ? target.map { $0 == "compose" ? ClusterConnection.composeBootstrap : $0 } : nil
            guard let bootstrap = explicit ?? profile.bootstrap else {
                let source =
                    named.map { (try? ClusterFiles.path(ofCluster: $0)) ?? $0 } ?? files.joined(separator: ", ")
                throw LabError.invalid(
                    "\(source) names no bootstrap.servers; add it to the file, or give the cluster: connect --config FILE HOST:PORT"
                )
            }
            for warning in warnings { ctx.output.warning(warning) }
            connection = try ClusterConnection(
                bootstrap: bootstrap, profile: profile, timeoutMs: timeoutMs, cancellation: ctx.cancellation)
        }
        ctx.session.requestTimeoutMs = timeoutMs
        ctx.session.connect(connection)
        ctx.session.currentTopic = nil
        ctx.output.emit(ConnectResult(connection))
    }
}

/// What `connect` did: the cluster, and the connection properties with where each was set.
struct ConnectResult: CommandResult {
    struct Property: Encodable {
        let property: String
        /// Masked for a secret.
        let value: String
        let setBy: String
    }
    let cluster: String
    let bootstrap: String
    let properties: [Property]
    /// Keys translated or ignored, one line each.
    let notes: [String]
    private let served: String?
    private let isEmbedded: Bool

    enum CodingKeys: String, CodingKey { case cluster, bootstrap, properties, notes }

    init(_ c: ClusterConnection) {
        cluster = c.label
        bootstrap = c.bootstrap
        properties = c.profile.displayRows.map { Property(property: $0.property, value: $0.value, setBy: $0.origin) }
        notes = c.profile.notes
        if case .servedMock(let cluster) = c.control { served = "\(cluster.advert.pid)" } else { served = nil }
        isEmbedded = c.control.isMock
    }

    func render(into output: Output) {
        output.line("connected to \(cluster) (\(bootstrap))")
        for note in notes { output.hint(note) }
        let set = properties.filter { $0.property != "bootstrap.servers" }
        if !set.isEmpty {
            output.hint(
                "every client of this connection gets \(set.count) propert\(set.count == 1 ? "y" : "ies") from "
                    + Set(set.map { $0.setBy.split(separator: ":").first.map(String.init) ?? $0.setBy }).sorted()
                    .joined(
                        separator: ", ") + " (`status` lists them)")
        }
        if let served {
            output.hint(
                "served by kafkalab serve (pid \(served)): librdkafka's mock, no replication; topics and broker stop/start go through its control channel"
            )
        } else if isEmbedded {
            output.hint("embedded: librdkafka's mock cluster; no replication runs here (`help connect`)")
        }
    }
}
