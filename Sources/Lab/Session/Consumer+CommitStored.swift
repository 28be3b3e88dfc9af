import Kafka

extension Consumer {
    /// Commits the offsets stored by poll (each consumed message's offset + 1);
    /// nothing new consumed since the last commit is not an error.
    func commitStored() throws {
        do {
            try commit()
        } catch let e as KafkaError where e.name == "_NO_OFFSET" {
            // Nothing new was consumed since the last commit.
        }
    }
}
