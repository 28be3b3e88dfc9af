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
        #expect(Set(Concepts.names).isSuperset(of: ["isr", "hw", "leo", "leader-epoch", "unclean-election", "min-isr", "acks"]))
    }
}
