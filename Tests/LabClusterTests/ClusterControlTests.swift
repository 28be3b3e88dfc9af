import Kafka
import Testing

@testable import Lab

/// The kind of cluster as a type: what each kind can do, and that a refusal
/// is one line a lab can print as it is.
@Suite("What each kind of cluster can do")
struct ClusterControlTests {
    @Test func anOtherClusterCannotHaveItsBrokersStoppedOrErrorsInjected() throws {
        let other = ClusterControl.other
        let stop = try #require(other.cannot(.stopBrokers))
        #expect(stop.contains("only on the embedded and the project's compose cluster"))
        #expect(other.cannot(.injectErrors)?.contains("only librdkafka's mock") == true)
        #expect(other.cannot(.segmentFiles)?.contains("only on the project's compose cluster") == true)
        for capability in [ClusterCapability.describeGroups, .topicConfigs, .replication, .logCleaner, .deleteTopics] {
            #expect(other.can(capability), "a real cluster has \(capability)")
        }
        #expect(other.mock == nil && !other.isMock && other.stoppedBrokers.isEmpty && other.name == "external")
    }

    @Test func composeStopsBrokersAndListsSegmentsButInjectsNothing() {
        let compose = ClusterControl.compose(ComposeAccess())
        #expect(compose.can(.stopBrokers) && compose.can(.segmentFiles) && compose.can(.askQuorum))
        #expect(compose.can(.replication) && compose.can(.describeGroups) && compose.can(.transactionMarkers))
        #expect(compose.cannot(.injectErrors) != nil)
        #expect(compose.mock == nil && compose.name == "compose")
    }

    @Test func theMockStopsBrokersAndInjectsErrorsButRunsNoReplication() throws {
        let mock = ClusterControl.inProcessMock(try EmbeddedCluster(brokers: 1))
        #expect(mock.can(.stopBrokers) && mock.can(.injectErrors))
        for capability in [
            ClusterCapability.describeGroups, .topicConfigs, .replication, .segmentFiles, .logCleaner,
            .transactionMarkers, .askQuorum, .deleteTopics,
        ] {
            #expect(mock.cannot(capability)?.isEmpty == false, "the mock has no \(capability)")
        }
        #expect(mock.isMock && mock.mock?.brokerCount == 1 && mock.name == "embedded")
        // Every refusal is one line, printable as it is.
        for control in [mock, .compose(ComposeAccess()), .other] {
            for capability in ClusterCapability.allCases {
                if let reason = control.cannot(capability) { #expect(!reason.contains("\n") && !reason.hasSuffix(".")) }
            }
        }
    }
}
