import Foundation

/// Python's prometheus_client text parser, when installed (`pip install prometheus_client`;
/// `make deps` does it): the reference reader of the exposition format.
public enum PrometheusParser {
    public static let available: Bool = run("import prometheus_client.parser", input: "").status == 0

    /// Each family as `name type samples`, one per line, or the parser's error.
    public static func families(_ text: String) -> (status: Int32, output: String) {
        run(
            """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            for f in text_string_to_metric_families(sys.stdin.read()):
                print(f.name, f.type, len(f.samples))
            """, input: text)
    }

    private static func run(_ script: String, input: String) -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script]
        let stdin = Pipe(), stdout = Pipe()
        p.standardInput = stdin
        p.standardOutput = stdout
        p.standardError = stdout
        guard (try? p.run()) != nil else { return (127, "no python3") }
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try? stdin.fileHandleForWriting.close()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
