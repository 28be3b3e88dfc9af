import Testing

@testable import TestSupport

/// The stand-in's transaction coordinator model: epochs, markers, LSO, aborted lists.
@Suite("Kafka transaction coordinator model")
struct KafkaTransactionModelTests {
    typealias TP = KafkaTransactionModel.TopicPartition
    typealias Producer = KafkaTransactionModel.ProducerIdentity
    let p0 = TP("t", 0)
    let p1 = TP("t", 1)

    @Test func aCommittedTransactionHoldsTheLsoAtItsFirstOffsetUntilItsMarkerIsWritten() {
        var m = KafkaTransactionModel(markerDelayMs: 200)
        let pid = Producer(id: 7_000, epoch: 0)
        #expect(m.planInitProducerId(transactionalId: "tx") == .forward)
        m.producerIdAssigned(transactionalId: "tx", pid)
        m.partitionsAdded(transactionalId: "tx", producer: pid, [p0, p1], nowMs: 0)
        // Data before the transaction: offsets 0-4 on p0; the transaction's at 5.
        #expect(!m.hasTransactions(in: ["t"]))
        m.transactionalDataAppended(p0, producerId: pid.id, baseOffset: 5)
        m.transactionalDataAppended(p0, producerId: pid.id, baseOffset: 7)
        #expect(m.hasTransactions(in: ["t"]) && !m.hasTransactions(in: ["other"]))
        #expect(m.lastStableOffset(p0, highWatermark: 9) == 5)
        #expect(m.lastStableOffset(p1, highWatermark: 3) == 3)
        // A read_committed fetch at or past the LSO asks from the last known HW (the mock then waits).
        #expect(m.idleFetchOffset(p0, fetchOffset: 5) == nil, "no HW known yet")
        m.noteHighWatermark(p0, 9)
        m.noteHighWatermark(p0, 8)
        #expect(m.highWatermarks[p0] == 9)
        #expect(m.idleFetchOffset(p0, fetchOffset: 5) == 9)
        #expect(m.idleFetchOffset(p0, fetchOffset: 4) == nil, "below the LSO: data to read")
        #expect(m.idleFetchOffset(p0, fetchOffset: 9) == nil, "at the HW already")

        m.transactionEnded(transactionalId: "tx", producer: pid, commit: true, nowMs: 1_000)
        #expect(m.dueMarkers(nowMs: 1_199).isEmpty)
        #expect(m.lastStableOffset(p0, highWatermark: 9) == 5, "still unstable: the marker is not written")
        let due = m.dueMarkers(nowMs: 1_200)
        #expect(due.map(\.partition) == [p0, p1])
        #expect(due.allSatisfy { $0.commit && $0.producer == pid })
        m.markerWritten(due[0], at: 9)
        #expect(m.lastStableOffset(p0, highWatermark: 10) == 10)
        #expect(m.abortedTransactions(p0, fetchOffset: 0, lastStableOffset: 10).isEmpty)
        #expect(!m.hasTransactions(in: ["t"]), "committed and marked: nothing left to rewrite")
        #expect(m.dueMarkers(nowMs: 5_000) == [due[1]])
    }

    @Test func anAbortedTransactionIsListedForFetchesThatReachIt() {
        var m = KafkaTransactionModel(markerDelayMs: 0)
        let pid = Producer(id: 9_000, epoch: 2)
        m.producerIdAssigned(transactionalId: "tx", pid)
        m.partitionsAdded(transactionalId: "tx", producer: pid, [p0], nowMs: 0)
        m.transactionalDataAppended(p0, producerId: pid.id, baseOffset: 4)
        m.transactionEnded(transactionalId: "tx", producer: pid, commit: false, nowMs: 0)
        let marker = m.dueMarkers(nowMs: 0)
        #expect(marker.count == 1 && marker[0].commit == false)
        m.markerWritten(marker[0], at: 7)
        #expect(m.hasTransactions(in: ["t"]), "an aborted transaction stays listed")
        let listed = [KafkaTransactionModel.AbortedTransaction(producerId: 9_000, firstOffset: 4, lastOffset: 7)]
        #expect(m.abortedTransactions(p0, fetchOffset: 0, lastStableOffset: 8) == listed)
        #expect(m.abortedTransactions(p0, fetchOffset: 7, lastStableOffset: 8) == listed)
        #expect(m.abortedTransactions(p0, fetchOffset: 8, lastStableOffset: 8).isEmpty, "fetching past its marker")
        #expect(m.abortedTransactions(p0, fetchOffset: 0, lastStableOffset: 4).isEmpty, "beginning at the LSO")
    }

