import Foundation
import Kafka

/// `bench` and `bench matrix`: producer throughput, compression and latency,
/// one variable at a time.
enum BenchCommands {
    static var all: [Command] { [bench] }

    static let codecs = ["none", "gzip", "snappy", "lz4", "zstd"]

    static let sharedOptions = [
        "--count", "--size", "--payload", "--topic", "--runs", "--warmup", "--rate", "--csv", "--producers",
    ]
    static let sharedUsage =
        "[--count N] [--size BYTES] [--payload \(PayloadKind.usage)] [--topic T] [--runs R] [--warmup N] [--rate MSGS_PER_S] [--producers N] [--csv PATH]"

    static let bench = Command(
        "bench", summary: "benchmark the producer: compression codecs side by side (msgs/s, ratio, latency, CPU)",
        usage: "bench [<codec>...|all] \(sharedUsage)",
        options: sharedOptions,
        details: """
            Codecs: none, gzip, snappy, lz4, zstd (all = the five); with none given, the session's compression.type. \
            Every other producer property comes from the session (`set linger.ms 50`, then `bench lz4`). \
            Each run uses its own producer, polled by the bench thread like rdkafka_performance. \
            Defaults: --count 1000000 (an unpaced run lasts the 0.5 s a rate needs up to 2M msgs/s, \
            where a release build sends 1 KiB lz4; with --rate, 10 s of sending), --size 1024, --payload json (deterministic event records), --topic bench \
            (created with 6 partitions if missing), --runs 1, --warmup 10% of count (at most 20000, not measured). \
            Reported per run: msgs/s, payload MiB/s, bytes on the wire, compression ratio (payload bytes / produced batch \
            bytes, from librdkafka statistics), produce requests (librdkafka 2.0.2 sends one ProduceRequest per \
            partition batch, so they count batches too; Java packs a broker's batches into one), average batch \
            (messages and KiB), delivery latency \
            p50/p95/p99/p99.9/max (produce call to delivery report, HdrHistogram, µs resolution), CPU seconds of the \
            process and messages per CPU-second. With --runs R: the median of each figure and the msgs/s spread; a "best" \
            is marked only outside the measured spread, and msgs/s is withheld for runs shorter than 0.5 s. \
            --producers N: N producers at once, each on its own thread with its own share of --count (and of --rate): \
            the aggregate and each client's msgs/s, to see where one client stops scaling. \
            On the embedded cluster the broker runs inside kafkalab: no disk, no replication, acks are not waited \
            for, and CPU seconds include the broker's thread. Ctrl-C stops and reports what was measured.
            """,
        completes: .words(codecs + ["all"]),
        subcommands: [matrix, ConsumerBenchCommands.benchConsume]
    ) { ctx in try runBench(ctx) }

    static let matrix = Command(
        "matrix", summary: "benchmark every combination of producer property values (linger.ms, batch.size, acks, ...)",
        usage: "bench matrix <property>=<v1>,<v2>... [<property>=...] \(sharedUsage)",
        options: sharedOptions,
        details: """
            The cartesian product of the given producer properties, one table row per combination, with the best \
            throughput and the best p99 marked where they lead beyond the measured spread, and a reading of the \
            trade-off that weighs produce requests and CPU per message against latency. Pace it (--rate) to see \
            linger.ms trade latency for fewer requests and less CPU per message. Every value is checked by librdkafka \
            before anything runs. Properties not in the matrix come from the session (compression.type too). \
            Example: bench matrix linger.ms=0,5,50,200 batch.size=16384,131072,1048576 --count 50000.
            """,
        completes: .properties
    ) { ctx in try runMatrix(ctx) }
}
