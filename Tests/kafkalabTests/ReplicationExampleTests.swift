import Foundation
import Testing

@Suite("examples/02-replication.kl replays twice on a served cluster")
struct ReplicationExampleTests {
    @Test func replaysAndShowsEverySectionItPromises() throws {
        let (r, again) = try ServedExample.replayTwice("02-replication.kl", timeout: 120)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(again.status == 0, "second replay, stderr: \(again.stderr)")
        // Broker stop/start went through the serve process: the second run finds every broker up again.
        #expect(again.stdout.contains("stopped broker 2 (embedded") && again.stdout.contains("started brokers 1,2"))
        #expect(again.stdout.contains("reusing min-isr-demo (the mock keeps no topic configs"))
        let out = r.stdout
        // 1. who leads what
        #expect(out.contains("PARTITION  LEADER  REPLICAS  ISR    OFFLINE  LOW  HIGH  STATE"))
        #expect(out.contains("leader epoch: not shown"))
        #expect(out.contains("BROKER  ADDRESS"))
        #expect(out.contains("produced 20 of 20 message(s) to payments"))
        // 2. a controlled shutdown, and producing afterwards
        #expect(out.contains("stopped broker 2 (embedded: stop and kill are the same here"))
        #expect(
            out.contains("from broker 2, as the controller would; the embedded cluster does not model the ISR")
                || out.contains("broker 2 led no partitions, so no leadership moved"))
        #expect(out.contains("produced 10 of 10 message(s) to payments"))
        // 3. a crash
        #expect(out.contains("killed broker 1 (embedded: stop and kill are the same here"))
        #expect(out.contains("produced 5 of 5 message(s) to payments"))
        // 4. coming back
        #expect(out.contains("since before `broker stop 2`"))
        #expect(out.contains("broker 1 gone (stopped; the mock still lists it in metadata)"))
        #expect(out.contains("broker 2 gone (stopped; the mock still lists it in metadata)"))
        #expect(out.contains("watched 1.0 s"))
        #expect(out.contains("since the previous watch ended"))
        #expect(out.contains("broker 1 back (started again)"))
        #expect(out.contains("started brokers 1,2"))
        #expect(out.contains("leadership that moved away stays where it is"))
        // 5. durability
        #expect(out.contains("rejection cannot be observed here"))
        #expect(!out.contains("failed with NOT_ENOUGH_REPLICAS"))
        #expect(out.contains("min.insync.replicas: how many copies a write needs"))
    }
}
