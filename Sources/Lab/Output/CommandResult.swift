/// What a command produced: one typed value. JSON comes from encoding it (`JSONValueEncoder`:
/// snake_case keys, exact integers, `null` for an absent optional, keys in declaration order),
/// text from its one `render(into:)`, so the two cannot carry different facts.
///
/// Name a duration property `...Ms` (a number of milliseconds) and it is `..._ms` in JSON; a
/// property whose JSON key is not its snake_case name gets a `CodingKeys` entry.
public protocol CommandResult: Encodable {
    /// The text form: lines and tables written to `output` (never called in JSON mode).
    func render(into output: Output)
}

extension Output {
    /// A command's whole result: rendered as text, or set as the command's JSON document.
    public func emit(_ result: some CommandResult) {
        if isJSON {
            setResult(JSONValueEncoder.encode(result))
        } else {
            result.render(into: self)
        }
    }

    /// One value of a streaming command (a record, a sample, an event): rendered as text at once,
    /// or one JSON document per line.
    public func emitStreamed(_ result: some CommandResult) {
        if isJSON {
            stream(JSONValueEncoder.encode(result))
        } else {
            result.render(into: self)
        }
    }
}
