/// One assignment change a group member saw, as its rebalance callback
/// reported it, with the time it happened (seconds since the run started).
struct RebalanceRecord: Sendable, Equatable {
    enum Kind: String, Sendable { case assigned, revoked }
    let member: String
    let time: Double
    let kind: Kind
    let partitions: [Int32]
    /// The incremental (cooperative) protocol: an assignment adds to what the
    /// member owns and a revocation removes only the listed partitions. Under
    /// the eager protocol an assignment is the member's whole set and a
    /// revocation takes everything away.
    let incremental: Bool

    init(member: String, time: Double, kind: Kind, partitions: [Int32], incremental: Bool) {
        self.member = member
        self.time = time
        self.kind = kind
        self.partitions = partitions
        self.incremental = incremental
    }
}

/// What one membership change (a consumer joining or leaving) did to the
/// group, measured from the recorded callbacks between two settled states.
struct AssignmentChange: Sendable, Equatable {
    /// Partitions whose owner differs between the two settled states.
    let moved: Int
    /// Partition revocations in the window, summed over members.
    let revoked: Int
    /// Members in the group before and after that owned nothing at some
    /// moment in between: they could not consume at all then.
    let stoppedMembers: [String]
    /// Members that kept partitions across the change yet had those very
    /// partitions revoked in between (eager rebalancing revokes everything).
    let revokedWhileKeeping: [String]
    /// The longest stretch any such member owned nothing, in seconds.
    let longestIdle: Double
    let longestIdleMember: String?
}

/// The rebalance callbacks of an in-process group, in time order, replayed
/// into who owned which partition when.
struct RebalanceTimeline: Sendable, Equatable {
    private(set) var records: [RebalanceRecord] = []

    init(_ records: [RebalanceRecord] = []) {
        self.records = records.sorted { $0.time < $1.time }
    }

    mutating func append(_ record: RebalanceRecord) {
        if let last = records.last, last.time > record.time {
            records.append(record)
            records.sort { $0.time < $1.time }
        } else {
            records.append(record)
        }
    }

    var lastTime: Double? { records.last?.time }

    /// What each member owned once every record up to `time` was applied.
    /// Members that own nothing are left out.
    func ownership(at time: Double = .infinity) -> [String: Set<Int32>] {
        var owned: [String: Set<Int32>] = [:]
        for r in records where r.time <= time {
            Self.apply(r, to: &owned)
        }
        return owned.filter { !$0.value.isEmpty }
    }

    static func apply(_ r: RebalanceRecord, to owned: inout [String: Set<Int32>]) {
        switch (r.kind, r.incremental) {
        case (.assigned, true): owned[r.member, default: []].formUnion(r.partitions)
        case (.assigned, false): owned[r.member] = Set(r.partitions)
        case (.revoked, true): owned[r.member, default: []].subtract(r.partitions)
        case (.revoked, false): owned[r.member] = []
        }
    }

    /// Why `ownership` is not a settled assignment of `partitions` over
    /// `members`: partitions nobody owns, partitions with two owners, members
    /// without partitions, owners that are not members. Empty when settled.
    static func problems(
        in ownership: [String: Set<Int32>], members: Set<String>,
        partitions: Set<Int32>
    ) -> [String] {
        var out: [String] = []
        var owners: [Int32: [String]] = [:]
        for (member, parts) in ownership {
            for p in parts { owners[p, default: []].append(member) }
            if !members.contains(member) && !parts.isEmpty {
                out.append("\(member) is not in the group but still owns \(describe(parts))")
            }
        }
        let unowned = partitions.filter { owners[$0] == nil }
        if !unowned.isEmpty { out.append("nobody owns \(describe(Set(unowned)))") }
        for p in owners.keys.sorted() where owners[p]!.count > 1 {
            out.append("partition \(p) is owned by \(owners[p]!.sorted().joined(separator: " and "))")
        }
        for p in owners.keys.sorted() where !partitions.contains(p) {
            out.append("partition \(p) is not a partition of the topic")
        }
        for m in members.sorted() where (ownership[m] ?? []).isEmpty && members.count <= partitions.count {
            out.append("\(m) owns nothing")
        }
        return out
    }

    /// Measures what happened between the settled state at `start` and the
    /// settled state at `end`.
    func change(from start: Double, to end: Double) -> AssignmentChange {
        let before = ownership(at: start)
        let after = ownership(at: end)
        let ownerBefore = Self.owners(before)
        let ownerAfter = Self.owners(after)
        let allPartitions = Set(ownerBefore.keys).union(ownerAfter.keys)
        let moved = allPartitions.filter { ownerBefore[$0] != ownerAfter[$0] }.count

        let window = records.filter { $0.time > start && $0.time <= end }
        let revoked = window.filter { $0.kind == .revoked }.reduce(0) { $0 + $1.partitions.count }

        // Only members in the group on both sides can be said to have paused:
        // a joining member had nothing yet, a leaving one is meant to stop.
        let stayers = Set(before.keys).intersection(after.keys)
        var stopped: [String] = []
        var revokedKeepers: [String] = []
        var longest = 0.0
        var longestMember: String?
        for member in stayers.sorted() {
            var owned: [String: Set<Int32>] = [member: before[member] ?? []]
            var emptySince: Double?
            var wasStopped = false
            var memberLongest = 0.0
            let kept = (before[member] ?? []).intersection(after[member] ?? [])
            var keptRevoked = false
            for r in window where r.member == member {
                if r.kind == .revoked && (!r.incremental || !kept.isDisjoint(with: r.partitions)) && !kept.isEmpty {
                    keptRevoked = true
                }
                Self.apply(r, to: &owned)
                let isEmpty = (owned[member] ?? []).isEmpty
                if isEmpty && emptySince == nil {
                    emptySince = r.time
                    wasStopped = true
                } else if !isEmpty, let since = emptySince {
                    memberLongest = max(memberLongest, r.time - since)
                    emptySince = nil
                }
            }
            if let since = emptySince { memberLongest = max(memberLongest, end - since) }
            if wasStopped { stopped.append(member) }
            if keptRevoked { revokedKeepers.append(member) }
            if memberLongest > longest {
                longest = memberLongest
                longestMember = member
            }
        }
        return AssignmentChange(
            moved: moved, revoked: revoked, stoppedMembers: stopped,
            revokedWhileKeeping: revokedKeepers, longestIdle: longest,
            longestIdleMember: longestMember)
    }

    /// Records of one member after `time`.
    func records(of member: String, after time: Double) -> [RebalanceRecord] {
        records.filter { $0.member == member && $0.time > time }
    }

    static func owners(_ ownership: [String: Set<Int32>]) -> [Int32: String] {
        var out: [Int32: String] = [:]
        for (member, parts) in ownership.sorted(by: { $0.key < $1.key }) {
            for p in parts where out[p] == nil { out[p] = member }
        }
        return out
    }

    /// "p0-2,p5" style text for a set of partitions.
    static func describe(_ partitions: Set<Int32>) -> String {
        let sorted = partitions.sorted()
        guard !sorted.isEmpty else { return "-" }
        var parts: [String] = []
        var runStart = sorted[0]
        var previous = sorted[0]
        func flush() {
            parts.append(runStart == previous ? "\(runStart)" : "\(runStart)-\(previous)")
        }
        for p in sorted.dropFirst() {
            if p == previous + 1 { previous = p; continue }
            flush()
            runStart = p
            previous = p
        }
        flush()
        return "p" + parts.joined(separator: ",")
    }
}
