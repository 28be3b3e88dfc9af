import Foundation
import Kafka
import Testing

@testable import Lab

/// What only the compose cluster would otherwise show, decided in pure code.
@Suite("Real-cluster decisions")
struct RealClusterDecisionTests {
    @Test func shortSessionTimeoutsAreRaisedOnlyOnARealCluster() {
        #expect(GroupRunPlan.sessionTimeout(requested: 3, embedded: true).seconds == 3)
        let real = GroupRunPlan.sessionTimeout(requested: 3, embedded: false)
        #expect(real.seconds == 6)
        #expect(real.warning?.contains("group.min.session.timeout.ms") == true)
        #expect(GroupRunPlan.sessionTimeout(requested: 10, embedded: false).warning == nil)
    }

    @Test func theTimeoutIsNamedAsTheCauseOnlyWhenTheTransactionOutlivedIt() {
        #expect(TransactionLab.timeoutCause(openFor: 59, timeoutMs: 60_000) == nil)
        #expect(TransactionLab.timeoutCause(openFor: nil, timeoutMs: 60_000) == nil)
        let cause = TransactionLab.timeoutCause(openFor: 75, timeoutMs: 60_000)
        #expect(cause?.contains("longer than transaction.timeout.ms (60 s)") == true)
        #expect(
            TransactionLab.timeLeftText(openFor: 100, timeoutMs: 900_000).hasPrefix(
                "800 s of transaction.timeout.ms (900 s)"))
    }

    @Test func watermarkHandlesReadUncommitted() {
        #expect(
            AdminClusterClient.highWatermarkProperties(["bootstrap.servers": "x:1"])["isolation.level"]
                == "read_uncommitted")
    }

    @Test func theQuorumToolsLeaderIsParsed() {
        let text =
            "ClusterId:              0rZpFfcFRxWgExCPnbz7jg\nLeaderId:               102\nLeaderEpoch:            5\nHighWatermark:          1234\n"
        #expect(DockerCompose.parseQuorumLeader(text) == 102)
        #expect(DockerCompose.parseQuorumLeader("LeaderId: -1\n") == nil)
        #expect(ContainerState(psState: "running\n") == .running)
        #expect(ContainerState(psState: "exited") == .notRunning("exited"))
        #expect(ContainerState(psState: "") == .missing)
    }

    @Test func composeBrokerStateCombinesContainerAndMetadata() {
        #expect(
            ReplicationCommands.composeBrokerState(listed: false, container: .running)
                == "starting (container running, not registered yet)")
        #expect(
            ReplicationCommands.composeBrokerState(listed: true, container: .notRunning("exited"))
                == "down (container exited); still in metadata until fenced")
    }
}
