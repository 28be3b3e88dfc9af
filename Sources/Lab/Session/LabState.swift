/// State a command family keeps in the session between commands. Each hook
/// has a default that does nothing, so a lab implements only what it needs.
public protocol LabState: AnyObject {
    /// Sort key among labs for status lines and prompt suffixes.
    var statusOrder: Int { get }
    /// Lines for `status`: key, text, and the same fact as JSON.
    func statusLines(in session: Session) -> [StatusLine]
    /// Text after the topic in the prompt, e.g. `(txn 3 msgs)`.
    func promptSuffix(in session: Session) -> String?
    /// May refuse a settings change with a one-line reason.
    func settingsWillChange(_ change: ClientSettings.Change, in session: Session) throws
    /// `produce` delivered (or failed) messages through the session producer.
    func sessionDidProduce(delivered: Int, failed: Int, in session: Session)
    /// The session is disconnecting or exiting: release clients, abort what is open.
    func sessionWillDisconnect(_ session: Session)
}

public struct StatusLine {
    public let key: String
    public let text: String
    public let json: JSONValue
    public init(_ key: String, _ text: String, _ json: JSONValue) {
        self.key = key
        self.text = text
        self.json = json
    }
    /// A line whose JSON is a typed value's encoding.
    public init(_ key: String, _ text: String, _ value: some Encodable) {
        self.init(key, text, JSONValueEncoder.encode(value))
    }
}

extension LabState {
    public var statusOrder: Int { 100 }
    public func statusLines(in session: Session) -> [StatusLine] { [] }
    public func promptSuffix(in session: Session) -> String? { nil }
    public func settingsWillChange(_ change: ClientSettings.Change, in session: Session) throws {}
    public func sessionWillDisconnect(_ session: Session) {}
    public func sessionDidProduce(delivered: Int, failed: Int, in session: Session) {}
}
