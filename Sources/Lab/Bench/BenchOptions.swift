import Foundation
import Kafka

/// The options `bench` and `bench matrix` share, parsed and checked before anything runs.
struct BenchOptions {
    let count: Int
    let size: Int
    let payload: PayloadKind
    let topic: String
    let runs: Int
    let warmup: Int
    let rate: Int?
    let producers: Int
    let csvPath: String?
    let fileBytes: [UInt8]?

    /// --count when none is given. Unpaced, enough for a rate (`BenchNoise.minimumSeconds`) up
    /// to 2M msgs/s: 100,000 took 0.83-1.74 s for lz4 in a debug build on a loaded 2-core machine
    /// but under 0.5 s in a release build (`make run`), so the first `bench lz4` printed no rate;
    /// the README's compare.sh figures (release, 1 KiB) reach 1.5M msgs/s uncompressed and 2.6M
    /// with lz4 on a payload that compresses far better than the json default. Paced, 10 s of
    /// sending (the README's paced matrix took 151 s at 100,000 a row).
    static let unpacedDefaultCount = 1_000_000
    static func defaultCount(rate: Int?) -> Int {
        guard let rate else { return unpacedDefaultCount }
        return min(unpacedDefaultCount, max(rate * 10, 1))
    }

    init(_ args: Arguments, session: Session) throws {
        let paced = try args.optionalInt("--rate", range: 1...100_000_000)
        count = try args.int("--count", default: Self.defaultCount(rate: paced), range: 1...100_000_000)
        size = try args.int("--size", default: 1024, range: 1...10_485_760)
        payload = try PayloadKind.parse(args.value("--payload") ?? "json")
        topic = args.value("--topic") ?? "bench"
        guard !topic.isEmpty else { throw LabError.invalid("--topic needs a name") }
        runs = try args.int("--runs", default: 1, range: 1...100)
        warmup = try args.int("--warmup", default: min(count / 10, 20_000), range: 0...100_000_000)
        rate = try args.optionalInt("--rate", range: 1...100_000_000)
        producers = try args.int("--producers", default: 1, range: 1...64)
        if count < producers {
            throw LabError.invalid(
                "--count \(count) is fewer messages than --producers \(producers); give each producer at least one")
        }
        if let rate, rate < producers {
            throw LabError.invalid(
                "--rate \(rate) is below one message per second per producer (--producers \(producers)); raise --rate or lower --producers"
            )
        }
        if case .file(let path) = payload {
            let expanded = (path as NSString).expandingTildeInPath
            guard let data = FileManager.default.contents(atPath: expanded) else {
                throw LabError.invalid("cannot read payload file \(path): no such file or not readable")
            }
            guard !data.isEmpty else { throw LabError.invalid("payload file \(path) is empty") }
            fileBytes = [UInt8](data)
        } else {
            fileBytes = nil
        }
        if let csv = args.value("--csv") {
            let expanded = (csv as NSString).expandingTildeInPath
            let dir = (expanded as NSString).deletingLastPathComponent
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir.isEmpty ? "." : dir, isDirectory: &isDir), isDir.boolValue,
                FileManager.default.isWritableFile(atPath: dir.isEmpty ? "." : dir)
            else {
                throw LabError.invalid("--csv \(csv): the folder does not exist or is not writable")
            }
            csvPath = expanded
        } else {
            csvPath = nil
        }
        _ = try session.requireConnection()
    }

    /// Builds the payload and makes sure the topic exists (the only step with a side effect).
    func preparePlan(session: Session, output: Output, cancellation: Cancellation) throws -> ProducerBenchPlan {
        let pool = try BenchPayload(
            kind: payload, messageSize: size, fileBytes: fileBytes, messagesNeeded: count + warmup)
        let connection = try session.requireConnection()
        let brokers = try connection.client.metadata().brokers.count
        if try connection.ensureTopic(topic, partitions: 6, replicationFactor: Int32(min(3, max(1, brokers)))).created {
            output.hint("created topic \(topic) with 6 partitions")
        }
        try ProduceAvailability.check(
            topic: topic, properties: session.settings.producerProperties, connection: connection, output: output,
            lab: "bench")
        let cluster = connection.control.name
        var plan = ProducerBenchPlan(
            topic: topic, count: count, warmup: warmup, rate: rate, payload: pool,
            buffer: PayloadBuffer(pool), cluster: cluster, cancellation: cancellation)
        plan.producers = producers
        plan.stallLimitSeconds = session.progressStallLimit
        return plan
    }
}
