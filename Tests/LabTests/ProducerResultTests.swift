import Testing

@testable import Lab

/// The producers lab's transaction results: one value rendered to text and to JSON carries the
/// same figures.
@Suite("Producer results: text and JSON from one value")
struct ProducerResultTests {
    static let producer = JSONValue.object([("producer_id", 7), ("producer_epoch", 0)])

    @Test func txnBegin() {
        let r = RenderedResult(
            TxnBeginResult(
                state: "open", transactionalID: "tx-1", initialized: true, producer: Self.producer,
                producerText: "producer id 7, epoch 0", onMock: true))
        #expect(
            r.text
                == "init_transactions: transactional.id tx-1 registered with its coordinator (producer id 7, epoch 0); the embedded cluster fences nobody with it\ntransaction open (transactional.id tx-1, producer id 7, epoch 0); `produce` adds to it, `txn commit` or `txn abort` ends it\n"
        )
        #expect(
            r.json.serialized()
                == #"{"state":"open","transactional_id":"tx-1","initialized":true,"producer":{"producer_id":7,"producer_epoch":0}}"#
        )
    }

    @Test func txnCommitAndAbort() {
        let c = RenderedResult(
            TxnEndResult(
                outcome: "committed", transactionalID: "tx-1", delivered: 3, failed: 0, embeddedMarkersWritten: nil,
                openSeconds: 1.26))
        #expect(c.text.hasPrefix("committed 3 msgs (transactional.id tx-1, open 1.3 s)"), "\(c.text)")
        #expect(
            c.json.serialized()
                == #"{"outcome":"committed","transactional_id":"tx-1","delivered":3,"failed":0,"embedded_markers_written":null}"#
        )
        let a = RenderedResult(
            TxnEndResult(
                outcome: "aborted", transactionalID: "tx-1", delivered: 1, failed: 2, embeddedMarkersWritten: false,
                openSeconds: 0))
        #expect(a.text.hasPrefix("aborted 1 msg (transactional.id tx-1): the messages stay in the log"))
        #expect(a.json["embedded_markers_written"] == false && a.json["failed"]?.intValue == 2)
    }

    @Test func txnStatusOpenAndOff() {
        let open = RenderedResult(
            TxnStatusResult(
                state: "open", transactionalID: "tx-1", producer: Self.producer, producerText: "producer id 7, epoch 0",
                open: (delivered: 4, failed: 1, openForSeconds: 2.5), transactionTimeoutMs: 60_000,
                last: "committed 3 msgs"))
        #expect(open.text.contains("messages          4 delivered in this transaction, 1 failed"), "\(open.text)")
        #expect(open.text.contains("open for          2.5 s"))
        #expect(open.text.contains("last              committed 3 msgs"))
        #expect(
            open.json.serialized()
                == #"{"state":"open","transactional_id":"tx-1","producer":{"producer_id":7,"producer_epoch":0},"delivered":4,"failed":1,"transaction_timeout_ms":60000,"time_left_ms":57500,"last":"committed 3 msgs"}"#
        )
        let off = RenderedResult(
            TxnStatusResult(
                state: "off", transactionalID: nil, producer: .null, producerText: nil, open: nil,
                transactionTimeoutMs: 60_000, last: nil))
        #expect(off.text.contains("state             off (`set transactional.id <id>` enables transactions)"))
        #expect(off.text.contains("transactional.id  (not set)") && !off.text.contains("open for"))
        #expect(
            off.json["delivered"] == .null && off.json["time_left_ms"] == .null && off.json["transactional_id"] == .null
        )
    }
}
