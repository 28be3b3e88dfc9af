import Foundation
import Kafka

struct LagWatchOptions {
    var interval: Double
    var duration: Double
    var window: Int

    init(_ args: Arguments, defaultInterval: Double, defaultDuration: Double, defaultWindow: Int) throws {
        interval = try args.seconds("--interval", default: defaultInterval, minimum: 0.1, maximum: 3_600)
        duration = try args.seconds("--for", default: defaultDuration, minimum: interval, maximum: 86_400)
        window = try args.int("--window", default: defaultWindow, range: 2...1_000)
    }

    init(interval: Double, duration: Double, window: Int) {
        self.interval = interval
        self.duration = duration
        self.window = window
    }
}

/// Samples a group's offsets at a fixed interval and shows each sample: redrawn in place
/// at a terminal, one block per sample when piped, one JSON document per sample in JSON mode.
final class LagWatchLoop {
    let ctx: CommandContext
    let target: LagTarget
    let options: LagWatchOptions
    let evaluator: LagEvaluator
    private(set) var history = LagHistory()
    private(set) var summary = LagWatchSummary()
    /// Lines of the live block last drawn at the terminal, to move the cursor back over.
    private var drawnLines = 0
    /// Called between samples (every ~10 ms when set), for `lag demo`'s producer and consumer.
    var tick: (() throws -> Void)?
    /// The current phase of a demo, shown with each sample.
    var phase: (() -> String?)?
    var onReport: ((LagWatchReport, String?) -> Void)?
    /// Called just before each sample is taken (a demo's fast consumer catches up here).
    var beforeSample: (() throws -> Void)?
    /// Ends the run before `--for` (a demo whose script is over).
    var isFinished: (() -> Bool)?

    init(ctx: CommandContext, target: LagTarget, options: LagWatchOptions) {
        self.ctx = ctx
        self.target = target
        self.options = options
        evaluator = LagEvaluator(windowSize: options.window, minimumSamples: min(3, options.window))
    }

    /// Runs until `--for` elapses or Ctrl-C, then prints the summary.
    func run() {
        let start = Date()
        var nextSample = 0.0
        var lastPhase: String?
        var stopped = "ran for \(Arguments.formatDuration(options.duration))"
        while true {
            let elapsed = Date().timeIntervalSince(start)
            if ctx.isCancelled { stopped = "interrupted (Ctrl-C)"; break }
            if elapsed >= options.duration + 1e-3 { break }
            if isFinished?() == true { stopped = "finished"; break }
            if elapsed >= nextSample {
                let phaseNow = phase?()
                if phaseNow != lastPhase, let phaseNow { announce(phaseNow) }
                lastPhase = phaseNow
                do { try beforeSample?() } catch { ctx.output.warning(describeError(error)) }
                sample(at: Date().timeIntervalSince(start), phase: phaseNow)
                nextSample += options.interval
                // A slow cluster must not make samples pile up.
                if nextSample < elapsed { nextSample = elapsed + options.interval }
            }
            do {
                try tick?()
            } catch {
                ctx.output.warning(describeError(error))
                tick = nil
            }
            let untilNext = max(0, nextSample - Date().timeIntervalSince(start))
            Thread.sleep(forTimeInterval: min(untilNext, tick == nil ? 0.1 : 0.01))
        }
        printSummary(stopped: stopped, seconds: Date().timeIntervalSince(start))
    }

    private func sample(at time: Double, phase: String?) {
        let offsets: [PartitionOffsets]
        do {
            offsets = try LagTarget.offsets(group: target.group, partitions: target.partitions, client: target.client)
        } catch {
            ctx.output.warning("sample at \(LagFormat.duration(time)) skipped: \(describeError(error))")
            return
        }
        history.record(offsets, at: time)
        let report = history.report(evaluator: evaluator)
        summary.record(report)
        onReport?(report, phase)
        show(report, phase: phase)
    }

    private func announce(_ phase: String) {
        let out = ctx.output
        if out.isJSON { return }
        if out.isTerminal && drawnLines > 0 {
            // Keep the phase line in the scrollback, the live table below it.
            out.raw("\u{1B}[\(drawnLines)A\r\u{1B}[J")
            drawnLines = 0
        }
        out.line(out.bold("▶ " + phase))
    }

