@testable import Lab

/// A session with captured output and the full dispatcher, connected to no
/// cluster: for tests of the shell itself (parsing, help, scripts, JSON runs).
final class NoClusterShell {
    let buffer = OutputBuffer()
    let session: Session
    let dispatcher = CommandCatalog.dispatcher()

    init() {
        session = Session(output: .capturing(into: buffer), isScript: true)
        session.dispatcher = dispatcher
    }
}
