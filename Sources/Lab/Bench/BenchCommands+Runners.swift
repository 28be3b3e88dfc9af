import Foundation
import Kafka

/// What `BenchCommands.swift`'s commands run, so that the declarations stay a
/// list of names, options and help.
extension BenchCommands {
    static func runBench(_ ctx: CommandContext) throws {
        let args = ctx.arguments
        let requested = try parseCodecs(args.positionals, session: ctx.session)
        let options = try BenchOptions(args, session: ctx.session)
        let plan = try options.preparePlan(session: ctx.session, output: ctx.output, cancellation: ctx.cancellation)
        let base = try ctx.session.plainProducerProperties()
        var configurations: [BenchConfiguration] = []
        for codec in requested {
            configurations.append(
                BenchConfiguration(
                    label: codec, settings: [], properties: base.merging(["compression.type": codec]) { $1 }))
        }
        try runAndReport(configurations, firstHeader: "codec", matrixKeys: nil, options: options, plan: plan, ctx: ctx)
    }

    static func runMatrix(_ ctx: CommandContext) throws {
        let args = ctx.arguments
        let grid = try BenchMatrix(specs: args.positionals) { rawKey, value in
            let (scope, key) = try ClientSettings.resolve(rawKey)
            guard scope != .consumer else {
                throw LabError.invalid("'\(key)' is a consumer property; bench matrix varies producer properties")
            }
            do { try ClientConfig.validate(key: key, value: value) } catch let e as KafkaError {
                throw LabError.invalid("bad matrix value \(key)=\(value): \(e.message)")
            }
            return key
        }
        let options = try BenchOptions(args, session: ctx.session)
        let base = try ctx.session.plainProducerProperties()
        var configurations: [BenchConfiguration] = []
        for combination in grid.combinations {
            var props = base
            for (k, v) in combination { props[k] = v }
            // Conflicts between values show up only when the whole set is applied.
            do { _ = try ClientConfig.effectiveValues(of: props, keys: []) } catch let e as KafkaError {
                throw LabError.invalid("combination \(label(combination)) is refused: \(e.message)")
            }
            configurations.append(
                BenchConfiguration(label: label(combination), settings: combination, properties: props))
        }
        let plan = try options.preparePlan(session: ctx.session, output: ctx.output, cancellation: ctx.cancellation)
        try runAndReport(
            configurations, firstHeader: "combination", matrixKeys: grid.keys, options: options, plan: plan, ctx: ctx)
    }

