import Testing
@Test func placeholderLabTests() { #expect(Bool(true)) }
