import Foundation
import Kafka

/// The poll step behind `isr watch`: takes a replication snapshot from metadata,
/// diffs it against the previous one and keeps the running summary.
final class IsrWatcher {
    let scope: ReplicationScope
    private let connection: ClusterConnection
    /// The cluster's clock (a stand-in's scripted one in tests), and when the watch began on it.
    let clock: any LabClock
    private let started: Double
    /// Each metadata request may take this long; kept short so Ctrl-C is honoured
    /// soon even while the cluster is not answering.
    let pollTimeoutMs: Int32
    private(set) var latest: ReplicationSnapshot
    private(set) var summary = ReplicationWatchSummary()

    init(connection: ClusterConnection, scope: ReplicationScope, pollTimeoutMs: Int32 = 1_500) throws {
        self.connection = connection
        self.scope = scope
        self.pollTimeoutMs = pollTimeoutMs
        clock = connection.client.clock
        started = clock.now
        let first = try Self.snapshot(of: connection, scope: scope, timeoutMs: pollTimeoutMs, time: 0)
        latest = first
        summary.record(snapshot: first, events: [])
    }

    /// Seconds since the watch began.
    var elapsed: Double { clock.now - started }

    /// One poll: the events since the previous snapshot (recorded in `summary`).
    func poll() throws -> [ReplicationEvent] {
        let next = try Self.snapshot(of: connection, scope: scope, timeoutMs: pollTimeoutMs, time: elapsed)
        let events = replicationEvents(from: latest, to: next)
        summary.record(snapshot: next, events: events)
        latest = next
        return events
    }

    /// Closes the summary at the current time.
    func finish() { summary.finish(at: elapsed) }

    static func snapshot(
        of connection: ClusterConnection, scope: ReplicationScope,
        timeoutMs: Int32, time: Double
    ) throws -> ReplicationSnapshot {
        let metadata = try connection.client.metadata(timeoutMs: timeoutMs)
        return ReplicationSnapshot(
            metadata: metadata, scope: scope,
            stoppedBrokers: connection.control.stoppedBrokers, time: time)
    }
}
