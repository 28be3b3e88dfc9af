import Foundation

/// What the replication lab remembers between commands, each part written by one
/// command only: where the last `isr watch` ended (the watch's own baseline), and
/// what this session's `broker stop|kill|start` changed since (each broker
/// command's own record of what it did).
///
/// A watch blocks the session, so on the embedded cluster (where only this session
/// can stop brokers) nothing would ever change while it runs; `broker stop 2` followed
/// by `isr watch` still shows "broker 2 gone" and the leader moves that way, because
/// the watch reads the broker command's record, not a baseline the command set for it.
final class ReplicationLabState: LabState {
    /// Whole-cluster state when the last watch ended; written only by `isr watch`.
    private(set) var lastWatch: (snapshot: ReplicationSnapshot, ended: Date)?
    /// Broker commands run since the last watch ended, oldest first; appended by
    /// `broker stop|kill|start`, cleared when a watch ends.
    private(set) var brokerChanges: [BrokerChange] = []

    /// One broker command and the whole-cluster state just before it changed anything.
    struct BrokerChange {
        /// The command as typed, e.g. "broker stop 2".
        let command: String
        let before: ReplicationSnapshot
        let at: Date
    }

    static func of(_ session: Session) -> ReplicationLabState {
        session.lab(ReplicationLabState.self) { ReplicationLabState() }
    }

    /// Called by a broker command just before it changes the cluster.
    func recordBrokerChange(_ command: String, before: ReplicationSnapshot) {
        brokerChanges.append(BrokerChange(command: command, before: before, at: Date()))
    }

    /// Called by `isr watch` when it ends: later watches compare with this.
    func watchEnded(with snapshot: ReplicationSnapshot) {
        lastWatch = (snapshot, Date())
        brokerChanges = []
    }

    /// What a new watch reports changes since, restricted to its scope: where the
    /// last watch ended, else the state before this session's first broker command.
    func baseline(for scope: ReplicationScope) -> (snapshot: ReplicationSnapshot, taken: Date, reason: String)? {
        let from: (ReplicationSnapshot, Date, String)
        if let lastWatch {
            from = (lastWatch.snapshot, lastWatch.ended, "the previous watch ended")
        } else if let first = brokerChanges.first {
            from = (first.before, first.at, "before `\(first.command)`")
        } else {
            return nil
        }
        let partitions = from.0.partitions.filter { p in
            switch scope {
            case .topic(let name): p.topic == name
            case .allTopics: !p.topic.hasPrefix("__")
            case .allTopicsAndInternal: true
            }
        }
        return (ReplicationSnapshot(time: from.0.time, brokers: from.0.brokers, partitions: partitions), from.1, from.2)
    }
}
