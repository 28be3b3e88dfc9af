import Testing

@testable import Lab

/// The producers lab's transaction results: one value rendered to text and to JSON carries the
/// same figures.
@Suite("Producer results: text and JSON from one value")
struct ProducerResultTests {
    static let producer = ProducerIdentity(
        producerId: 7, epoch: 0, idempotenceState: "Assigned", transactionState: "Ready")
    static let producerJSON =
        #"{"producer_id":7,"epoch":0,"idempotence_state":"Assigned","transaction_state":"Ready"}"#

    @Test func txnBegin() {
        let r = RenderedResult(
            TxnBeginResult(
                state: "open", transactionalID: "tx-1", initialized: true, producer: Self.producer, onMock: true))
        #expect(
            r.text
                == "init_transactions: transactional.id tx-1 registered with its coordinator (producer id 7, epoch 0); the embedded cluster fences nobody with it\ntransaction open (transactional.id tx-1, producer id 7, epoch 0); `produce` adds to it, `txn commit` or `txn abort` ends it\n"
        )
        #expect(
            r.json.serialized()
                == #"{"state":"open","transactional_id":"tx-1","initialized":true,"producer":"#
                + Self.producerJSON + "}"
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
                state: "open", transactionalID: "tx-1", producer: Self.producer,
                open: (delivered: 4, failed: 1, openForSeconds: 2.5), transactionTimeoutMs: 60_000,
                last: "committed 3 msgs"))
        #expect(open.text.contains("messages          4 delivered in this transaction, 1 failed"), "\(open.text)")
        #expect(open.text.contains("open for          2.5 s"))
        #expect(open.text.contains("last              committed 3 msgs"))
        #expect(
            open.json.serialized()
                == #"{"state":"open","transactional_id":"tx-1","producer":"# + Self.producerJSON
                + #","delivered":4,"failed":1,"transaction_timeout_ms":60000,"time_left_ms":57500,"last":"committed 3 msgs"}"#
        )
        let off = RenderedResult(
            TxnStatusResult(
                state: "off", transactionalID: nil, producer: nil, open: nil,
                transactionTimeoutMs: 60_000, last: nil))
        #expect(off.text.contains("state             off (`set transactional.id <id>` enables transactions)"))
        #expect(off.text.contains("transactional.id  (not set)") && !off.text.contains("open for"))
        #expect(
            off.json["delivered"] == .null && off.json["time_left_ms"] == .null && off.json["transactional_id"] == .null
                && off.json["producer"] == .null)
        #expect(off.text.contains("producer          (none until `txn begin`)"), "\(off.text)")
    }

    @Test func producerSettingsConflictsAndId() {
        let g = ProducerGuarantees(
            idempotent: true, transactionalId: "tx-1",
            settings: [
                .init(name: "enable.idempotence", value: "true", origin: .impliedByTransactionalId),
                .init(name: "acks", value: "all", origin: .forcedByIdempotence),
            ], conflicts: ["acks=1 with idempotence: librdkafka requires acks=all"])
        let r = RenderedResult(ProducerGuaranteesResult(g, producer: Self.producer, onMock: false))
        #expect(r.hasRow(["transactional.id", "tx-1", "set", "by", "you"]), "\(r.text)")
        #expect(r.hasRow(["acks", "all", "forced", "by", "idempotence"]), "\(r.text)")
        #expect(r.text.contains("conflict: acks=1 with idempotence: librdkafka requires acks=all; the producer"))
        #expect(
            r.text.contains(
                "producer id 7, epoch 0 (from librdkafka's statistics, eos section; idempotence state Assigned)"))
        #expect(
            r.json.serialized()
                == #"{"idempotent":true,"transactional_id":"tx-1","settings":[{"property":"enable.idempotence","value":"true","origin":"implied by transactional.id"},{"property":"acks","value":"all","origin":"forced by idempotence"}],"conflicts":["acks=1 with idempotence: librdkafka requires acks=all"],"producer":"#
                + Self.producerJSON + #","java_client_default_enable_idempotence":true}"#)

        let waiting = RenderedResult(ProducerGuaranteesResult(g, producer: nil, onMock: false))
        #expect(waiting.text.contains("no producer id yet: a transactional producer gets one at `txn begin`"))
        #expect(waiting.json["producer"] == .null)
    }

    @Test func txnDemoTableAndReadings() {
        let r = RenderedResult(
            TxnDemoResult(
                topic: "txn-demo", partition: 0, transactionalID: "tx-d", startOffset: 10, endOffset: 18,
                expectedEndOffset: 18, lastStableOffset: 18,
                readCommitted: .init(offsets: [10, 11, 12], abortedSeen: 0),
                readUncommitted: .init(offsets: [10, 11, 12, 14, 15, 16], abortedSeen: 3), embedded: false,
                values: [
                    10: "committed 1", 11: "committed 2", 12: "committed 3", 14: "aborted 1", 15: "aborted 2",
                    16: "aborted 3",
                ]))
        #expect(r.hasRow(["10", "committed", "1", "seen", "seen"]), "\(r.text)")
        #expect(r.hasRow(["14", "aborted", "1", "skipped", "seen"]), "\(r.text)")
        #expect(r.hasRow(["13", "(no", "message:", "transaction", "marker)", "-", "-"]), "\(r.text)")
        #expect(r.text.contains("read_uncommitted saw 6 message(s), 3 of them from the aborted transaction"))
        #expect(r.text.contains("read_committed saw 3 message(s), 0 of them from the aborted transaction"))
        #expect(r.text.contains("offsets 13, 17 hold the commit and abort markers"))
        #expect(r.text.contains("read_committed skipped the aborted batch"))
        #expect(!r.text.contains("last stable offset"))
        #expect(
            r.json.serialized()
                == #"{"topic":"txn-demo","partition":0,"transactional_id":"tx-d","start_offset":10,"end_offset":18,"expected_end_offset":18,"last_stable_offset":18,"read_committed":{"offsets":[10,11,12],"aborted_seen":0},"read_uncommitted":{"offsets":[10,11,12,14,15,16],"aborted_seen":3},"marker_offsets":[13,17],"embedded":false}"#
        )
    }

    @Test func txnFenceFencedAndOnTheMock() {
        let fenced = RenderedResult(
            TxnFenceResult(
                transactionalID: "tx-f", sessionProducer: true, first: Self.producer, second: nil,
                firstNextOperation: .init(error: "_FENCED", message: "fenced by a newer epoch", fenced: true),
                secondOutcome: "committed 1 message", embedded: false))
        #expect(
            fenced.text.hasPrefix(
                "first producer's next operation (produce + commit): fatal _FENCED: fenced by a newer epoch\nsecond producer: committed 1 message\nthe session dropped its fenced producer"
            ), "\(fenced.text)")
        #expect(fenced.text.contains("fenced: the first producer is a zombie now"))
        #expect(
            fenced.json.serialized()
                == #"{"transactional_id":"tx-f","session_producer":true,"first":"# + Self.producerJSON
                + #","second":null,"first_next_operation":{"error":"_FENCED","message":"fenced by a newer epoch","fenced":true},"second_outcome":"committed 1 message","embedded":false}"#
        )
        let mock = RenderedResult(
            TxnFenceResult(
                transactionalID: "tx-f", sessionProducer: false, first: Self.producer,
                second: ProducerIdentity(producerId: 8, epoch: 0, idempotenceState: nil, transactionState: nil),
                firstNextOperation: .init(error: nil, message: nil, fenced: false),
                secondOutcome: "committed 1 message",
                embedded: true))
        #expect(mock.text.contains("succeeded, 2 messages committed"))
        #expect(
            mock.text.contains(
                "its own new id (producer id 8, epoch 0) instead of bumping the epoch of the first (producer id 7, epoch 0)"
            ))
        #expect(!mock.text.contains("dropped") && !mock.text.contains("zombie"))
        #expect(mock.json["first_next_operation"]?["error"] == .null && mock.json["second"]?["producer_id"] == 8)
    }

    @Test func idempotenceDemoRunsTableAndVerdict() {
        let runs = [
            IdempotenceDemo.Run(
                kind: .off, sent: 20, delivered: 20, failed: 0, read: 40, duplicates: 20, missing: 0, resent: 20,
                requestTimeouts: 1, producerId: nil),
            IdempotenceDemo.Run(
                kind: .transactional, sent: 20, delivered: 20, failed: 0, read: 20, duplicates: 0, missing: 0,
                resent: 20, requestTimeouts: 1, producerId: "producer id 7, epoch 0"),
        ]
        let r = RenderedResult(
            IdempotenceDemoResult(
                topic: "idempotence-demo", partition: 0, leader: 2, embedded: true, injectedResponseDelayMs: 5_000,
                socketTimeoutMs: 500, runs: runs))
        #expect(
            r.text.hasPrefix(
                "idempotence off: 20 sent, 20 re-sent after 1 timed-out request(s), 40 read back: 20 duplicate(s)\nidempotence on + transactional.id: 20 sent, 20 re-sent after 1 timed-out request(s), 20 read back: 0 duplicate(s) (producer id 7, epoch 0)\n"
            ), "\(r.text)")
        #expect(r.hasRow(["idempotence", "off", "20", "20", "20", "1", "40", "20"]), "\(r.text)")
        #expect(r.text.contains("idempotence off: 20 duplicate(s): the broker had written the batch"))
        #expect(r.text.contains("the same loss that wrote 20 duplicate(s) without idempotence wrote none here"))
        #expect(
            r.json.serialized()
                == #"{"topic":"idempotence-demo","partition":0,"leader":2,"embedded":true,"injected_response_delay_ms":5000,"socket_timeout_ms":500,"runs":[{"run":"idempotence off","enable_idempotence":false,"transactional":false,"sent":20,"delivered":20,"failed":0,"resent":20,"request_timeouts":1,"read":40,"duplicates":20,"missing":0,"producer":null},{"run":"idempotence on + transactional.id","enable_idempotence":true,"transactional":true,"sent":20,"delivered":20,"failed":0,"resent":20,"request_timeouts":1,"read":20,"duplicates":0,"missing":0,"producer":"producer id 7, epoch 0"}]}"#
        )
    }

    @Test func transactionStatusLineTextAndJSON() {
        let open = TransactionLab.StatusValue(state: "open", transactionalID: "tx-1", delivered: 2, timeLeftMs: 41_900)
        #expect(open.text == "open: 2 msgs (transactional.id tx-1; 41 s left of transaction.timeout.ms)")
        let line = StatusLine("transaction", open.text, open)
        #expect(
            line.json.serialized() == #"{"state":"open","transactional_id":"tx-1","delivered":2,"time_left_ms":41900}"#)
        let none = TransactionLab.StatusValue(state: "none", transactionalID: "tx-1", delivered: nil, timeLeftMs: nil)
        #expect(none.text == "none open (transactional.id tx-1; `txn begin` opens one)")
        #expect(JSONValueEncoder.encode(none)["delivered"] == .null)
    }
}
