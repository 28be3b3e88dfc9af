import Kafka
public enum LabModule {}
