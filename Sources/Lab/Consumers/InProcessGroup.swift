import Foundation
import Kafka
import Synchronization

/// Collects the rebalance callbacks of every member of an in-process group,
/// stamped with the time since the run started. Called from each member's
/// own polling thread; the records live behind a Mutex.
final class RebalanceRecorder: Sendable {
    private let start = ContinuousClock.now
    private let timelineStore = Mutex(RebalanceTimeline())

    /// Seconds since the recorder was made.
    func now() -> Double {
        (ContinuousClock.now - start).seconds
    }

    func record(_ member: String, _ event: RebalanceEvent) {
        let record = RebalanceRecord(
            member: member, time: now(),
            kind: event.kind == .assigned ? .assigned : .revoked,
            partitions: event.partitions.map(\.partition), incremental: event.cooperative)
        timelineStore.withLock { $0.append(record) }
    }

    var timeline: RebalanceTimeline { timelineStore.withLock { $0 } }
}

/// One consumer of an in-process group, polled on its own thread the way a
/// separate process would poll it; rebalance callbacks run on that thread.
///
/// Sendable as the compiler checks it: every property is a `let` of a Sendable
/// type (the stop requests are atomics, completion a semaphore). By design only
/// the polling thread polls the consumer; others ask its thread-safe `memberId`.
final class PolledMember: Sendable {
    let name: String
    let consumer: Consumer
    private let stopRequested = Atomic<Bool>(false)
    private let abandonRequested = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let finishedFlag = Atomic<Bool>(false)
    /// Records this member consumed (values counted, not copied).
    let consumed = Atomic<Int>(0)

    init(name: String, config: [String: String], topic: String, recorder: RebalanceRecorder) throws {
        self.name = name
        consumer = try Consumer(config: config, onRebalance: { recorder.record(name, $0) })
        try consumer.subscribe([topic])
        let thread = Thread { [self] in pollUntilStopped() }
        thread.name = "kafkalab-member-\(name)"
        thread.start()
    }

    private func pollUntilStopped() {
        while !stopRequested.load(ordering: .acquiring) {
            if let n = try? consumer.pollLength(timeoutMs: 100), n >= 0 {
                consumed.add(1, ordering: .relaxed)
            }
        }
        if abandonRequested.load(ordering: .acquiring) {
            consumer.abandon()
        } else {
            // Leaves the group; librdkafka serves the final revocation here.
            consumer.close()
        }
        finishedFlag.store(true, ordering: .releasing)
        finished.signal()
    }

    /// Asks the thread to stop: to close (leave the group) or, with
    /// `abandon`, to vanish without a word as a crashed process would.
    func requestStop(abandon: Bool = false) {
        if abandon { abandonRequested.store(true, ordering: .releasing) }
        stopRequested.store(true, ordering: .releasing)
    }

    @discardableResult
    func waitUntilFinished(timeout: Double) -> Bool {
        if finishedFlag.load(ordering: .acquiring) { return true }
        return finished.wait(timeout: .now() + timeout) == .success
    }
}

/// A consumer group run inside this process: members added and removed by
/// name, every assignment change recorded, and a wait for the group to
/// settle that Ctrl-C ends by closing every member.
final class InProcessGroup {
    let groupId: String
    let topic: String
    let partitions: Set<Int32>
    let recorder = RebalanceRecorder()
    private let baseConfig: [String: String]
    private(set) var members: [PolledMember] = []
    private let closeTimeout: Double
    /// The running command's Ctrl-C.
    private let cancellation: Cancellation
    /// The cluster's clock: the bound of `waitUntilSettled` is counted in its time.
    private let clock: any LabClock

    init(
        groupId: String, topic: String, partitions: Set<Int32>, config: [String: String], closeTimeout: Double,
        cancellation: Cancellation, clock: any LabClock = WallClock()
    ) {
        self.cancellation = cancellation
        self.clock = clock
        self.groupId = groupId
        self.topic = topic
        self.partitions = partitions
        self.baseConfig = config.merging(["group.id": groupId]) { $1 }
        self.closeTimeout = closeTimeout
    }

    deinit { closeAll() }

    var memberNames: Set<String> { Set(members.map(\.name)) }

    @discardableResult
    func add(_ name: String, extra: [String: String] = [:]) throws -> PolledMember {
        var config = baseConfig.merging(extra) { $1 }
        config["client.id"] = "kafkalab-\(name)"
        let member = try PolledMember(name: name, config: config, topic: topic, recorder: recorder)
        members.append(member)
        return member
    }

    /// Stops one member and waits until it has closed (or been abandoned).
    func remove(_ name: String, abandon: Bool = false) {
        guard let index = members.firstIndex(where: { $0.name == name }) else { return }
        let member = members.remove(at: index)
        member.requestStop(abandon: abandon)
        member.waitUntilFinished(timeout: closeTimeout)
    }

    /// Closes every member at once (so their leave-group rebalances overlap)
    /// and returns how many closed within the time limit.
    @discardableResult
    func closeAll() -> Int {
        let closing = members
        members.removeAll()
        closing.forEach { $0.requestStop() }
        return closing.filter { $0.waitUntilFinished(timeout: closeTimeout) }.count
    }

    /// How long a settled-looking assignment must stay unchanged before a run
    /// calls it settled. Every partition owned by exactly one current member is
    /// the end of a rebalance (an eager one revokes everything first, a cooperative
    /// one leaves the moved partitions unowned between its two rounds, a leaving
    /// member's partitions are unowned until reassigned); this only lets callbacks
    /// already on their way arrive, and the members poll every 100 ms. A rebalance
    /// that starts later, when a session expires, is what `notBefore` waits for.
    static let settleQuiet = 0.3

    struct Settled {
        /// When the last assignment change before settling happened.
        let time: Double
        let ownership: [String: Set<Int32>]
    }

    /// Waits until every partition is owned by exactly one current member
    /// and nothing has changed for `quiet` seconds (and at least until
    /// `notBefore`). Returns nil once `timeout` seconds of the cluster's clock
    /// have passed; on Ctrl-C closes every member and throws `interrupted`.
    /// The members' callbacks arrive in wall time, so the wait polls in wall
    /// time; only the bound is the cluster's (a test's stand-in moves it on).
    func waitUntilSettled(
        quiet: Double, timeout: Double, notBefore: Double = 0, output: Output,
        label: String
    ) throws -> Settled? {
        let started = clock.now
        while true {
            if cancellation.isCancelled {
                let n = members.count
                let closed = closeAll()
                output.line("interrupted: closed \(closed) of \(n) consumer(s) of group \(groupId)")
                throw LabError.interrupted
            }
            let now = recorder.now()
            let timeline = recorder.timeline
            let ownership = timeline.ownership()
            let lastChange = timeline.lastTime ?? 0
            if now >= notBefore, now - lastChange >= quiet,
                RebalanceTimeline.problems(in: ownership, members: memberNames, partitions: partitions).isEmpty
            {
                return Settled(time: lastChange, ownership: ownership)
            }
            let waited = clock.now - started
            if waited > timeout { return nil }
            output.progress("\(label): waiting for the group to settle (\(Int(waited)) s)")
            usleep(100_000)
        }
    }

    /// Sleeps `seconds` while honouring Ctrl-C the same way.
    func pause(_ seconds: Double, output: Output) throws {
        let until = recorder.now() + seconds
        while recorder.now() < until {
            if cancellation.isCancelled {
                let n = members.count
                let closed = closeAll()
                output.line("interrupted: closed \(closed) of \(n) consumer(s) of group \(groupId)")
                throw LabError.interrupted
            }
            usleep(50_000)
        }
    }
}
