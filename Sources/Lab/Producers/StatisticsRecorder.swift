import Foundation
import Kafka
import Synchronization

/// A client's statistics as they arrive, counted, so a command can wait for
/// an emission made after some moment: statistics come every
/// statistics.interval.ms, and counters read right after a flush may predate it.
final class StatisticsRecorder: Sendable {
    private let state = Mutex<(emissions: Int, latest: ClientStatistics?)>((0, nil))

    func record(_ json: String) {
        guard let s = try? ClientStatistics.decode(json) else { return }
        state.withLock { $0 = ($0.emissions + 1, s) }
    }

    var emissions: Int { state.withLock { $0.emissions } }
    var latest: ClientStatistics? { state.withLock { $0.latest } }

    /// Waits until `count` more emissions arrived (or `timeout` seconds, or
    /// Ctrl-C) and returns the latest statistics.
    func waitForEmissions(_ count: Int, timeout: Double, cancellation: Cancellation) -> ClientStatistics? {
        let target = emissions + count
        let deadline = Date().addingTimeInterval(timeout)
        while emissions < target && Date() < deadline && !cancellation.isCancelled { usleep(20_000) }
        return latest
    }

    /// Waits until the statistics show a producer id (assigned by
    /// InitProducerId), or `timeout` seconds.
    func waitForProducerId(timeout: Double, cancellation: Cancellation) -> EosStats? {
        Self.waitForProducerId(timeout: timeout, cancellation: cancellation) { self.latest }
    }

    static func waitForProducerId(
        timeout: Double, cancellation: Cancellation, _ read: () -> ClientStatistics?
    ) -> EosStats? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let eos = read()?.eos, eos.hasProducerId { return eos }
            if Date() >= deadline || cancellation.isCancelled { return read()?.eos }
            usleep(20_000)
        }
    }
}

extension EosStats {
    /// `producer id 573537000, epoch 0`, or why there is none yet.
    var producerIdText: String { identity.text }

    /// The id, epoch and states as a result carries them.
    var identity: ProducerIdentity {
        ProducerIdentity(
            producerId: hasProducerId ? producerId : nil, epoch: hasProducerId ? producerEpoch : nil,
            idempotenceState: idempotenceState, transactionState: transactionState)
    }
}
