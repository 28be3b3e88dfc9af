import Kafka

/// The one place where a client's librdkafka configuration starts. Every client
/// kafkalab makes (the session's producer and consumers, the admin handles, the
/// demos', benchmarks' and lag demo's own clients, the throwaway clients that
/// check a configuration) is built from `clientProperties`, directly or through
/// `Session.producerProperties` / `consumerProperties`, so the connection's
/// security settings reach all of them. `ClientPropagationTests` checks each kind.
extension ClusterConnection {
    /// bootstrap.servers, then the connection profile's properties for this side
    /// of client, then `extra` (a command's or demo's own settings, which win).
    public func clientProperties(_ side: ClientSide, _ extra: [String: String] = [:]) -> [String: String] {
        Self.clientProperties(side, bootstrap, profile).merging(extra) { $1 }
    }

    static func clientProperties(_ side: ClientSide, _ bootstrap: String, _ profile: ClusterProfile) -> [String: String]
    {
        profile.properties(for: side).merging(["bootstrap.servers": bootstrap]) { $1 }
    }
}

extension Session {
    /// What a throwaway validation client (`set`, `unset`) is built over: the
    /// connection's properties without its brokers (nothing connects), so a
    /// setting is judged together with the connection's security settings.
    var validationBase: ClientSettings.Base {
        guard let c = connection else { return ClientSettings.Base() }
        return ClientSettings.Base(
            producer: c.profile.properties(for: .producer), consumer: c.profile.properties(for: .consumer))
    }
}
