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
            lesson: "no committed offset yet: OK (Burrow judges nothing before a window of commits)")
        phases = [
            Phase(
                name: "slow", consumeRate: slow, length: phaseLength,
                announcement:
                    "phase 1 (slow): the consumer reads \(LagFormat.rate(slow)) against \(LagFormat.rate(rate)) produced; lag grows every sample → WARN once the window fills",
                lesson: "lag never decreased over the window: WARN"),
            Phase(
                name: "fast", consumeRate: fast, length: phaseLength,
                announcement:
                    "phase 2 (fast): the consumer speeds up to \(LagFormat.rate(fast)); lag drains → OK, DRAIN shows the time left",
                lesson: "lag decreased or reached 0: OK"),
            Phase(
                name: "stopped", consumeRate: 0, length: stopLength,
                announcement:
                    "phase 3 (stopped): the consumer stays in the group but stops reading and committing; the producer goes on → STOP once the offset has been stuck longer than the window spans (STALL when the window holds only the stuck offset, all with lag > 0)",
                lesson:
                    "committed offset frozen while lag grows: STOP or STALL (group ERR); polling offsets cannot tell a consumer that stopped committing (Burrow's STOP) from one re-committing the same offset (Burrow's STALL), so kafkalab says STALL until the offset has been stuck longer than the window, then STOP"
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
