import Kafka

/// A command's failure, printed as one line; the session stays as it was.
public enum LabError: Error, CustomStringConvertible, Equatable {
    /// Wrong or missing arguments: what was wrong, and the usage line.
    case usage(String, usage: String)
    /// A value or request that cannot be honoured, with what would be right.
    case invalid(String)
    /// Something the current cluster cannot do, said plainly.
    case unsupported(String)
    case notFound(String)
    /// The command stopped because the user pressed Ctrl-C.
    case interrupted

    public var description: String {
        switch self {
        case .usage(let what, let usage): return "\(what); usage: \(usage)"
        case .invalid(let s), .unsupported(let s), .notFound(let s): return s
        case .interrupted: return "interrupted"
        }
    }
}

/// The one-line text of any error a command can throw.
public func describeError(_ error: any Error) -> String {
    switch error {
    case let e as LabError: return e.description
    case let e as KafkaError: return e.description
    case let e as Tokenizer.Failure: return e.description
    case is Producer.Stopped: return LabError.interrupted.description
    default: return String(describing: error)
    }
}

/// An error as printed: one line (line breaks and control characters become
/// spaces) of bounded length, any word longer than 80 characters (a pasted
/// 70 KB topic name) cut to its start and its length.
public func errorLine(_ error: any Error) -> String {
    let text = String(
        describeError(error).unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
    guard text.count > 200 else { return text }
    let words = text.split(separator: " ", omittingEmptySubsequences: false).map { word -> String in
        word.count > 80 ? "\(word.prefix(40))...(\(word.count) characters)" : String(word)
    }
    let joined = words.joined(separator: " ")
    return joined.count > 1_000 ? String(joined.prefix(1_000)) + "..." : joined
}
