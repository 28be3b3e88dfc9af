@testable import Lab

/// One result value in both forms, for the per-family tests that text and JSON carry the same
/// figures: `text` is what `render(into:)` writes (plain, as when piped), `json` its encoding.
struct RenderedResult {
    let text: String
    let json: JSONValue

    init(_ result: some CommandResult) {
        let buffer = OutputBuffer()
        let output = Output.capturing(format: .table, into: buffer)
        output.beginCommand()
        output.emit(result)
        output.endCommand()
        text = buffer.stdout
        json = JSONValueEncoder.encode(result)
    }

    /// The text's lines whose whitespace-separated cells are exactly `cells` (a table row).
    func hasRow(_ cells: [String]) -> Bool {
        text.split(separator: "\n").contains { $0.split(separator: " ").map(String.init) == cells }
    }
}

extension JSONValue {
    /// An element of an array (nil for other values or out of range), to reach into a result's rows.
    subscript(index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }
}
