/// One idea `explain` teaches: a short, precise text tied to the commands that show it.
struct Concept: Sendable {
    /// What the user types after `explain`.
    let name: String
    /// Other words that reach the same text (`explain min.insync.replicas`).
    let aliases: [String]
    let title: String
    /// Plain paragraphs separated by blank lines; no markup, so it reads the same piped.
    let text: String
    /// Commands that let the user see the concept at work.
    let commands: [String]
    /// A comparison that reads better as columns than as prose, printed after the text.
    let table: ConceptTable?

    init(
        name: String, aliases: [String] = [], title: String, text: String, commands: [String],
        table: ConceptTable? = nil
    ) {
        self.name = name
        self.aliases = aliases
        self.title = title
        self.text = text
        self.commands = commands
        self.table = table
    }
}

struct ConceptTable: Sendable {
    let headers: [String]
    /// The JSON key of each column.
    let keys: [String]
    let rows: [[String]]
}

/// Every concept `explain` knows, by name. Each lab contributes one list below;
/// a new lab appends its list to `all` and nothing else changes.
enum Concepts {
    static let all: [Concept] = replication + storage + producers + consumers + delivery + lag + clients

    /// A repeated name keeps its first text (ConceptsTests fails on repeats).
    static let table: [String: Concept] = Dictionary(
        all.map { ($0.name, $0) },
        uniquingKeysWith: { first, _ in first })

    /// Names and aliases, for lookup and suggestions.
    static func named(_ word: String) -> Concept? {
        let key = word.lowercased()
        if let concept = table[key] { return concept }
        return table.values.first { $0.aliases.contains(key) }
    }

    static var names: [String] { table.keys.sorted() }

