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
        guard
            let r = try? ChildProcess.run(
                URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script], input: input, mergingStderr: true,
                timeout: 60)
        else { return (127, "no python3") }
        return (r.status, r.stdout)
    }
}
