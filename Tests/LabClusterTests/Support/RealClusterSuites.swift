import Foundation
import Testing

/// Every real-cluster suite nests in this one, and runs serialized: the min-isr
/// test stops two brokers, and with two down the internal topics are below their
/// min ISR, so topic creation, init_transactions and group commits beside it fail.
/// Runs only when KAFKALAB_TEST_BOOTSTRAP names a cluster.
@Suite(
    "Real cluster, only with KAFKALAB_TEST_BOOTSTRAP (serialized)", .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["KAFKALAB_TEST_BOOTSTRAP"] != nil))
struct RealClusterOnlyWithBootstrap {}
