import Foundation
import Testing

@testable import Lab

/// `lag`, `lag watch`, `consume --group` and `groups` on the embedded cluster.
/// Every test joins a fresh group, and the mock holds a first join ~3 s.
@Suite("Lag commands on the embedded cluster", .serialized)
struct LagCommandTests {
    private func array(_ value: JSONValue?) -> [JSONValue] {
        if case .array(let items)? = value { return items }
        return []
    }

    private func int(_ value: JSONValue?) -> Int64? {
        if case .int(let n)? = value { return n }
        return nil
    }

    private func string(_ value: JSONValue?) -> String? {
        if case .string(let s)? = value { return s }
        return nil
    }

    @Test func partlyConsumedGroupShowsEndMinusCommittedPerPartitionAndTotals() throws {
        let t = try TestSession()
        try t.output(of: "topic create orders --partitions 3")
        try t.output(of: "produce --count 60 \"m{i}\"")
        let consumed = try t.json("consume orders --group billing --count 25 --commit every:5")
        #expect(int(consumed["consumed"]) == 25)

        let lag = try t.json("lag billing")
        let rows = array(lag["partitions"])
        #expect(rows.count == 3)
        let admin = t.session.connection!.admin
        var committedSum: Int64 = 0
        var lagSum: Int64 = 0
        for row in rows {
            let partition = Int32(int(row["partition"]) ?? -1)
            let end = try admin.watermarks(topic: "orders", partition: partition).high
            #expect(int(row["log_end"]) == end)
            let committed = int(row["committed"]) ?? 0
            #expect(int(row["lag"]) == end - committed, "partition \(partition)")
            committedSum += committed
            lagSum += int(row["lag"]) ?? 0
        }
        // Offsets start at 0, so the commits add up to the messages the group consumed.
        #expect(committedSum == 25)
        #expect(int(lag["total_lag"]) == 35)
        #expect(lagSum == 35)
        let totals = array(lag["topic_totals"])
        #expect(totals.count == 1 && int(totals.first?["lag"]) == 35)

        let text = try t.output(of: "lag billing")
        #expect(text.contains("CURRENT-OFFSET") && text.contains("LOG-END-OFFSET"))
        #expect(text.contains("group billing: total lag 35"))
    }

    @Test func laggingShowsOnlyPartitionsWithLagAndAStoppedConsumerBecomesStopOrStall() throws {
        let t = try TestSession()
        try t.output(of: "topic create events --partitions 2")
        try t.output(of: "produce --partition 0 --count 10 \"a{i}\"")
        try t.output(of: "produce --partition 1 --count 10 \"b{i}\"")
        try t.output(of: "consume events --group readers")
        try t.output(of: "produce --partition 1 --count 7 \"c{i}\"")

        let all = try t.json("lag readers")
        #expect(array(all["partitions"]).count == 2)
        let lagging = try t.json("lag readers --lagging")
        let rows = array(lagging["partitions"])
        #expect(rows.count == 1)
        #expect(int(rows.first?["partition"]) == 1)
        #expect(int(rows.first?["lag"]) == 7)
        #expect(int(lagging["total_lag"]) == 7)

        // Nobody consumes any more: partition 1's offset stays put with lag 7.
        let before = t.buffer.stdout.count
        try t.output(of: "lag watch readers --interval 100ms --for 1500ms --window 4 --json")
        let lines = t.buffer.stdout.dropFirst(before).split(separator: "\n")
        #expect(lines.count >= 5, "one document per sample and a summary")
        let summary = try JSONValue.parse(String(lines.last!))
        #expect(string(summary["final_status"]) == "ERR")
        let partitions = array(summary["partitions"])
        let stuck = partitions.first { int($0["partition"]) == 1 }
        let seen = array(stuck?["statuses_seen"]).compactMap(string)
        #expect(seen.contains("STOP") || seen.contains("STALL"), "seen: \(seen)")
        let caughtUp = partitions.first { int($0["partition"]) == 0 }
        #expect(string(caughtUp?["final_status"]) == "OK")
        let sample = try JSONValue.parse(String(lines.first!))
        #expect(int(sample["total_lag"]) == 7)
        #expect(array(sample["partitions"]).count == 2)
    }

