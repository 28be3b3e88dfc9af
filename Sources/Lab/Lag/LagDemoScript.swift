import Foundation
import Kafka

/// The demo's timeline: how fast the consumer reads in each phase, and what to look for.
struct LagDemoScript {
    struct Phase {
        let name: String
        /// Messages per second the consumer may read; 0 = it stops polling and committing.
        let consumeRate: Double
        let length: Double
        let announcement: String
        let lesson: String
        /// Whether a sample shows what the phase is there to teach.
        let taught: (LagWatchReport) -> Bool
    }

    let phases: [Phase]
    /// Until the consumer has its partitions; nothing is produced yet.
    let joining: Phase

    init(rate: Double, phaseLength: Double, stopLength: Double) {
        let slow = rate / 3, fast = rate * 5
        joining = Phase(
            name: "joining", consumeRate: slow, length: 0,
            announcement:
                "phase 0 (joining): the consumer joins the group; the producer starts once it has its partitions",
            lesson: "no committed offset yet: OK (Burrow judges nothing before a window of commits)",
            taught: { _ in false })
        phases = [
            Phase(
                name: "slow", consumeRate: slow, length: phaseLength,
                announcement:
                    "phase 1 (slow): the consumer reads \(LagFormat.rate(slow)) against \(LagFormat.rate(rate)) produced; lag grows every sample → WARN once the window fills",
                lesson: "lag never decreased over the window: WARN", taught: { $0.groupStatus == .warn }),
            Phase(
                name: "fast", consumeRate: fast, length: phaseLength,
                announcement:
                    "phase 2 (fast): the consumer speeds up to \(LagFormat.rate(fast)); lag drains → OK, DRAIN shows the time left",
                lesson: "lag decreased or reached 0: OK",
                taught: { $0.groupStatus == .ok && $0.totalLag == 0 }),
            Phase(
                name: "stopped", consumeRate: 0, length: stopLength,
                announcement:
                    "phase 3 (stopped): the consumer stays in the group but stops reading and committing; the producer goes on → STOP once the offset has been stuck longer than the window spans (STALL when the window holds only the stuck offset, all with lag > 0)",
                lesson:
                    "committed offset frozen while lag grows: STOP or STALL (group ERR); polling offsets cannot tell a consumer that stopped committing (Burrow's STOP) from one re-committing the same offset (Burrow's STALL), so kafkalab says STALL until the offset has been stuck longer than the window, then STOP",
                taught: { r in !r.partitions.isEmpty && r.partitions.allSatisfy { $0.evaluation.status == .stop } }
            ),
        ]
    }

    var totalLength: Double { phases.reduce(0) { $0 + $1.length } }

    func phaseIndex(at time: Double) -> Int {
        var end = 0.0
        for (i, p) in phases.enumerated() {
            end += p.length
            if time < end { return i }
        }
        return phases.count - 1
    }

    func start(of index: Int) -> Double { phases.prefix(index).reduce(0) { $0 + $1.length } }

    func phase(at time: Double) -> Phase { phases[phaseIndex(at: time)] }
}

extension LagDemoScript {
    /// Where a run of the script is. A phase ends once `hold` samples in a row (the
    /// watch's window) have shown its lesson (WARN while slow, OK with nothing left to
    /// read once fast, every partition STOP once stopped), or at its length, whichever
    /// comes first: the lesson has held for a whole window, and waiting out the rest
    /// would only show it again.
    struct Progress {
        let script: LagDemoScript
        let hold: Int
        private(set) var index = 0
        private(set) var startedAt: Double
        private(set) var held = 0

        init(script: LagDemoScript, hold: Int, startedAt: Double) {
            self.script = script
            self.hold = max(1, hold)
            self.startedAt = startedAt
        }

        var isOver: Bool { index >= script.phases.count }
        var phase: Phase { script.phases[min(index, script.phases.count - 1)] }

        /// Counts a sample taken at `now` (seconds, the clock `startedAt` uses).
        mutating func sampled(_ report: LagWatchReport, at now: Double) {
            guard !isOver else { return }
            held = phase.taught(report) ? held + 1 : 0
            if held >= hold { next(at: now) }
        }

        /// Ends the phase at its length.
        mutating func tick(at now: Double) {
            if !isOver && now - startedAt >= phase.length { next(at: now) }
        }

        private mutating func next(at now: Double) {
            index += 1
            startedAt = now
            held = 0
        }
    }
}
