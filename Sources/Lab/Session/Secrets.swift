import Kafka

/// Keeps credentials out of the history file and out of printed output.
public enum Secrets {
    /// Whether a command line mentions a secret property with a value, in any
    /// of the forms kafkalab accepts: `set sasl.password x`,
    /// `set producer.ssl.key.password x`, `--config sasl.password=x`, `-X k=v`.
    public static func lineRevealsSecret(_ line: String) -> Bool {
        let words =
            (try? Tokenizer.split(line)) ?? line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        for word in words {
            var key = word.split(separator: "=", maxSplits: 1).first.map(String.init) ?? word
            for prefix in ["producer.", "consumer."] where key.hasPrefix(prefix) {
                key = String(key.dropFirst(prefix.count))
            }
            if ConfigCatalog.isSecret(key) { return true }
        }
        return false
    }

    /// The value as it may be printed.
    public static func display(_ key: String, _ value: String) -> String {
        ConfigCatalog.isSecret(key) ? "********" : value
    }
}
