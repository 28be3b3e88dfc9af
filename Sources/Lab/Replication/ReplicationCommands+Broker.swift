import Foundation
import Kafka

/// `broker list|stop|kill|start`: failing brokers on purpose, on whichever cluster
/// kafkalab is connected to.
extension ReplicationCommands {
    static let broker = Command(
        "broker", summary: "list brokers, or stop, kill and start them to see leadership and the ISR react",
        usage: "broker list | broker stop|kill|start <id>... [--compose-file PATH]",
        subcommands: [brokerList, brokerAction(.stop), brokerAction(.kill), brokerAction(.start)]
    )

    static let brokerList = Command(
        "list", summary: "brokers with their state and how many partitions each leads and hosts",
        usage: "broker list"
    ) { ctx in try runBrokerList(ctx) }

    static func brokerAction(_ action: DockerCompose.Action) -> Command {
        let summary: String =
            switch action {
            case .stop: "controlled shutdown of brokers (leadership moves away at once)"
            case .kill: "crash brokers (the controller notices after broker.session.timeout.ms)"
            case .start: "start stopped brokers again (leadership does not move back)"
            }
        return Command(
            action.rawValue, summary: summary,
            usage: "broker \(action.rawValue) <id>... [--compose-file PATH]"
                + (action == .start ? " [--wait 60s]" : ""),
            options: action == .start ? ["--compose-file", "--wait"] : ["--compose-file"],
            details: """
                Embedded: through the mock API, where stop and kill are the same; kafkalab then moves leadership of the \
                stopped brokers' partitions to the next live in-sync replica, as the KRaft controller would, and says so \
                (the mock never moves it itself, and does not model the ISR). Compose: runs `docker compose -f FILE \
                \(action.rawValue) kafka-<id>` (FILE from --compose-file, the --compose-file given at start, or \
                ./docker-compose.yml); whether a broker can be stopped or started comes from `docker compose ps` (a killed \
                broker stays in metadata until fenced), and `broker start` waits (bounded by --wait) until the broker has \
                registered and is listed in metadata. Any other cluster: prints what to run there.
                """
        ) { ctx in try runBrokerAction(action, ctx) }
    }
}
