import Testing
@Test func placeholderkafkalabTests() { #expect(Bool(true)) }