    private func show(_ report: LagWatchReport, phase: String?) {
        let out = ctx.output
        if out.isJSON {
            out.stream(Self.json(report, group: target.group, phase: phase))
            return
        }
        let block = render(report)
        if out.isTerminal {
            // A wrapped line would make the cursor-up count wrong, so lines are cut to the width.
            let width = max(20, out.terminalColumns)
            let lines = block.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
                line.count < width || line.contains("\u{1B}") ? String(line) : String(line.prefix(width - 2)) + "…"
            }
            if drawnLines > 0 { out.raw("\u{1B}[\(drawnLines)A\r\u{1B}[J") }
            out.raw(lines.joined(separator: "\n") + "\n")
            drawnLines = lines.count
        } else {
            out.line(block)
        }
    }

    func render(_ r: LagWatchReport) -> String {
        let out = ctx.output
        var t = TextTable(
            headers: ["TOPIC", "PARTITION", "LAG", "RECENT LAG", "CONSUMED", "PRODUCED", "DRAIN", "STATUS", "WHY"],
            alignments: [.left, .right, .right, .left, .right, .right, .right, .left, .left])
        for p in r.partitions {
            // No commit, nothing to judge: not OK beside a group that is ERR (issue 28 item 6).
            let judged = p.committed != nil
            t.append([
                p.topic, "\(p.partition)", "\(p.lag)" + (judged ? "" : " (no commits)"), p.sparkline,
                LagFormat.rate(p.trend.consumptionRate), LagFormat.rate(p.trend.productionRate),
                LagFormat.drain(p.trend), judged ? p.evaluation.status.rawValue : "-",
                judged ? p.evaluation.reason : "the group has committed nothing here: nothing to judge",
            ])
        }
        t.append([
            "(group)", "", "\(r.totalLag)", r.groupSparkline, LagFormat.rate(r.groupTrend.consumptionRate),
            LagFormat.rate(r.groupTrend.productionRate), LagFormat.drain(r.groupTrend), r.groupStatus.rawValue, "",
        ])
        let header =
            "group \(target.group)  t=\(LagFormat.duration(r.time))  sample \(r.samples)  status \(colour(r.groupStatus.rawValue))  lag \(r.totalLag)"
        return out.bold(header) + "\n" + t.render(bold: out.isTerminal)
    }

    private func colour(_ status: String) -> String {
        let out = ctx.output
        switch status {
        case "OK": return out.green(status)
        case "WARN": return out.yellow(status)
        default: return out.red(status)
        }
    }

    static func json(_ r: LagWatchReport, group: String, phase: String?) -> JSONValue {
        func trend(_ t: LagTrend) -> [(String, JSONValue)] {
            [
                ("consumption_per_sec", .optional(t.consumptionRate)),
                ("production_per_sec", .optional(t.productionRate)),
                ("time_to_drain_ms", .optional(t.secondsToDrain.map { $0 * 1000 })),
                ("drain", .string(LagFormat.drainKeyword(t))),
            ]
        }
        var pairs: [(String, JSONValue)] = [
            ("group", .string(group)), ("elapsed_ms", .double(r.time * 1000)), ("sample", .integer(r.samples)),
            ("status", .string(r.groupStatus.rawValue)), ("total_lag", .integer(r.totalLag)),
        ]
        pairs += trend(r.groupTrend)
        if let phase { pairs.append(("phase", .string(phase))) }
        pairs.append(
            (
                "partitions",
                .array(
                    r.partitions.map { p in
                        .object(
                            [
                                ("topic", .string(p.topic)), ("partition", .integer(p.partition)),
                                ("committed", .optional(p.committed)), ("log_end", .integer(p.logEnd)),
                                ("lag", .integer(p.lag)),
                                ("status", .string(p.evaluation.status.rawValue)),
                                ("reason", .string(p.evaluation.reason)),
                            ]
                                + trend(p.trend))
                    })
            ))
        return .object(pairs)
    }

    private func printSummary(stopped: String, seconds: Double) {
        let out = ctx.output
        if out.isTerminal && drawnLines > 0 { drawnLines = 0 }
        let final = summary.last
        out.line(
            "watched group \(target.group) for \(LagFormat.duration(seconds)), \(summary.samples) sample(s), \(stopped)"
        )
        if let final {
            out.line(
                "group status per sample: \(summary.groupStatusLine); max total lag \(summary.maxTotalLag); now \(final.groupStatus.rawValue) with lag \(final.totalLag)"
            )
            for p in final.partitions {
                let key = LagHistory.Key(topic: p.topic, partition: p.partition)
                let seen = (summary.partitionStatusesSeen[key] ?? []).map(\.rawValue).joined(separator: " → ")
                out.line(
                    "  \(p.topic)/\(p.partition): \(seen); now \(p.evaluation.status.rawValue) (\(p.evaluation.reason)), lag \(p.lag)"
                )
            }
        }
        out.setResult(
            .object([
                ("group", .string(target.group)), ("summary", true), ("duration_ms", .double(seconds * 1000)),
                ("samples", .integer(summary.samples)),
                ("stopped", .string(stopped)),
                (
                    "group_status_counts",
                    .object(
                        GroupLagStatus.allCases.map {
                            ($0.rawValue.lowercased(), .integer(summary.groupStatusCounts[$0] ?? 0))
                        })
                ),
                ("max_total_lag", .integer(summary.maxTotalLag)),
                ("final_status", .optional(final?.groupStatus.rawValue)),
                ("final_total_lag", .optional(final?.totalLag)),
                (
                    "partitions",
                    .array(
                        (final?.partitions ?? []).map { p in
                            let key = LagHistory.Key(topic: p.topic, partition: p.partition)
                            return .object([
                                ("topic", .string(p.topic)), ("partition", .integer(p.partition)),
                                ("statuses_seen", .strings((summary.partitionStatusesSeen[key] ?? []).map(\.rawValue))),
                                ("final_status", .string(p.evaluation.status.rawValue)),
                                ("reason", .string(p.evaluation.reason)),
                                ("lag", .integer(p.lag)),
                            ])
                        })
                ),
            ]))
    }
}
