/// `sim`: a step-by-step model of one partition's replication (never a
/// cluster), for what no client of a real cluster can see: every replica's
/// log, LEO and HW, the ISR and the leader epoch.
enum SimCommands {
    static var all: [Command] { [sim] }

    static let sim = Command(
        "sim",
        summary: "a MODEL of one partition's replication (not a cluster): drive leader, ISR, HW, epochs step by step",
        usage:
            "sim [--kafka 3.9] [--replicas 3] [--min-isr 1] [--unclean] [--lag-time 30s] [--session-timeout 9s] [--truncation hw|epoch] | sim <subcommand>",
        flags: ["--unclean"],
        options: ["--kafka", "--replicas", "--min-isr", "--lag-time", "--session-timeout", "--truncation"],
        details: """
            `sim` starts (or resets) a deterministic model of one partition on brokers 1..N following one Kafka version's \
            rules (--kafka 3.9, the default; also 3.6, 2.0, 0.11, 0.10; `help sim rules` lists what differs and the \
            apache/kafka file behind each rule): \
            the leader appends; a follower fetch copies from its LEO and carries back the HW the leader had before that fetch \
            (followers learn the HW one fetch late); the leader's HW is the lowest LEO in the ISR it knows of; a follower not \
            caught up for replica.lag.time.max.ms leaves the ISR at the next tick and rejoins once it fetches from the HW; a \
            controlled shutdown (stop) leaves the ISR at once, a crash (kill) only when the controller fences the broker after \
            broker.session.timeout.ms; acks=all is refused with NOT_ENOUGH_REPLICAS while the ISR is below min.insync.replicas, \
            and since 3.7 the HW does not move while it is (acks=all waits, acks=1 is acknowledged but unreadable); an \
            acks=all write the HW does not pass within request.timeout.ms (30 s) gets REQUEST_TIMED_OUT; \
            elections pick the first running ISR member, or any running replica with unclean election; each new leader starts \
            a new epoch. --truncation hw makes followers truncate to their own HW on a leader change or restart (before KIP-101); \
            epoch (the default) truncates where leader epochs diverge (KIP-101, KIP-279). Simplified: ISR changes take \
            effect at once (Kafka's leader proposes them to the controller with AlterPartition), the lag check runs every \
            replica.lag.time.max.ms / 2 from clock 0, followers fetch only when told to, and a log loses unflushed \
            data only when you say so (`sim kill <b> --lose-unflushed`; only a clean shutdown flushes). \
            `sim partition <b>` cuts a running broker off from the controller and the other brokers (`sim heal` ends \
            it): a leader cut off is fenced and replaced when its session expires but keeps answering acks=1 writes \
            (`sim produce --to <b>`) until healed. \
            Lessons (`sim scenario`): KIP-101's two cases as the KIP tells them (kip101-restart, kip101-unflushed: \
            leader epochs stop logs diverging, they do not bring back data no disk kept), their three-replica \
            variants, KIP-279, acks=1 on failover, acks=all with min.insync.replicas=1, a zombie leader; each is \
            played under the versions it names. `sim explore` searches short histories only: "none within N steps" \
            never means more than that. Nothing here talks to a cluster.

            Under the replicas every step shows three lanes. producer: for each write still waiting (and each one \
            the step changed), the broker's answer to the request (accepted: appended, acks=all waits for the HW; \
            acknowledged; refused: an error, nothing appended; no answer yet: the leader crashed; failed: an error \
            after the append) and what send() returns under your producer settings (`set enable.idempotence`, \
            `set retries`, `set delivery.timeout.ms`; unset ones play the Java client's 3.x defaults: idempotent, \
            retries without limit, 120 s): a retry after REQUEST_TIMED_OUT finds the record already in the leader's \
            log and is de-duplicated, so send() is acknowledged once the HW passes it; send() never takes back an \
            acknowledgement, so an acks=1 write can be acknowledged and then LOST. consumer: what read_uncommitted \
            and read_committed consumers can read (below the HW; the model has no transactions, so both read the \
            same), the HW as a client sees it (it goes back when a new leader has not yet learned it) and what \
            ListOffsets answers for the end offset (OFFSET_NOT_AVAILABLE while a new leader's HW is below the start \
            of its epoch, since 2.2). disk: per broker, the offsets flushed to disk and the unflushed tail a power \
            loss would take (Kafka leaves flushing to the operating system; the model flushes at a clean \
            shutdown). A prediction about a write is answered in the producer lane's words: accepted, acknowledged, \
            refused or no answer yet. In JSON each step has `producer`, `consumer` and `disk` keys.
            """,
        subcommands: [
            produce, fetch, tick, advance, stop, kill, start, elect, partition, heal, set, show, undo, scenario,
            compare,
            rules, explore, replay,
        ]
    ) { ctx in try SimRunner(ctx).start() }

