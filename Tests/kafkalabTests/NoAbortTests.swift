import Foundation
import Testing

/// The inputs that aborted the whole process before `set` checked values
/// (issue 13): a client.id tens of KB long, numbers at the 64-bit limits, and a
/// later command creating a client with them. Through the binary, since an
/// abort would take a test runner down with it.
@Suite("Extreme property values never abort the process")
struct NoAbortTests {
    @Test func extremeValuesAreRefusedAndTheClientsStillWork() throws {
        let longId = String(repeating: "x", count: 70_000)
        let r = try KafkalabBinary.run(
            [
                "--embedded", "--keep-going", "-c",
                [
                    "set client.id \(longId)", "set batch.size 99999999999",
                    "set batch.num.messages 9223372036854775807",
                    "set linger.ms NaN", "set message.max.bytes 18446744073709551615", "seed --count 10", "status",
                ].joined(separator: "; "),
            ], timeout: 60)
        #expect(r.status == 1, "exit \(r.status): \(r.stderr.suffix(300))")
        let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("-c:") }
        #expect(errors.count == 5, "\(errors)")
        #expect(errors.allSatisfy { $0.count < 300 })
        #expect(!r.stderr.contains("Assertion") && !r.stderr.contains("Fatal error") && !r.stderr.contains("%"))
        #expect(r.stdout.contains("seeded consumer-tuning: 10 of 10"))
        #expect(r.stdout.contains("librdkafka defaults (nothing set)"))
    }

    /// Issue 28 item 3: a 32,767-byte client.id with statistics every
    /// millisecond crashed `consume` in librdkafka's statistics writer. `set`
    /// refuses what would crash; the longest accepted id runs with statistics.
    @Test func clientIdsTheStatisticsWriterCannotHoldAreRefusedAndTheLongestAcceptedRuns() throws {
        let r = try KafkalabBinary.run(
            [
                "--embedded", "--keep-going", "-c",
                [
                    "topic create t", "set client.id \(String(repeating: "c", count: 32_767))",
                    "set client.id \(String(repeating: "c", count: 20_001))",
                    "set client.id \(String(repeating: "c", count: 20_000))", "set statistics.interval.ms 1",
                    "produce --topic t --count 50 'm{i}'", "consume t --idle 1s",
                ].joined(separator: "; "),
            ], timeout: 60)
        #expect(r.status == 1, "exit \(r.status) (139 is a segfault): \(r.stderr.suffix(300))")
        let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("-c:") }
        #expect(errors.count == 2, "\(errors.map { $0.prefix(200) })")
        #expect(errors.allSatisfy { $0.contains("client.id takes at most 20000 bytes") })
        #expect(r.stdout.contains("50 message(s) from t"), "\(r.stdout.suffix(300))")
    }
}
