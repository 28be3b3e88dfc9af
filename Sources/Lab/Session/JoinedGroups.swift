/// The consumer groups this session's own consumers joined (`consume --group`,
/// `lag demo`). The embedded cluster cannot list groups, so this is the only way
/// `lag` and `groups` there can tell an idle group from a name never used.
/// Kernel state: the cluster lab's `consume` records, the lag lab reads.
final class JoinedGroups: LabState {
    /// In the order they were first joined; changed only by `record`.
    private(set) var names: [String] = []

    func record(_ group: String) {
        if !names.contains(group) { names.append(group) }
    }

    var statusOrder: Int { 60 }

    func statusLines(in session: Session) -> [StatusLine] {
        guard !names.isEmpty else { return [] }
        return [StatusLine("groups joined", names.joined(separator: ", "), .strings(names))]
    }
}

extension Session {
    /// The groups joined so far, created on first use (it lives until disconnect).
    var joinedGroups: JoinedGroups {
        lab(JoinedGroups.self) { JoinedGroups() }
    }
}