    /// The replication lab: replicas, ISR, watermarks, elections, durability settings.
    static let replication: [Concept] = [
        Concept(
            name: "isr", aliases: ["in-sync-replicas"],
            title: "ISR: the in-sync replica set",
            text: """
                Every partition is stored on a list of brokers, its replicas (a replication factor of 3 means three copies). \
                One replica is the leader: producers write to it and, by default, consumers read from it. The others are \
                followers that fetch from the leader continuously, like consumers of the leader's log.

                The ISR is the subset of replicas that are caught up with the leader. A follower that has not fetched up \
                to the leader's log end within replica.lag.time.max.ms (30 s by default), or whose broker is fenced by the \
                controller (a crash is detected after broker.session.timeout.ms, 9 s by default; a controlled shutdown \
                removes it at once), is dropped from the ISR; it is added back once it has caught up. The ISR matters \
                because only its members may become leader (unless unclean election is enabled) and because acks=all \
                waits for all of them.

                A partition whose ISR is smaller than its replica list is under-replicated: one more failure may cost \
                availability or data. `isr` marks such partitions and `isr watch` prints each shrink and expand as it \
                happens. On the embedded cluster the ISR always equals the replica list: librdkafka's mock runs no \
                replication, so shrinks can only be seen on the compose cluster.

                Key question (phase 2): why may only ISR members become leader? Because only they are known to hold \
                every committed message; electing any other replica would silently drop acknowledged writes (see \
                `explain unclean-election`).
                """,
            commands: [
                "isr", "isr --under-replicated", "isr watch", "broker stop <id>", "explain min-isr",
                "sim scenario isr-shrink-and-expand",
            ]),
        Concept(
            name: "hw", aliases: ["high-watermark", "highwatermark"],
            title: "HW: the high watermark",
            text: """
                The high watermark is the offset up to which every ISR member has copied the log. Messages below it are \
                committed: they survive as long as one in-sync replica does. The leader advances it \
                as followers report, in their fetch requests, how far they have copied.

                Consumers read only below the high watermark, so a message the leader has but its followers have not yet \
                copied is invisible to them. That is why a committed message cannot disappear after a leader change: the \
                new leader, an ISR member, already had it. When the ISR shrinks the leader waits for fewer replicas, but \
                since Kafka 3.7 (KAFKA-15583) it does not move the high watermark at all while the ISR is smaller \
                than min.insync.replicas: what is written meanwhile stays invisible until the ISR grows again (before \
                3.7 the HW kept moving with fewer copies behind it; `sim compare min-isr 3.6 3.9`).

                `isr` and `topic describe` show each partition's high watermark as HIGH (the "latest" offset a consumer \
                can reach) next to LOW, the first offset still stored.

                Key question: what is the difference between the LEO and the HW? The LEO is where each replica's log \
                ends; the HW is where the slowest ISR member's log ends, and only messages below it are committed and \
                visible to consumers.
                """,
            commands: ["isr", "topic describe", "explain leo", "sim scenario hw-propagation"]),
        Concept(
            name: "leo", aliases: ["log-end-offset"],
            title: "LEO: the log end offset",
            text: """
                Each replica's log end offset is the offset the next message appended to it will get: a log holding \
                offsets 0 to 99 has an LEO of 100. The leader's LEO grows with every write; each follower's LEO trails \
                it by however much it has not fetched yet.

                The high watermark is the smallest LEO among the ISR members (as far as the leader knows). The gap \
                between the leader's LEO and the high watermark is data written but not yet committed. A follower whose \
                LEO stays behind for longer than replica.lag.time.max.ms leaves the ISR.

                Clients never see a follower's LEO. For committed data the high watermark that `isr` shows as HIGH is \
                the end of the log a consumer can read; the leader's own LEO is visible only in broker metrics.

                Key question: what is the difference between the LEO and the HW? Every replica has its own LEO; the \
                partition has one HW, the minimum LEO over the ISR. Leader LEO minus HW is data written but not yet \
                replicated everywhere it must be.
                """,
            commands: ["isr", "explain hw", "sim scenario hw-propagation"]),
        Concept(
            name: "leader-epoch", aliases: ["epoch", "leaderepoch"],
            title: "Leader epoch: numbering the reigns of a partition",
            text: """
                Every time a partition gets a new leader the controller raises its leader epoch, and the leader stamps \
                the epoch into each batch it writes. Replicas remember at which offset each epoch began.

                After a leader change a follower asks the new leader where the follower's latest epoch ended in the \
                leader's log and truncates everything it holds beyond that point: those messages were written by an old \
                leader and never committed. Epochs replace truncating to the high watermark, which could lose committed \
                data or leave replicas disagreeing after two quick failures. Clients use epochs too: after a leader change a \
                consumer checks its position against the new leader's epochs and so notices when the log it read was \
                truncated (KIP-320).

                kafkalab shows no leader epochs of a cluster (only the `sim` model has them): librdkafka before 2.1.0 \
                (Debian 12 ships 2.0.2) does not expose them; 2.1.0 and later do, on fetched messages, on topic \
                partition lists (committed offsets, for example) and in statistics; and the embedded cluster has none. \
                A leader change in `isr watch` is a new epoch on real Kafka.

                Key question: how does a follower know what to truncate after a leader change? It compares leader \
                epochs: anything it wrote under an epoch beyond the point where that epoch ended on the new leader was \
                never committed, and goes.
                """,
            commands: [
                "isr watch", "broker stop <id>", "sim scenario kip101-loss", "sim scenario kip101-divergence",
                "sim scenario leader-failover",
            ]),
        Concept(
            name: "unclean-election",
            aliases: ["unclean", "unclean-leader-election", "unclean.leader.election.enable"],
            title: "Unclean leader election: availability at the price of data",
            text: """
                With unclean.leader.election.enable=false (the default) only an ISR member may become leader. If every \
                ISR member is down, the partition stays offline, refusing reads and writes, until one of them returns, \
                even if an out-of-sync replica is alive. The setting matters only while such a replica is alive: with \
                every replica down nobody can be elected either way.

                Setting it to true lets such a replica lead. The partition is available again, but every message the \
                out-of-sync replica never copied is gone, including messages that were acknowledged to producers with \
                acks=all; when the old leader returns it truncates its log to match. Choose it only where losing \
                acknowledged data hurts less than downtime.

                `isr watch` reports a partition going offline and coming back online. On the embedded cluster, when \
                `broker stop` takes down every replica of a partition, kafkalab leaves the partition without a leader, as \
                any controller would with no replica alive to lead, whatever the setting.

                Key question: availability or durability? With unclean election off, losing every ISR member costs \
                availability until one returns; on, it costs acknowledged data. Most systems of record keep it off and \
                rely on min.insync.replicas=2 with three replicas to make that situation rare.
                """,
            commands: [
                "isr watch", "broker stop <id>", "broker start <id>", "explain isr", "sim scenario unclean-election",
            ]),
        Concept(
            name: "min-isr", aliases: ["min.insync.replicas", "min-insync-replicas", "mininsyncreplicas"],
            title: "min.insync.replicas: how many copies a write needs",
            text: """
                min.insync.replicas is a topic (or broker) setting read only for acks=all writes: the leader refuses such \
                a write with NOT_ENOUGH_REPLICAS while the ISR has fewer members than this number. It turns acks=all \
                from "every replica that happens to be in sync" into "at least N copies".

                With three replicas and min.insync.replicas=2, one broker can be lost without losing availability, and \
                every acknowledged message is on two brokers, so any single failure keeps it. With two brokers down, \
                writes stop rather than land on one copy. That is why three brokers are needed for the setting to mean \
                anything: with two replicas and min.insync.replicas=2 a single failure stops writes, and with \
                min.insync.replicas=1 an acknowledged write may exist on one broker only.

                librdkafka retries NOT_ENOUGH_REPLICAS until message.timeout.ms and then reports _MSG_TIMED_OUT; \
                `min-isr demo` uses retries=0 and a short message.timeout.ms so the broker's own answer shows. \
                NOT_ENOUGH_REPLICAS_AFTER_APPEND means the leader wrote the batch but the ISR shrank before it was \
                acknowledged. The embedded cluster has neither the ISR nor this setting; the rejection is visible only \
                on the compose cluster.

                Key question (phase 1): why does Kafka need at least three brokers for min.insync.replicas=2 with \
                replication factor 3 to be meaningful? Three brokers are needed to place three replicas at all, and only \
                with a third copy can one broker fail while two copies still acknowledge every write; and when would you \
                choose min.insync.replicas=1? When availability matters more than durability (metrics, logs you can \
                lose); choose 2 for data you cannot lose.
                """,
            commands: ["min-isr demo", "isr", "set acks all", "explain acks", "sim scenario min-isr"]),
        Concept(
            name: "acks",
            title: "acks: when the producer counts a write as done",
            text: """
                acks=0: the producer does not wait for the broker at all; a request lost on the way loses its messages \
                silently, and broker errors never reach the producer. acks=1: the leader answers once it has appended the batch to its own log; if it fails \
                before a follower copies the batch, the message is lost even though it was acknowledged. acks=all (-1): \
                the leader answers once every ISR member has the batch, and refuses it while the ISR is smaller than \
                min.insync.replicas.

                More waiting means more latency per request, but throughput can stay high with batching and several \
                requests in flight. enable.idempotence=true requires acks=all. acks=1 and acks=0 are never refused for \
                a small ISR: they keep writing when only the leader is left, which is exactly when a second failure \
                loses data. Since Kafka 3.7 the HW does not move while the ISR is below min.insync.replicas, so such \
                a write is acknowledged (acks=1) but no consumer can read it until the ISR grows.

                `set acks all` (or 1, or 0) changes the session producer; `produce` prints each failed delivery's error \
                name. On the embedded cluster the mock ignores acks: every setting gets the same answer.

                Key question: how does min.insync.replicas interact with acks? Only acks=all consults it: together they \
                mean "acknowledged means on at least N brokers"; acks=1 or 0 writes are never refused for it, but since \
                3.7 they only become readable once the ISR reaches it again.
                """,
            commands: ["set acks all", "produce <value>", "min-isr demo", "explain min-isr", "sim scenario min-isr"]),
    ]
}
