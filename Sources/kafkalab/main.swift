print("kafkalab")
