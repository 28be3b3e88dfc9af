import Foundation
import Kafka

/// What `cluster` can truthfully say about the active controller.
///
/// In KRaft a Metadata response's controller id is a random live broker (the
/// brokers forward controller requests themselves), never the active
/// controller; only the quorum (kafka-metadata-quorum.sh, inside a controller
/// container on the compose cluster) names it. The embedded mock has none.
struct ClusterController {
    /// The active controller's node id, when the quorum tool named it.
    let id: Int32?
    /// For the header line: `102 (KRaft quorum leader)`, `none (embedded)`, ...
    let text: String
    /// Where the answer came from, for JSON.
    let source: String
    /// A line explaining what was (not) shown.
    let note: String?

    static func find(on c: ClusterConnection, composeFile: String?) -> ClusterController {
        let metadataId = c.control.isMock ? nil : c.client.metadataControllerId(timeoutMs: 1_000)
        let metadataNote = metadataId.map {
            "the Metadata response's controller id (\($0)) is a random live broker in KRaft, not the active controller"
        }
        switch c.control {
        case .inProcessMock, .servedMock:
            return ClusterController(
                id: nil, text: "none (embedded)", source: "embedded",
                note:
                    "embedded: the mock runs no KRaft quorum, so there is no controller; kafkalab moves leadership itself when a broker stops"
            )
        case .compose(let access):
            do {
                let compose = try access.control(
                    composeFile: composeFile, purpose: "ask the KRaft quorum for the active controller",
                    example: {
                        "docker compose -f \($0) exec controller-1 "
                            + DockerCompose.quorumStatusCommand().joined(separator: " ")
                    })
                if let leader = try compose.activeController() {
                    return ClusterController(
                        id: leader, text: "\(leader) (KRaft quorum leader)", source: "kafka-metadata-quorum.sh",
                        note:
                            "active controller from `kafka-metadata-quorum.sh describe --status` in a controller container"
                            + (metadataNote.map { "; \($0)" } ?? ""))
                }
                return ClusterController(
                    id: nil, text: "unknown", source: "none",
                    note: "no controller container answered the quorum tool" + (metadataNote.map { "; \($0)" } ?? ""))
            } catch {
                return ClusterController(
                    id: nil, text: "unknown", source: "none",
                    note:
                        "the active controller comes from the quorum tool in a controller container, which kafkalab could not run (\(describeError(error)))"
                        + (metadataNote.map { "; \($0)" } ?? ""))
            }
        case .other:
            return ClusterController(
                id: nil, text: "unknown to clients", source: "none",
                note: (metadataNote.map { "\($0); " } ?? "")
                    + "`kafka-metadata-quorum.sh --bootstrap-controller HOST:PORT describe --status` names the active controller"
            )
        }
    }
}
