import Foundation
import Kafka
import TestSupport
import Testing

@testable import Lab

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One GET with URLSession, bounded; the body and how long it took.
func httpGet(_ url: String, timeout: Double = 5) throws -> (status: Int, body: String, seconds: Double) {
    let request = URLRequest(
        url: URL(string: url)!, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var result: (Int, String)?
    let started = Date()
    let task = URLSession.shared.dataTask(with: request) { data, response, _ in
        if let http = response as? HTTPURLResponse {
            result = (http.statusCode, String(decoding: data ?? Data(), as: UTF8.self))
        }
        done.signal()
    }
    task.resume()
    guard done.wait(timeout: .now() + timeout + 1) == .success, let result else {
        throw TestFailure("GET \(url) got no answer within \(timeout) s")
    }
    return (result.0, result.1, Date().timeIntervalSince(started))
}

/// `lag export` on the embedded cluster, scraped over HTTP.
@Suite("lag export (embedded cluster and the compose stand-in)")
struct LagExportTests {
    @Test func servesLagAndKeepsTheLastGoodValuesWhileTheBrokerIsDown() throws {
        let t = try TestSession(brokers: 1)
        // A request bound that a collection against the stopped broker waits out (failing after
        // it), long enough that Ctrl-C in the middle of one must not wait for it.
        t.session.connect(try ClusterConnection(embeddedBrokers: 1, timeoutMs: 3_000))
        _ = try t.output(of: "topic create exported --partitions 2")
        _ = try t.output(of: "produce --topic exported --partition 0 --count 30 m{i}")
        _ = try t.output(of: "consume exported --group exporter-g --count 10")
        let run = BackgroundRun(t, "lag export --group exporter-g --listen 127.0.0.1:0 --interval 200ms --for 60s")
        var returned = false
        defer {
            // On an early failure: stop it before the session goes (its semaphore is waited once).
            if !returned {
                run.cancel()
                _ = run.wait(timeout: 10)
            }
        }
        var url: String?
        #expect(
            BackgroundRun.await(10) {
                url =
                    t.buffer.stdout.split(separator: "\n").lazy.compactMap { line in
                        line.range(of: "http://127.0.0.1:").map {
                            String(line[$0.lowerBound...].split(separator: " ")[0])
                        }
                    }.first
                return url != nil
            })
        let metrics = try #require(url)
        let lagLine = #"kafka_consumergroup_lag{group="exporter-g",topic="exported",partition="0"} 20"#
        var first = try httpGet(metrics)
        #expect(
            BackgroundRun.await(5) {
                first = (try? httpGet(metrics)) ?? first; return first.body.contains(lagLine)
            })
        #expect(first.status == 200)
        #expect(first.body.contains("kafkalab_lag_export_errors_total 0"))
        #expect(try httpGet(metrics.replacingOccurrences(of: "/metrics", with: "/other")).status == 404)
        if PrometheusParser.available {
            let parsed = PrometheusParser.families(first.body)
            #expect(parsed.status == 0, "\(parsed.output)")
            #expect(parsed.output.contains("kafka_consumergroup_lag gauge 2"))
        }

        try t.embedded.stopBroker(1)
        defer { try? t.embedded.startBroker(1) }
        // Every scrape answers at once with the last good lag; the error counter grows.
        var sawErrors = false
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline && !sawErrors {
            let scrape = try httpGet(metrics)
            #expect(scrape.seconds < 1, "a scrape took \(scrape.seconds) s while the broker was down")
            #expect(scrape.body.contains(lagLine))
            sawErrors = !scrape.body.contains("kafkalab_lag_export_errors_total 0")
            if sawErrors { #expect(scrape.body.contains("kafkalab_lag_export_up 0")) }
            usleep(200_000)
        }
        #expect(sawErrors, "no collection failed while the only broker was stopped")
        // Ctrl-C while a collection waits on the dead broker: back within the second.
        usleep(300_000)
        run.cancel()
        let stopped = try #require(run.wait(timeout: 10), "lag export did not return after Ctrl-C")
        returned = true
        #expect(stopped.secondsAfterCancel < BackgroundRun.cancelBound)
    }

    /// --all-groups on a cluster that lists its groups (the compose stand-in): every group
    /// with commits is exported; one without commits has no series.
    @Test func allGroupsExportsWhatListGroupsNames() throws {
        let kafka = try ScriptedKafka()
        let t = TestSession(standIn: kafka)
        _ = try t.output(of: "topic create listed --partitions 2")
        _ = try t.output(of: "produce --topic listed --partition 1 --count 8 m{i}")
        _ = try t.output(of: "consume listed --group billing --count 3")
        kafka.groupsByBroker = [
            1: [GroupListing(id: "billing", state: "Empty", isSimple: false)],
            2: [GroupListing(id: "idle", state: "Empty", isSimple: false)],
        ]
        let result = try t.json("lag export --all-groups --listen 127.0.0.1:0 --interval 100ms --for 1s")
        #expect(result["groups"] == .array([.string("billing")]))
        #expect((result["collections"]?.intValue ?? 0) >= 2)
        #expect(result["errors"] == .integer(0))
    }

    @Test func refusesWithoutGroupsAndAllGroupsOnTheEmbeddedCluster() throws {
        let t = try TestSession(brokers: 1)
        #expect(try t.failure(of: "lag export").contains("--group G"))
        #expect(try t.failure(of: "lag export --all-groups --listen 127.0.0.1:0").contains("ListGroups"))
        #expect(try t.failure(of: "lag export --group g --listen nowhere").contains("HOST:PORT"))
    }
}
