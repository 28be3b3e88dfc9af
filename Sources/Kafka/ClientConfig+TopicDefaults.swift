import CRdKafka

extension ClientConfig {
    /// Like `effectiveValues(of:keys:)`, but also reads topic-level properties
    /// (acks, compression.level, ...). librdkafka keeps those in the default
    /// topic configuration, which `rd_kafka_conf_get` does not consult.
    public static func effectiveValuesWithTopicDefaults(of config: [String: String], keys: [String]) throws -> [String: String] {
        let conf = try makeConf(config)
        defer { rd_kafka_conf_destroy(conf) }
        // Borrowed from `conf` when the config set a topic property; otherwise a
        // fresh one holding librdkafka's defaults, destroyed here.
        let owned: OpaquePointer? = rd_kafka_conf_get_default_topic_conf(conf) == nil ? rd_kafka_topic_conf_new() : nil
        defer { if let owned { rd_kafka_topic_conf_destroy(owned) } }
        let topicConf = rd_kafka_conf_get_default_topic_conf(conf) ?? owned
        var out: [String: String] = [:]
        for key in keys {
            var size = 0
            if rd_kafka_conf_get(conf, key, nil, &size) == RD_KAFKA_CONF_OK, size > 0 {
                var buf = [CChar](repeating: 0, count: size)
                if rd_kafka_conf_get(conf, key, &buf, &size) == RD_KAFKA_CONF_OK { out[key] = String(cBuffer: buf) }
            } else if let topicConf, rd_kafka_topic_conf_get(topicConf, key, nil, &size) == RD_KAFKA_CONF_OK, size > 0 {
                var buf = [CChar](repeating: 0, count: size)
                if rd_kafka_topic_conf_get(topicConf, key, &buf, &size) == RD_KAFKA_CONF_OK { out[key] = String(cBuffer: buf) }
            }
        }
        return out
    }
}
