import Foundation
import Kafka
import Testing

@testable import Lab

/// The consumer lab on the embedded cluster. Group runs use a 3 s session
/// timeout: the mock settles every rebalance only after session.timeout.ms - 1 s.
@Suite("Consumer lab: seed, bench consume, group strategies/static/describe", .serialized)
struct ConsumerLabTests {
    func array(_ v: JSONValue?) -> [JSONValue] {
        if case .array(let items)? = v { return items }
        return []
    }

    func int(_ v: JSONValue?) -> Int64? {
        if case .int(let i)? = v { return i }
        return nil
    }

    func strings(_ v: JSONValue?) -> [String] {
        array(v).compactMap { if case .string(let s) = $0 { return s } else { return nil } }
    }

    @Test func seedThenBenchConsumesEveryMessageExactlyOncePerRun() throws {
        let t = try TestSession()
        let seeded = try t.json("seed --count 3000 --size 64")
        #expect(seeded["created"] == .bool(true))
        #expect(int(seeded["partitions"]) == 6)
        #expect(int(seeded["delivered"]) == 3000)

        let doc = try t.json("bench consume fetch.min.bytes=1,65536")
        let runs = array(doc["runs"])
        #expect(runs.count == 2)
        for run in runs {
            #expect(int(run["consumed"]) == 3000)
            #expect(int(run["duplicates"]) == 0)
            #expect(run["exactly_once"] == .bool(true))
            #expect((int(run["fetch_requests"]) ?? 0) > 0)
        }
        // The mock ignores fetch.min.bytes: the rows differ by noise, so none is marked best.
        #expect(array(doc["runs"]).filter { $0["best"] == .bool(true) }.isEmpty)
        #expect(array(doc["ignored_by_embedded_cluster"]) == [.string("fetch.min.bytes")])
        let props = runs.map { $0["properties"]?["fetch.min.bytes"] }
        #expect(props == [.string("1"), .string("65536")])

        // A second seed appends to the existing topic; --count takes a part of it.
        let again = try t.json("seed --count 1000")
        #expect(again["created"] == .bool(false))
        #expect(int(again["messages_in_topic"]) == 4000)
        let part = try t.json("bench consume --count 500")
        #expect(int(array(part["runs"]).first?["consumed"]) == 500)
        #expect(array(part["runs"]).first?["exactly_once"] == .bool(true))
        // By-hand assignment (no group) reads the whole topic exactly once too.
        let assigned = try t.json("bench consume --assign")
        #expect(int(array(assigned["runs"]).first?["consumed"]) == 4000)
        #expect(array(assigned["runs"]).first?["exactly_once"] == .bool(true))
    }

    @Test func badInputIsRejectedBeforeAnythingRuns() throws {
        let t = try TestSession()
        _ = try t.output(of: "seed --count 100")
        let cases: [(String, String)] = [
            ("bench consume fetch.min.bytes=abc", "refused by librdkafka"),
            ("bench consume linger.ms=5", "'linger.ms' is a producer property"),
            ("bench consume producer.acks=all", "producer property"),
            ("bench consume fetch.min.bytes", "is not key=v1,v2"),
            ("bench consume group.id=x", "sets group.id itself"),
            ("bench consume fetch.min.bytes=1 fetch.min.bytes=2", "listed twice"),
            ("bench consume fetch.min.bytes=1,1", "repeats a value"),
            (
                "bench consume fetch.min.bytes=1,2,3,4,5 fetch.wait.max.ms=1,2,3,4 max.partition.fetch.bytes=1024,2048,4096,8192",
                "too many"
            ),
            ("bench consume --count 101", "more than consumer-tuning holds"),
            ("bench consume --topic missing", "unknown topic 'missing'"),
            ("group strategies sticky", "unknown strategy 'sticky'"),
            ("group strategies --consumers 0", "--consumers must be between 1"),
            ("group strategies --consumers 6", "too many for consumer-tuning's 6 partition(s)"),
            ("group static --consumers 7", "too many"),
            ("group strategies --session-timeout 1s", "--session-timeout must be at least"),
            ("group describe some-group", "cannot describe groups"),
        ]
        for (line, expected) in cases {
            let before = t.buffer.stdout.count
            let message = try t.failure(of: line)
            #expect(message.contains(expected), "\(line): \(message)")
            // Nothing ran: not even the command's opening line was printed.
            #expect(t.buffer.stdout.count == before, "\(line) printed output")
        }
    }

