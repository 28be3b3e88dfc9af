/// Every command family, in one list: the REPL, scripts, `-c` and tests all
/// dispatch through a `Dispatcher` built from it.
public enum CommandCatalog {
    public static var all: [Command] {
        SessionCommands.all
            + TopicCommands.all
            + DataCommands.all
            + ProducerCommands.all
            + ReplicationCommands.all
            + ExplainCommands.all
            + StorageCommands.all
            + BenchCommands.all
            + LagCommands.all
            + ConsumerCommands.all
            + SimCommands.all
    }

    public static func dispatcher() -> Dispatcher { Dispatcher(commands: all) }
}
