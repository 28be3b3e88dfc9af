import Foundation
import Testing

@testable import Lab

@Suite("Runs side by side print as if in turn")
struct SideBySideRunsTests {
    /// The second run ends first (the first waits for it): the text still reads first, then second.
    @Test func sectionsArePrintedInTheRunsOrderWhateverOrderTheyEndIn() throws {
        let buffer = OutputBuffer()
        let output = Output.capturing(into: buffer)
        let secondEnded = DispatchSemaphore(value: 0)
        let results = try SideBySideRuns.run(["first", "second"], output: output, label: "test", name: { $0 }) {
            item, out in
            if item == "first" {
                out.line("first starts")
                let waited = secondEnded.wait(timeout: .now() + 10) == .success
                out.warning("first warns")
                out.line("first ends")
                return waited
            } else {
                out.line("second starts")
                out.line("second ends")
                secondEnded.signal()
                return true
            }
        }
        #expect(results == [true, true], "the first run saw the second end before it")
        #expect(buffer.stdout == "first starts\nfirst ends\nsecond starts\nsecond ends\n")
        #expect(buffer.stderr == "warning: first warns\n")
    }

    @Test func theFirstErrorIsRethrownOnceEverySectionIsPrinted() {
        struct Failed: Error, Equatable { let item: String }
        let buffer = OutputBuffer()
        let output = Output.capturing(into: buffer)
        #expect(throws: Failed(item: "b")) {
            try SideBySideRuns.run(["a", "b", "c"], output: output, label: "test", name: { $0 }) { item, out in
                out.line("\(item) ran")
                if item != "a" { throw Failed(item: item) }
                return item
            }
        }
        #expect(buffer.stdout == "a ran\nb ran\nc ran\n")
    }
}