    /// Issue 28 item 6: a partition the group never committed on was marked OK
    /// in lag watch's table while the group was ERR. It has no status of its own.
    @Test func lagWatchJudgesNoPartitionWithoutCommits() throws {
        let t = try TestSession()
        try t.output(of: "topic create events --partitions 3")
        try t.output(of: "produce --partition 0 --count 10 \"a{i}\"")
        try t.output(of: "produce --partition 1 --count 10 \"b{i}\"")
        try t.output(of: "consume events --group readers")
        try t.output(of: "produce --partition 1 --count 7 \"c{i}\"")
        let text = try t.output(of: "lag watch readers --interval 100ms --for 1500ms --window 4")
        let rows = text.split(separator: "\n").filter { $0.contains("(no commits)") }
        #expect(!rows.isEmpty, "\(text)")
        for row in rows {
            #expect(!row.contains(" OK "), "\(row)")
            #expect(row.contains("nothing to judge"), "\(row)")
        }
    }

    @Test func groupWithoutCommitsShowsTheWholeLogMarkedNoCommits() throws {
        let t = try TestSession()
        try t.output(of: "topic create logs --partitions 2")
        try t.output(of: "produce --count 12 \"l{i}\"")
        try t.output(of: "consume logs --group idle --count 3 --commit off")
        let lag = try t.json("lag idle --topic logs")
        let rows = array(lag["partitions"])
        #expect(rows.count == 2)
        for row in rows {
            #expect(row["no_commits"] == .bool(true))
            #expect(row["committed"] == .null)
            #expect(int(row["lag"]) == int(row["log_end"]))
        }
        #expect(int(lag["total_lag"]) == 12)
        let errBefore = t.buffer.stderr.count
        let text = try t.output(of: "lag idle")
        #expect(text.contains("no commits"))
        // A warning: on stderr, with the results on stdout.
        #expect(t.buffer.stderr.dropFirst(errBefore).contains("committed nothing"))
    }

    @Test func badInputIsOneLineAndPrintsNoTable() throws {
        let t = try TestSession()
        try t.output(of: "topic create orders --partitions 2")
        let before = t.buffer.stdout.count
        let unknown = try t.failure(of: "lag nobody")
        #expect(unknown.contains("unknown group 'nobody'"))
        #expect(unknown.contains("no committed offset"))
        #expect(!unknown.contains("\n"))
        #expect(!t.buffer.stdout.dropFirst(before).contains("LOG-END-OFFSET"))

        let interval = try t.failure(of: "lag watch nobody --interval 50ms")
        #expect(interval.contains("--interval must be at least 100ms"))
        #expect(!interval.contains("\n"))

        #expect(
            try t.failure(of: "consume orders --group g --commit sometimes").contains(
                "--commit takes auto, every:N or off"))
        #expect(try t.failure(of: "consume orders --commit off").contains("--commit needs --group"))
        #expect(try t.failure(of: "lag").contains("missing <group>"))
    }

    /// Issue 28 item 4: a 100,000-byte group name was accepted by `lag` (though
    /// `set group.id` refuses it), timed out, and left the next command failing
    /// or hanging. Every command taking a group name refuses it at once.
    @Test func aGroupNameLongerThanAProtocolStringIsRefusedAtOnce() throws {
        let t = try TestSession()
        try t.output(of: "topic create orders --partitions 2")
        let long = String(repeating: "g", count: 100_000)
        for line in ["lag \(long)", "lag watch \(long) --for 1s", "consume orders --group \(long) --count 1"] {
            let started = Date()
            let message = try t.failure(of: line)
            #expect(Date().timeIntervalSince(started) < 2)
            #expect(message.contains("a group name takes at most 32767 bytes"), "\(message.prefix(200))")
        }
        #expect(try t.output(of: "topic list").contains("orders"))
    }

    @Test func groupsSaysListGroupsIsUnsupportedOnTheEmbeddedCluster() throws {
        let t = try TestSession()
        // A failure a script can see (stderr, failing outcome), never a listing on stdout.
        let before = t.buffer.stdout.count
        let message = try t.failure(of: "groups")
        #expect(message.contains("does not support ListGroups"))
        #expect(message.contains("joined: none"))
        let jsonMessage = try t.failure(of: "groups --json")
        #expect(jsonMessage == message)
        #expect(t.buffer.stdout.count == before)
    }
}