    static func label(_ combination: [(key: String, value: String)]) -> String {
        combination.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    /// Positional codecs, `all`, or the session's own compression.type.
    static func parseCodecs(_ words: [String], session: Session) throws -> [String] {
        if words.isEmpty {
            let props = session.settings.producerProperties
            return [props["compression.type"] ?? props["compression.codec"] ?? "none"]
        }
        var out: [String] = []
        for word in words {
            let names = word == "all" ? codecs : [word.lowercased()]
            for name in names {
                guard codecs.contains(name) else {
                    let near = NearestNames.suggest(name, from: codecs)
                    let hint = near.isEmpty ? "" : "did you mean \(near.joined(separator: ", "))? "
                    throw LabError.invalid(
                        "unknown codec '\(word)'; \(hint)codecs: \(codecs.joined(separator: " ")) (or all)")
                }
                if !out.contains(name) { out.append(name) }
            }
        }
        return out
    }

    /// "12 runs of 2,000 messages at 200 msgs/s take about 2m0s of sending; Ctrl-C
    /// stops and keeps what was measured", or nil when the runs are not paced.
    static func pacedEstimate(runs: Int, count: Int, rate: Int?) -> String? {
        guard let rate, rate > 0 else { return nil }
        let seconds = Double(runs) * Double(count) / Double(rate)
        let whole = seconds.rounded(.up)
        let duration = whole >= 60 ? "\(Int(whole) / 60)m\(Int(whole) % 60)s" : Arguments.formatDuration(whole)
        return
            "\(runs) run\(runs == 1 ? "" : "s") of \(BenchReport.grouped(Double(count))) messages at \(BenchReport.grouped(Double(rate))) msgs/s \(runs == 1 ? "takes" : "take") about \(duration) of sending; Ctrl-C stops and keeps what was measured"
    }

    /// Runs every configuration `runs` times, then prints the table, the
    /// chart, the effective properties and (matrix) the reading.
    static func runAndReport(
        _ configurations: [BenchConfiguration],
        firstHeader: String, matrixKeys: [String]?, options: BenchOptions, plan: ProducerBenchPlan,
        ctx: CommandContext
    ) throws {
        let out = ctx.output
        let session = ctx.session
        let total = configurations.count * options.runs
        // Paced runs take as long as the rate says: say so before the first one
        // (the README's matrix example takes two and a half minutes).
        if let estimate = pacedEstimate(runs: total, count: options.count, rate: plan.rate) {
            if out.isJSON { out.note(estimate) } else { out.line(estimate) }
        }
        var results: [BenchResult] = []
        var byLabel: [String: [BenchResult]] = [:]
        var failure: (any Error)?
        outer: for configuration in configurations {
            for run in 1...options.runs {
                if ctx.isCancelled { break outer }
                let index = results.count + 1
                let prefix = total > 1 ? "[\(index)/\(total)] \(configuration.label)" : configuration.label
                var gate = ProgressGate()
                do {
                    var r = try ProducerBench.run(
                        label: configuration.label, settings: configuration.settings,
                        properties: configuration.properties, plan: plan
                    ) { sent, planned, seconds in
                        guard gate.shouldShow(atSeconds: seconds) else { return }
                        out.progress(
                            "bench \(prefix): "
                                + ProgressGate.line(done: sent, of: planned, seconds: seconds, verb: "sent"))
                    }
                    r.run = run
                    out.clearProgress()
                    results.append(r)
                    byLabel[r.label, default: []].append(r)
                    out.emitStreamed(
                        ProducerBenchRun(
                            r, runs: options.runs, cluster: plan.cluster, prefix: total > 1 ? prefix : nil))
                    if r.failed > 0 {
                        out.warning(
                            "\(configuration.label): \(r.failed) message(s) failed (\(r.firstError ?? "?")); figures count delivered messages only"
                        )
                    }
                } catch {
                    out.clearProgress()
                    failure = error
                    break outer
                }
            }
        }
        if let path = options.csvPath, !results.isEmpty {
            do {
                try BenchReport.csv(results).write(toFile: path, atomically: true, encoding: .utf8)
                if !out.isJSON { out.hint("wrote \(results.count) run(s) to \(path)") }
            } catch {
                out.warning("could not write \(path): \(error.localizedDescription)")
            }
        }
        guard !results.isEmpty else {
            if let failure { throw failure }
            throw LabError.interrupted
        }
        let rows = configurations.compactMap { byLabel[$0.label].map(BenchRow.init) }
        func column(_ header: String) -> BenchReport.Column { BenchReport.columns.first { $0.header == header }! }
        // A "best" only beyond the measured spread, and a throughput winner only from runs long enough to rate.
        // On the embedded cluster acks changes nothing (no followers): its rows differ by noise, so none is marked.
        let ignoredAcks =
            session.connection?.can(.replication) == false
            ? matrixKeys?.first(where: { ["acks", "request.required.acks"].contains($0) }) : nil
        let reading =
            ignoredAcks != nil
            ? "The embedded cluster waits for no follower whatever \(ignoredAcks!) says, so these rows measure the same thing: read their differences as the noise of this machine."
            : matrixKeys.map { BenchReport.matrixReading(rows, keys: $0, paced: plan.rate) }
        let bestThroughput =
            plan.rate == nil && ignoredAcks == nil
            ? BenchReport.distinctBest(rows, column: column("msgs/s")).map { rows[$0] } : nil
        let bestP99 =
            ignoredAcks == nil ? BenchReport.distinctBest(rows, column: column("p99 ms")).map { rows[$0] } : nil
        var marks: Set<String> =
            matrixKeys == nil ? Set(BenchReport.columns.map(\.header)) : ["msgs/s", "p99 ms", "requests", "msgs/CPU-s"]
        if plan.rate != nil { marks.remove("msgs/s"); marks.remove("MiB/s") }
        if ignoredAcks != nil { marks = [] }
        let noMark = BenchReport.noMarkNotes(rows, markColumns: marks)

        let effectiveLine = results.first.map { first -> String in
            let varied = Set((matrixKeys ?? []) + (matrixKeys == nil ? ["compression.type"] : []))
            let shown = first.effectiveProperties.filter { !varied.contains($0.key) }.map { "\($0.key)=\($0.value)" }
            return "producer: " + shown.joined(separator: " ") + " (effective values)"
        }
        let clusterHint: String?
        if case .servedMock = session.connection?.control {
            clusterHint =
                "served cluster: the broker runs in another process on this machine (kafkalab serve) with no disk and no replication, and acks are not waited for; CPU seconds exclude it. Run on the compose cluster for real figures."
        } else if session.connection?.control.isMock == true {
            clusterHint =
                "embedded cluster: the broker runs in this process with no disk and no replication, and acks are not waited for; CPU seconds include its thread. Run on the compose cluster for real figures."
        } else {
            clusterHint = nil
        }
        out.emitStreamed(
            ProducerBenchSummary(
                rows: rows, bestThroughput: bestThroughput?.label, bestP99: bestP99?.label, noBestBecause: noMark,
                producers: plan.producers, reading: reading, interrupted: ctx.isCancelled,
                heading:
                    "\(BenchReport.grouped(Double(options.count))) × \(plan.payload.messageSize) B \(plan.payload.kind) messages to \(plan.topic)"
                    + (options.runs > 1 ? ", median of \(options.runs) runs" : "")
                    + (plan.warmup > 0 ? ", after \(BenchReport.grouped(Double(plan.warmup))) warm-up" : "")
                    + (plan.rate.map { ", paced at \(BenchReport.grouped(Double($0))) msgs/s" } ?? ""),
                firstHeader: firstHeader, marks: marks, paced: plan.rate != nil, effectiveLine: effectiveLine,
                ignoredAcks: ignoredAcks, clusterHint: clusterHint))
        if let failure {
            throw LabError.invalid("stopped after \(results.count) run(s): \(describeError(failure))")
        }
        // A run that delivered nothing measured nothing: the command failed
        // (exit status 1 in a script), though the table shows what was tried.
        let empty = results.filter { $0.delivered == 0 && $0.failed > 0 }
        if !ctx.isCancelled, let first = empty.first {
            let which =
                empty.count == results.count
                ? "every message failed"
                : "every message of \(Set(empty.map(\.label)).sorted().joined(separator: ", ")) failed"
            throw LabError.invalid("\(which) (\(first.firstError ?? "?")): no figures to read")
        }
        if ctx.isCancelled && !out.isJSON {
            out.warning("interrupted: the figures cover what was measured before Ctrl-C")
        }
    }
}