    static let produce = Command(
        "produce", summary: "the leader appends records (acks=all waits for the HW; refused below min.insync.replicas)",
        usage:
            "sim produce [--acks 0|1|all] [--count N] [--to <broker>]  (--to: a producer that still sends to that broker, e.g. a zombie leader behind a partition)",
        options: ["--acks", "--count", "--to"]
    ) { ctx in try SimRunner(ctx).produce() }

    static let fetch = Command(
        "fetch", summary: "one follower fetch (or one per running follower): copy from its LEO, learn the leader's HW",
        usage: "sim fetch <broker>|all", completes: .words(["all"])
    ) { ctx in try SimRunner(ctx).fetch() }

    static let tick = Command(
        "tick", summary: "advance the model's clock; lagging followers leave the ISR, crashed brokers get fenced",
        usage: "sim tick [<duration>]  (default 1s)"
    ) { ctx in try SimRunner(ctx).tick() }

    static let advance = Command(
        "advance", summary: "the same as `sim tick`", usage: "sim advance [<duration>]  (default 1s)"
    ) { ctx in try SimRunner(ctx).tick() }

    static let stop = Command(
        "stop", summary: "controlled shutdown of a broker: out of the ISR and leadership moved at once",
        usage: "sim stop <broker>"
    ) { ctx in try SimRunner(ctx).broker { .stop($0) } }

    static let kill = Command(
        "kill", summary: "crash a broker: it stays in the ISR (and leads) until fenced after broker.session.timeout.ms",
        usage:
            "sim kill <broker> [--lose-unflushed]  (--lose-unflushed: a power loss; the log keeps only what was flushed)",
        flags: ["--lose-unflushed"]
    ) { ctx in
        let losing = ctx.arguments.has("--lose-unflushed")
        try SimRunner(ctx).broker { losing ? .killLosingUnflushed($0) : .kill($0) }
    }

    static let start = Command(
        "start", summary: "a broker comes back and follows the leader (truncating by HW or by leader epoch)",
        usage: "sim start <broker>"
    ) { ctx in try SimRunner(ctx).broker { .start($0) } }

    static let elect = Command(
        "elect", summary: "a leader election: preferred leader, the first running ISR member, or unclean when enabled",
        usage: "sim elect [<broker>]"
    ) { ctx in try SimRunner(ctx).elect() }

    static let partition = Command(
        "partition",
        summary: "cut a running broker off from the controller and the other brokers (a zombie leader if it leads)",
        usage: "sim partition <broker>",
        details: """
            The broker keeps running. It cannot fetch, no follower can fetch from it, and it cannot reach the \
            controller: its heartbeats stop, so the controller fences it once its session expires \
            (broker.session.timeout.ms; zookeeper.session.timeout.ms before 3.x) and, if it led, elects another \
            leader. Nothing tells the old leader: it still believes it leads its epoch, and a producer that still \
            reaches it (`sim produce --to <broker> --acks 1`) is acknowledged for writes the new leader never has; \
            acks=all writes wait and time out. `sim heal` ends the partition: the broker learns the new epoch and \
            truncates what it alone accepted.
            """
    ) { ctx in try SimRunner(ctx).broker { .partition($0) } }

