import Foundation

/// What the replication lab remembers between commands: the replication state the
/// user last looked at, so that `isr watch` can first report what changed since then.
///
/// A watch blocks the session, so on the embedded cluster (where only this session
/// can stop brokers) nothing would ever change while it runs; `broker stop 2` followed
/// by `isr watch` still shows "broker 2 gone" and the leader moves that way.
final class ReplicationLabState: LabState {
    /// Every topic, internal ones included; filtered to a watch's scope when used.
    private(set) var baseline: ReplicationSnapshot?
    private(set) var baselineTaken: Date?
    /// What happened right after the baseline was taken, e.g. "`broker stop 2`".
    private(set) var baselineReason: String?

    static func of(_ session: Session) -> ReplicationLabState {
        session.lab(ReplicationLabState.self) { ReplicationLabState() }
    }

    /// Set at the end of a watch: later changes are measured from there.
    func remember(_ snapshot: ReplicationSnapshot, reason: String) {
        baseline = snapshot
        baselineTaken = Date()
        baselineReason = reason
    }

    /// Set before a broker command changes the cluster, unless a watch already
    /// left a baseline (that one is older and covers this change too).
    func rememberIfUnset(_ snapshot: ReplicationSnapshot, reason: String) {
        if baseline == nil { remember(snapshot, reason: reason) }
    }

    /// The baseline restricted to a scope, with its age and reason.
    func baseline(for scope: ReplicationScope) -> (snapshot: ReplicationSnapshot, taken: Date, reason: String)? {
        guard let baseline, let baselineTaken else { return nil }
        let partitions = baseline.partitions.filter { p in
            switch scope {
            case .topic(let name): p.topic == name
            case .allTopics: !p.topic.hasPrefix("__")
            case .allTopicsAndInternal: true
            }
        }
        return (
            ReplicationSnapshot(time: baseline.time, brokers: baseline.brokers, partitions: partitions),
            baselineTaken, baselineReason ?? ""
        )
    }
}
