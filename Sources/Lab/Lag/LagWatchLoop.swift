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

    /// Runs until `--for` elapses or Ctrl-C, and returns the summary.
    func run() -> LagWatchSummaryResult {
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
        return LagWatchSummaryResult(
            group: target.group, durationMs: Date().timeIntervalSince(start) * 1000, stopped: stopped, summary: summary)
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
        let sample = LagWatchSampleResult(report, group: target.group, phase: phase)
        guard out.isTerminal && !out.isJSON else {
            out.emitStreamed(sample)
            return
        }
        // A wrapped line would make the cursor-up count wrong, so lines are cut to the width.
        let width = max(20, out.terminalColumns)
        let lines = sample.block(for: out).split(separator: "\n", omittingEmptySubsequences: false).map {
            line -> String in
            line.count < width || line.contains("\u{1B}") ? String(line) : String(line.prefix(width - 2)) + "…"
        }
        if drawnLines > 0 { out.raw("\u{1B}[\(drawnLines)A\r\u{1B}[J") }
        out.raw(lines.joined(separator: "\n") + "\n")
        drawnLines = lines.count
    }
}