    static let heal = Command(
        "heal", summary: "end every network partition: cut-off brokers register again and follow the leader",
        usage: "sim heal"
    ) { ctx in try SimRunner(ctx).heal() }

    static let set = Command(
        "set", summary: "change min-isr, unclean (on|off), lag-time, session-timeout or truncation (hw|epoch)",
        usage: "sim set min-isr|unclean|lag-time|session-timeout|truncation <value>",
        completes: .words(["min-isr", "unclean", "lag-time", "session-timeout", "truncation"])
    ) { ctx in try SimRunner(ctx).set() }

    static let show = Command(
        "show", summary: "the model as it is now", usage: "sim show"
    ) { ctx in try SimRunner(ctx).show() }

    static let undo = Command(
        "undo", summary: "back one step", usage: "sim undo"
    ) { ctx in try SimRunner(ctx).undo() }

    static let scenario = Command(
        "scenario", summary: "play a lesson step by step, with predictions; no name lists them",
        usage: "sim scenario [<name>] [--kafka V] [--truncation hw|epoch]", options: ["--kafka", "--truncation"],
        completes: .words(SimScenario.names)
    ) { ctx in try SimScenarioRunner(ctx).run() }

    static let compare = Command(
        "compare", summary: "play a lesson under two Kafka versions and show where the outcomes differ",
        usage: "sim compare <scenario> <version> <version>  (e.g. sim compare min-isr 3.6 3.9)",
        completes: .words(SimScenario.names)
    ) { ctx in try SimRunner(ctx).compare() }

    static let rules = Command(
        "rules", summary: "the rules that differ between Kafka versions, with the apache/kafka file behind each",
        usage: "sim rules [--kafka V]", options: ["--kafka"],
        details: KafkaVersion.rulesHelp
    ) { ctx in try SimRunner(ctx).rules() }

    static let explore = Command(
        "explore",
        summary: "search every interleaving up to --depth moves for the shortest way to lose an acknowledged write",
        usage:
            "sim explore [--acks all|1] [--min-isr N] [--replicas N] [--unclean] [--truncation hw|epoch] [--kafka V] [--faults stop,kill,restart,lose-unflushed,elect,partition] [--depth N] [--writes N]",
        flags: ["--unclean"],
        options: ["--acks", "--min-isr", "--replicas", "--truncation", "--kafka", "--faults", "--depth", "--writes"],
        details: """
            A model checker over the `sim` model (never a cluster). From a fresh model it tries every move in every \
            order, breadth first: produce one record (up to --writes, 2 by default), each running follower's fetch, the \
            clock to its next timed event (a fence, a request timeout, an ISR check, the controller's unclean check), and \
            the chosen faults on each broker (stop, kill, restart by default; lose-unflushed adds a power loss that \
            keeps only the flushed log, elect adds preferred or operator elections, partition adds a network \
            partition around a broker, `sim heal`, and producers that still reach a zombie leader). States \
            already seen are skipped. It prints the shortest sequence that loses an acknowledged write, or leaves two \
            replicas with different records below the HW, and `sim replay` steps through it. When there is none it \
            says "none within N steps" with the number of distinct states: longer sequences, more writes, other \
            settings and faults you did not name were not tried. Its bounds are small on purpose: every extra step \
            multiplies the states, so a "none" is a statement about short histories only. Defaults: --depth 6, acks=all, 3 \
            replicas, min.insync.replicas 1, Kafka 3.9 rules.
            """
    ) { ctx in try SimRunner(ctx).explore() }

    static let replay = Command(
        "replay", summary: "step through the last counterexample `sim explore` found, with the picture",
        usage: "sim replay"
    ) { ctx in try SimRunner(ctx).replay() }
}
