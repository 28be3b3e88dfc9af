/// Every command family, in one list: the REPL, scripts, `-c` and tests all
/// dispatch through a `Dispatcher` built from it.
public enum CommandCatalog {
    public static var all: [Command] {
        CoreCommands.all
            + TopicCommands.all
            + DataCommands.all
            + ConsumerCommands.all
            // Until `bench` (BenchCommands) is merged: then drop this line and add
            // ConsumerBenchCommands.benchConsume to the bench family's subcommands.
            + [ConsumerBenchCommands.benchFamilyStandIn]
    }

    public static func dispatcher() -> Dispatcher { Dispatcher(commands: all) }
}
