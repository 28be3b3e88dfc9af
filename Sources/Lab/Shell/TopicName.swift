/// Kafka's rule for topic names, checked before a command asks the cluster.
enum TopicName {
    /// Throws the one-line error every command gives for a name Kafka would refuse.
    static func validate(_ name: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard !name.isEmpty, name.count <= 249, name != ".", name != "..", name.allSatisfy({ allowed.contains($0) })
        else {
            throw LabError.invalid(
                "'\(name)' is not a valid topic name: use up to 249 letters, digits, '.', '_' or '-'")
        }
    }
}