    @Test func strategiesAssignEveryPartitionOnceAndOnlyEagerRevokesKeepers() throws {
        let t = try TestSession()
        _ = try t.output(of: "seed --count 60")
        let doc = try t.json("group strategies --consumers 2 --session-timeout 3s")
        let strategies = array(doc["strategies"])
        #expect(
            strategies.map { $0["strategy"] } == [
                .string("range"), .string("roundrobin"), .string("cooperative-sticky"),
            ])
        for s in strategies {
            let phases = array(s["phases"])
            #expect(!array(s["events"]).isEmpty)
            #expect(phases.map { $0["phase"] } == [.string("join"), .string("scale-out"), .string("scale-in")])
            let expectedMembers = [2, 3, 2]
            for (i, phase) in phases.enumerated() {
                #expect(phase["settled"] == .bool(true), "\(s["strategy"]!) \(phase["phase"]!)")
                #expect(strings(phase["problems"]).isEmpty, "\(strings(phase["problems"]))")
                let assignment = array(phase["assignment"])
                #expect(assignment.count == expectedMembers[i])
                let owned = assignment.flatMap { array($0["partitions"]).compactMap { int($0) } }
                // Every partition exactly once.
                #expect(owned.sorted() == [0, 1, 2, 3, 4, 5])
            }
            let scaleOut = phases[1]
            let keepersRevoked = strings(scaleOut["revoked_while_keeping"])
            let stopped = strings(scaleOut["stopped_members"])
            if s["strategy"] == .string("cooperative-sticky") {
                #expect(keepersRevoked.isEmpty, "cooperative revoked keepers: \(keepersRevoked)")
                #expect(stopped.isEmpty)
                #expect((int(scaleOut["revoked"]) ?? 99) < 6)
            } else {
                // Eager: both original members gave everything back, then got
                // partitions again.
                #expect(Set(stopped) == ["c1", "c2"], "\(s["strategy"]!): \(stopped)")
                // Every partition given back at least once (the mock sometimes needs a second round).
                #expect((int(scaleOut["revoked"]) ?? 0) >= 6)
            }
            if s["strategy"] == .string("range") {
                #expect(!keepersRevoked.isEmpty, "range revoked no member that kept partitions")
            }
        }
    }

    @Test func helpConfigExplainsTheConsumerKnobs() throws {
        let t = try TestSession()
        for key in [
            "fetch.min.bytes", "fetch.wait.max.ms", "max.partition.fetch.bytes", "session.timeout.ms",
            "max.poll.interval.ms", "partition.assignment.strategy", "group.instance.id",
        ] {
            #expect(PropertyNotes.note(for: key) != nil, "no note for \(key)")
            #expect(try t.output(of: "help config \(key)").contains("in the labs"))
        }
    }
}

/// `group static` against a real cluster (the compose cluster): the static
/// member's restart must not rebalance the group; the dynamic one's must.
extension RealClusterOnlyWithBootstrap {
    @Suite(
        "Consumer lab on a real cluster",
        .enabled(if: ProcessInfo.processInfo.environment["KAFKALAB_TEST_BOOTSTRAP"] != nil))
    struct ConsumerLabRealClusterTests {
        @Test func staticMemberComesBackWithoutARebalance() throws {
            let bootstrap = ProcessInfo.processInfo.environment["KAFKALAB_TEST_BOOTSTRAP"]!
            let buffer = OutputBuffer()
            let session = Session(output: .capturing(into: buffer), isScript: true)
            let dispatcher = CommandCatalog.dispatcher()
            session.dispatcher = dispatcher
            session.connect(try ClusterConnection(bootstrap: bootstrap))
            defer { session.disconnect() }
            let topic = "kafkalab-static-test-\(UUID().uuidString.prefix(6).lowercased())"
            #expect(dispatcher.execute("seed \(topic) --count 100", in: session) == .succeeded, "\(buffer.stderr)")
            let before = buffer.stdout.count
            #expect(
                dispatcher.execute(
                    "group static --topic \(topic) --consumers 2 --session-timeout 10s --json", in: session)
                    == .succeeded,
                "\(buffer.stderr)")
            let line = String(buffer.stdout.dropFirst(before)).split(separator: "\n").last.map(String.init) ?? ""
            let doc = try JSONValue.parse(line)
            guard case .array(let runs)? = doc["runs"], runs.count == 2 else {
                Issue.record("no runs in \(line)")
                return
            }
            #expect(doc["static_membership_supported"] == .bool(true))
            #expect(runs[0]["mode"] == .string("static"))
            #expect(runs[0]["rebalanced"] == .bool(false))
            #expect(runs[0]["partitions_back"] == .bool(true))
            #expect(runs[1]["mode"] == .string("dynamic"))
            #expect(runs[1]["rebalanced"] == .bool(true))
            _ = dispatcher.execute("topic delete \(topic)", in: session)
        }
    }
}  // extension RealClusterOnlyWithBootstrap
