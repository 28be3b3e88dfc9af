/// When `consume` wakes librdkafka's parked fetchers (`ConsumerBatchReader.wakeFetchers`, one
/// ListOffsets request to every leader of the partitions woken). Two moments: while records flow,
/// when the queue has half drained after it reached `queued.min.messages` (bounded by the records
/// read, so not limited here); and after a read found the queue empty, when the fetchers may be
/// parked unseen (the threshold crossed between two batches) or a read to the end waits for
/// partitions that still have records. The second happened at every 200 ms empty wait, which on a
/// cluster of thousands of partitions is a request to every leader five times a second for nothing:
/// now at most once per `idleInterval` (librdkafka's own broker tick wakes them once a second
/// anyway, so waiting longer saves nothing).
struct FetcherWakes {
    /// Least time between two wakes after empty waits, in seconds.
    static let idleInterval = 1.0

    /// The queue reached the threshold: the fetchers stopped and wait to be woken.
    private(set) var parked = false
    private var lastIdleWake = -Double.infinity

    init() {}

    /// After a batch took `taken` records and left `queued` in a queue whose fetchers stop at
    /// `threshold`: whether to wake them now.
    mutating func afterBatch(taken: Int, queued: Int, threshold: Int) -> Bool {
        // The queue held `queued + taken` before this batch took its share.
        if queued + taken >= threshold {
            parked = true
            return false
        }
        guard parked, queued < threshold / 2 else { return false }
        parked = false
        return true
    }

    /// After a read found the queue empty at `now` (seconds on a monotonic clock), reading to the
    /// end (`readingToEnd`) or following: whether to wake the fetchers now.
    mutating func afterEmptyWait(readingToEnd: Bool, now: Double) -> Bool {
        guard parked || readingToEnd, now - lastIdleWake >= Self.idleInterval else { return false }
        lastIdleWake = now
        parked = false
        return true
    }
}
