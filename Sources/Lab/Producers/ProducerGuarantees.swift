/// What a producer's delivery settings come to once librdkafka finalizes its
/// configuration. librdkafka 2.0.2 (`rd_kafka_conf_finalize`,
/// `rd_kafka_topic_conf_finalize`) turns idempotence on for a transactional
/// producer, and for an idempotent one forces the settings that keep sequence
/// numbers gap-free: `acks=all`, unlimited retries, at most 5 requests in
/// flight. Values the user set explicitly are kept when compatible and make
/// the producer refuse to start when not, so those are reported as conflicts.
struct ProducerGuarantees: Equatable, Sendable {
    enum Origin: String, Sendable, Encodable {
        case librdkafkaDefault = "default"
        case setByUser = "set by you"
        case forcedByIdempotence = "forced by idempotence"
        case impliedByTransactionalId = "implied by transactional.id"
    }

    struct Setting: Equatable, Sendable, Encodable {
        /// The short name users type (`acks`, `retries`, `max.in.flight`).
        let name: String
        let value: String
        let origin: Origin

        enum CodingKeys: String, CodingKey {
            case name = "property", value, origin
        }
    }

    let idempotent: Bool
    let transactionalId: String?
    let settings: [Setting]
    /// One line per setting that makes librdkafka refuse to create the producer.
    let conflicts: [String]

    /// librdkafka's cap on in-flight requests for an idempotent producer
    /// (RD_KAFKA_IDEMP_MAX_INFLIGHT): the broker remembers the last 5 batches
    /// per producer and partition, so more could not be de-duplicated.
    static let maxInFlightWithIdempotence = 5
    static let unlimitedRetries = "2147483647"

    /// Every spelling librdkafka accepts for the settings idempotence governs.
    static let aliases: [String: [String]] = [
        "acks": ["acks", "request.required.acks"],
        "retries": ["retries", "message.send.max.retries"],
        "max.in.flight": ["max.in.flight", "max.in.flight.requests.per.connection"],
        "enable.idempotence": ["enable.idempotence"],
        "transactional.id": ["transactional.id"],
    ]

    /// `userSet`: the producer properties the user set (any spelling).
    /// `defaults`: librdkafka's defaults by the short names above.
    static func evaluate(userSet: [String: String], defaults: [String: String]) -> ProducerGuarantees {
        func userValue(_ name: String) -> String? {
            for key in aliases[name] ?? [name] { if let v = userSet[key] { return v } }
            return nil
        }
        var settings: [Setting] = []
        var conflicts: [String] = []
        let transactionalId = userValue("transactional.id").flatMap { $0.isEmpty ? nil : $0 }
        let explicitIdempotence = userValue("enable.idempotence").map(isTrue)
        let idempotent: Bool
        if let transactionalId {
            if explicitIdempotence == false {
                conflicts.append(
                    "transactional.id \(transactionalId) requires enable.idempotence=true, but you set it to false")
                idempotent = false
                settings.append(Setting(name: "enable.idempotence", value: "false", origin: .setByUser))
            } else {
                idempotent = true
                settings.append(
                    Setting(
                        name: "enable.idempotence", value: "true",
                        origin: explicitIdempotence == true ? .setByUser : .impliedByTransactionalId))
            }
        } else {
            idempotent = explicitIdempotence ?? isTrue(defaults["enable.idempotence"] ?? "false")
            settings.append(
                Setting(
                    name: "enable.idempotence", value: idempotent ? "true" : "false",
                    origin: explicitIdempotence == nil ? .librdkafkaDefault : .setByUser))
        }

        if let acks = userValue("acks") {
            let all = isAllAcks(acks)
            if idempotent && !all {
                conflicts.append("acks=\(acks) with idempotence: librdkafka requires acks=all")
            }
            settings.append(Setting(name: "acks", value: all ? "all" : acks, origin: .setByUser))
        } else if idempotent {
            settings.append(Setting(name: "acks", value: "all", origin: .forcedByIdempotence))
        } else {
            let d = defaults["acks"] ?? "all"
            settings.append(Setting(name: "acks", value: isAllAcks(d) ? "all" : d, origin: .librdkafkaDefault))
        }

        if let retries = userValue("retries") {
            if idempotent, let n = Int(retries), n < 1 {
                conflicts.append("retries=\(retries) with idempotence: librdkafka requires at least 1")
            }
            settings.append(Setting(name: "retries", value: retries, origin: .setByUser))
        } else if idempotent {
            settings.append(Setting(name: "retries", value: unlimitedRetries, origin: .forcedByIdempotence))
        } else {
            settings.append(
                Setting(name: "retries", value: defaults["retries"] ?? unlimitedRetries, origin: .librdkafkaDefault))
        }

        if let inFlight = userValue("max.in.flight") {
            if idempotent, let n = Int(inFlight), n > maxInFlightWithIdempotence {
                conflicts.append(
                    "max.in.flight=\(inFlight) with idempotence: librdkafka allows at most \(maxInFlightWithIdempotence)"
                )
            }
            settings.append(Setting(name: "max.in.flight", value: inFlight, origin: .setByUser))
        } else {
            let d = Int(defaults["max.in.flight"] ?? "") ?? 1_000_000
            if idempotent && d > maxInFlightWithIdempotence {
                settings.append(
                    Setting(
                        name: "max.in.flight", value: String(maxInFlightWithIdempotence), origin: .forcedByIdempotence))
            } else {
                settings.append(Setting(name: "max.in.flight", value: String(d), origin: .librdkafkaDefault))
            }
        }
        return ProducerGuarantees(
            idempotent: idempotent, transactionalId: transactionalId,
            settings: settings, conflicts: conflicts)
    }

    func setting(_ name: String) -> Setting? { settings.first { $0.name == name } }

    static func isTrue(_ text: String) -> Bool {
        ["true", "1", "t", "yes", "on"].contains(text.lowercased())
    }

    static func isAllAcks(_ text: String) -> Bool {
        let t = text.lowercased()
        return t == "all" || t == "-1"
    }
}
