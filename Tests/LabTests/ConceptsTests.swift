import Foundation
import Testing

@testable import Lab

@Suite struct ConceptsTests {
    @Test func everyNameAndAliasReachesExactlyOneConcept() {
        var owner: [String: String] = [:]
        #expect(Concepts.all.count == Concepts.table.count, "a concept name is used twice")
        for concept in Concepts.all {
            for word in [concept.name] + concept.aliases {
                #expect(owner[word] == nil, "'\(word)' belongs to both \(owner[word] ?? "") and \(concept.name)")
                owner[word] = concept.name
                #expect(Concepts.named(word)?.name == concept.name)
                #expect(Concepts.named(word.uppercased())?.name == concept.name)
            }
        }
    }

    @Test func tableKeysAreTheConceptNamesAndTextsAreFilledIn() {
        for (key, concept) in Concepts.table {
            #expect(key == concept.name)
            #expect(!concept.title.isEmpty && !concept.commands.isEmpty)
            // Paragraphs are separated by blank lines; none may be empty or left indented.
            for paragraph in concept.text.components(separatedBy: "\n\n") {
                #expect(!paragraph.isEmpty && !paragraph.hasPrefix(" "), "\(key): '\(paragraph.prefix(30))'")
            }
        }
        #expect(
            Set(Concepts.names).isSuperset(of: [
                "isr", "hw", "leo", "leader-epoch", "unclean-election", "min-isr", "acks",
            ]))
    }
}

/// Each corrected statement of issue 15, pinned: the text says the right thing and
/// no longer the wrong one.
@Suite struct ConceptCorrectionsTests {
    static func text(_ name: String) throws -> String {
        try #require(Concepts.named(name)).text.replacingOccurrences(of: "\n", with: " ")
    }

    @Test func idempotenceSaysWhatIsResentAndWhatSequencesCount() throws {
        let t = try Self.text("idempotence")
        #expect(t.contains("A batch that was acknowledged is never sent again"))
        #expect(t.contains("sequence numbers count records"))
        #expect(t.contains("each batch carries the sequence of its first record"))
        #expect(t.contains("acknowledged without being written again"))
        // Why acks=all: an acknowledged batch lost in a failover is never re-sent.
        #expect(t.contains("never re-sends an acknowledged batch"))
        #expect(!t.contains("legitimately re-sent"))
        #expect(!t.contains("--faults"))
    }

    @Test func compactionDirtyRatioIsPerLogAndTombstonesHaveTwoMoments() throws {
        let t = try Self.text("compaction")
        #expect(t.contains("The dirty ratio is a property of the whole log, not of a segment"))
        #expect(t.contains("the first cleaning that reaches it removes every earlier value of its key"))
        #expect(t.contains("stays for delete.retention.ms (1 day by default) after that cleaning"))
        #expect(t.contains("sees every delete only if it reaches the head of the log within delete.retention.ms"))
        #expect(!t.contains("runs on segments whose dirty"))
    }

    @Test func uncleanElectionMattersOnlyWhileAnOutOfSyncReplicaIsAlive() throws {
        let t = try Self.text("unclean-election")
        #expect(t.contains("matters only while such a replica is alive"))
        #expect(t.contains("with every replica down nobody can be elected either way"))
        #expect(!t.contains("as a controller with unclean election disabled would"))
    }

    @Test func segmentsAreRewrittenByTheBrokerAndHaveTxnIndexAndSnapshots() throws {
        let t = try Self.text("segments")
        #expect(!t.contains("exactly as producers sent them"))
        #expect(t.contains("the leader assigns their offsets and stamps its leader epoch"))
        #expect(t.contains("recompresses"))
        #expect(t.contains(".txnindex") && t.contains("read_committed"))
        #expect(t.contains(".snapshot") && t.contains("producer state"))
    }

    @Test func compressionRatiosDependOnTheDataAndTransactionsSettleThePrevious() throws {
        let c = try Self.text("compression")
        #expect(c.contains("Ratios depend entirely on the data"))
        #expect(c.contains("`bench all` measures the ratio"))
        #expect(!c.contains("ratio near 2 on typical JSON"))
        let t = try Self.text("transactions")
        #expect(t.contains("(PrepareCommit) is completed, one still open is aborted"))
        #expect(!t.contains("aborts whatever the previous instance left open"))
    }

    @Test func lagSaysPollingCannotTellStallFromStop() throws {
        let t = try Self.text("lag")
        #expect(t.contains("it cannot tell STALL from STOP"))
        #expect(t.contains("Burrow reads every commit"))
        let demo = LagDemoScript(rate: 40, phaseLength: 8, stopLength: 8)
        for phase in [demo.joining] + demo.phases {
            #expect(
                phase.lesson.range(of: #"rule \d"#, options: .regularExpression) == nil,
                "\(phase.name): \(phase.lesson)")
        }
    }

    @Test func partitioningNamesBothHashesAndTheJavaCompatiblePartitioner() throws {
        let t = try Self.text("partitioning")
        #expect(t.contains("consistent_random") && t.contains("CRC32"))
        #expect(t.contains("murmur2_random"))
        #expect(Concepts.named("partitioner")?.name == "partitioning")
        let example = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
                    "examples/01-cluster.kl"), encoding: .utf8)
        #expect(example.contains("CRC32"))
        #expect(example.contains("partitioner murmur2_random"))
        #expect(!example.contains("(murmur2 of the key)"))
    }
}

/// `explain defaults`: the librdkafka column must be what the linked library says.
