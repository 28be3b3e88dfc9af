/// The typed results of the lag lab: each renders its own text, and its JSON is its encoding
/// (`CommandResult`), so the two carry the same figures.

/// `groups`: the cluster's consumer groups, with their state and member count.
struct GroupListResult: CommandResult {
    struct Group: Encodable, Equatable {
        let group: String
        let state: String
        /// Nil where DescribeGroups did not answer for this group.
        let members: Int?
        /// A "simple" group only commits offsets (no members, no assignment).
        let simple: Bool
    }

    let groups: [Group]

    func render(into output: Output) {
        guard !groups.isEmpty else {
            output.line("no consumer groups on this cluster")
            return
        }
        var t = TextTable(headers: ["GROUP", "STATE", "MEMBERS", "TYPE"], alignments: [.left, .left, .right, .left])
        for g in groups {
            t.append([g.group, g.state, g.members.map(String.init) ?? "?", g.simple ? "simple" : "consumer"])
        }
        output.table(t)
    }
}