    @Test func aSecondInitBumpsTheEpochAndFencesAnOngoingTransactionWithAnAbort() {
        var m = KafkaTransactionModel(markerDelayMs: 100)
        let first = Producer(id: 5_000, epoch: 0)
        m.producerIdAssigned(transactionalId: "tx", first)
        // No transaction ongoing: just a bump of the current epoch.
        #expect(m.planInitProducerId(transactionalId: "tx") == .bump(first))
        m.producerIdAssigned(transactionalId: "tx", Producer(id: 5_000, epoch: 1))

        let current = Producer(id: 5_000, epoch: 1)
        m.partitionsAdded(transactionalId: "tx", producer: current, [p0], nowMs: 0)
        m.transactionalDataAppended(p0, producerId: 5_000, baseOffset: 0)
        // Ongoing: abort it with epoch + 1, answer CONCURRENT_TRANSACTIONS; the retry bumps again.
        #expect(m.planInitProducerId(transactionalId: "tx") == .fenceOngoing(bump: current))
        #expect(m.pending.isEmpty, "nothing changes until the mock has bumped the epoch")
        m.ongoingTransactionFenced(transactionalId: "tx", bumpedTo: .init(id: 5_000, epoch: 2), nowMs: 50)
        #expect(
            m.pending == [
                .init(
                    transactionalId: "tx", partition: p0, producer: .init(id: 5_000, epoch: 2), commit: false,
                    dueMs: 150)
            ])
        #expect(m.markersBlocking(transactionalId: "tx") == m.pending)
        #expect(m.markersBlocking(transactionalId: "other").isEmpty)
        #expect(m.planInitProducerId(transactionalId: "tx") == .bump(.init(id: 5_000, epoch: 2)))
        // The fenced producer's EndTxn is refused by the mock; had it got through, nothing would change.
        m.transactionEnded(transactionalId: "tx", producer: current, commit: true, nowMs: 70)
        #expect(m.pending.count == 1)
        // Partitions added under an old epoch are not the coordinator's.
        m.partitionsAdded(transactionalId: "tx", producer: current, [p1], nowMs: 0)
        #expect(m.ongoing["tx"] == nil)
    }

    @Test func theCoordinatorAbortsATransactionOpenLongerThanItsTimeoutAtItsNextCheck() {
        var m = KafkaTransactionModel(markerDelayMs: 0)
        let pid = Producer(id: 3_000, epoch: 4)
        m.producerIdAssigned(transactionalId: "tx", pid, transactionTimeoutMs: 60_000)
        #expect(m.timedOutTransactions(nowMs: 1_000_000).isEmpty, "no transaction: nothing to time out")
        m.partitionsAdded(transactionalId: "tx", producer: pid, [p0], nowMs: 5_000)
        m.partitionsAdded(transactionalId: "tx", producer: pid, [p1], nowMs: 30_000)
        #expect(m.ongoingSinceMs["tx"] == 5_000, "the first partition starts the clock")
        // 5 s + 60 s = 65 s; the checks run every 10 s, and the first after 65 s is at 70 s.
        #expect(m.timedOutTransactions(nowMs: 69_999).isEmpty)
        #expect(m.timedOutTransactions(nowMs: 70_000).map(\.transactionalId) == ["tx"])
        #expect(m.timedOutTransactions(nowMs: 70_000).first?.producer == pid)
        m.ongoingTransactionFenced(transactionalId: "tx", bumpedTo: .init(id: 3_000, epoch: 5), nowMs: 70_000)
        #expect(m.timedOutTransactions(nowMs: 500_000).isEmpty && m.ongoingSinceMs.isEmpty)
        #expect(m.pending.map(\.partition) == [p0, p1] && m.pending.allSatisfy { !$0.commit })
        #expect(m.isFenced(pid))
    }
}
