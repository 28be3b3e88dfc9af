import Testing
@Test func placeholderLineEditorTests() { #expect(Bool(true)) }
