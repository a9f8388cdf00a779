import JSON
import Testing

/// Error messages quote a short excerpt of what the document holds, never a whole huge token.
@Suite struct ErrorExcerptTests {
    let millionDigits = String(repeating: "9", count: 1_000_000)

    @Test func shortTextIsQuotedWhole() {
        #expect("hidden_size".errorExcerpt() == "hidden_size")
        #expect(String(repeating: "x", count: 80).errorExcerpt() == String(repeating: "x", count: 80))
        #expect("abcdef".errorExcerpt(limit: 3) == "abc… (6 characters)")
    }

    @Test func aMillionDigitNumberIsNotEchoedWhole() throws {
        let number = try JSONValue.parse(millionDigits)
        #expect(number.summary == String(repeating: "9", count: 80) + "… (1000000 characters)")
        #expect(JSONValue.string(millionDigits).summary.count < 120)
    }

    @Test func keysAndPathsInErrorsAreBounded() throws {
        let key = String(repeating: "k", count: 100_000)
        let duplicate = #"{"\#(key)": 1, "\#(key)": 2}"#
        #expect(throws: JSONParseError.duplicateKey(key: key, path: "")) { try JSONValue.parse(duplicate) }
        #expect(JSONParseError.duplicateKey(key: key, path: key).description.count < 250)
        #expect(JSONAccessError(path: key, fault: .missing).description.count < 120)
        let wrongKind = JSONAccessError(path: key, fault: .wrongKind(expected: "an integer", found: "a string"))
        #expect(wrongKind.description.count < 160)
    }
}
