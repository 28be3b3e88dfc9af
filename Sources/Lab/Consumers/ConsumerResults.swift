/// The typed results of the consumers lab: each renders its own text, and its JSON is its
/// encoding (`CommandResult`), so the two carry the same figures.

/// `group describe`: the group's state, protocol, coordinator, and each member's assignment.
struct GroupDescribeResult: CommandResult {
    struct Member: Encodable, Equatable {
        let memberID: String
        let clientID: String
        let host: String
        /// Static membership's id; nil for a dynamic member.
        let groupInstanceID: String?
        let assignment: [Assigned]
    }

    struct Assigned: Encodable, Equatable {
        let topic: String
        let partition: Int32
    }

    let group: String
    let state: String
    /// The assignor the group settled on ("" before it has one).
    let `protocol`: String
    let coordinator: Int32?
    let members: [Member]

    func render(into output: Output) {
        output.line(
            "group \(group)  state \(state)  protocol \(self.protocol.isEmpty ? "-" : self.protocol)  coordinator \(coordinator.map(String.init) ?? "?")  members \(members.count)"
        )
        var table = TextTable(headers: ["CONSUMER-ID", "CLIENT-ID", "HOST", "GROUP-INSTANCE-ID", "ASSIGNMENT"])
        for m in members {
            let byTopic = Dictionary(grouping: m.assignment, by: \.topic)
            let assignment = byTopic.keys.sorted().map { t in
                "\(t):" + RebalanceTimeline.describe(Set(byTopic[t]!.map(\.partition)))
            }.joined(separator: " ")
            table.append([
                m.memberID, m.clientID, m.host, m.groupInstanceID ?? "-", assignment.isEmpty ? "-" : assignment,
            ])
        }
        if !members.isEmpty { output.table(table) }
    }
}
