import Foundation
import Kafka

/// `min-isr demo`: acks=all with min.insync.replicas=2 on three replicas, with one
/// and then two followers down. On real Kafka the broker refuses the write; on the
/// embedded cluster the rejection cannot happen, and the demo says so.
extension ReplicationCommands {
    static let minIsr = Command(
        "min-isr", summary: "acks=all with min.insync.replicas=2: writes refused when two of three brokers are down",
        usage: "min-isr demo [<topic>] [--compose-file PATH] [--wait 60s]",
        subcommands: [minIsrDemo]
    )

    static let minIsrDemo = Command(
        "demo", summary: "produce with acks=all while followers stop one at a time; see the broker refuse the write",
        usage: "min-isr demo [<topic>] [--compose-file PATH] [--wait 60s]",
        options: ["--compose-file", "--wait"],
        details: """
            Creates (or reuses) a one-partition topic with replication factor 3 and min.insync.replicas=2 (default name \
            min-isr-demo), produces with acks=all, stops the two followers of partition 0 one at a time (compose: docker \
            compose stop; another cluster: asks you to, and waits; Ctrl-C abandons), waits for the ISR to shrink, produces \
            again, contrasts acks=1, restarts the brokers, waits for the ISR to recover and produces once more. --wait bounds \
            each wait on the compose cluster. The demo producer uses its own settings (printed), not the session's. \
            Embedded: no ISR and no min.insync.replicas, so the rejection cannot be observed; the demo shows what happens \
            there instead and never fakes it.
            """,
        completes: .topics
    ) { ctx in try runMinIsrDemo(ctx) }
}
