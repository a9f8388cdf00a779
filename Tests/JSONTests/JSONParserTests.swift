import JSON
import Testing

@Suite struct JSONParserTests {
    /// The syntax error of `text`, or nil when it parses.
    private func syntaxError(_ text: String) -> JSONParseError? {
        do {
            _ = try JSONValue.parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func keepsMembersInFileOrderAndValuesApart() throws {
        let value = try JSONValue.parse(#" {"b": 1, "a": [true, false, null, "x", 1.0, -2e3], "c": {}} "#)
        #expect(value.members?.map(\.key) == ["b", "a", "c"])
        #expect(value["a"] == [true, false, .null, "x", .number("1.0"), .number("-2e3")])
        #expect(value["b"]?.isIntegerLiteral == true)
        #expect(value["a"]?.elements?[4].isIntegerLiteral == false, "Python reads 1.0 as a float")
        #expect(value["c"] == .object([]))
    }

    @Test func rejectsDuplicateKeysNamingTheEnclosingObject() {
        #expect(syntaxError(#"{"a": 1, "a": 2}"#) == .duplicateKey(key: "a", path: ""))
        #expect(syntaxError(#"{"a": {"b": [{"c": 1, "c": 2}]}}"#) == .duplicateKey(key: "c", path: "a.b[0]"))
        #expect(syntaxError(#"{"a": 1, "A": 2}"#) == nil, "keys are case-sensitive")
    }

    @Test func limitsNestingDepth() {
        let depth = JSONValue.maximumDepth
        #expect(syntaxError(String(repeating: "[", count: depth) + String(repeating: "]", count: depth)) == nil)
        let tooDeep = String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1)
        guard case .syntax(_, _, _, let reason)? = syntaxError(tooDeep) else {
            Issue.record("expected a depth error")
            return
        }
        #expect(reason.contains("nesting deeper than \(depth)"))
    }

    @Test func bigIntegersStayExact() throws {
        let value = try JSONValue.parse("[9223372036854775807, 9223372036854775808, 1000000000000000019884624838656]")
        let elements = try #require(value.elements)
        #expect(elements[0].integerValue == Int.max)
        #expect(elements[1] == .number("9223372036854775808") && elements[1].integerValue == nil)
        #expect(elements[2].serialized() == "1000000000000000019884624838656", "the literal is kept digit for digit")
        #expect(elements[2].doubleValue == 1e30)
    }

    @Test(arguments: ["0", "-0", "12", "-12", "0.5", "1.25e-3", "1E+9", "-1.5E10", "1e05"])
    func acceptsNumberFormats(_ literal: String) throws {
        #expect(try JSONValue.parse(literal) == .number(literal))
    }

    @Test(arguments: ["01", "+1", ".5", "1.", "1e", "1e+", "-", "0x10", "NaN", "Infinity", "1.5.2", "--1"])
    func rejectsInvalidNumbers(_ literal: String) {
        #expect(syntaxError(literal) != nil, "\(literal)")
    }

    /// Python's `json` (and so transformers' `config.json`) writes these; they are read only when asked for.
    @Test(arguments: ["NaN", "Infinity", "-Infinity"])
    func acceptsNonFiniteNumbersWhenAsked(_ literal: String) throws {
        let document = "[\(literal), 1]"
        #expect(try JSONValue.parse(Array(document.utf8), acceptingNonFiniteNumbers: true)
            == .array([.number(literal), .number("1")]))
        #expect(syntaxError(document) != nil)
    }

    @Test(arguments: ["nan", "Inf", "-Inf", "-NaN", "Infinityx", "NaN1"])
    func rejectsOtherNonFiniteSpellings(_ literal: String) {
        #expect(throws: JSONParseError.self, "\(literal)") {
            try JSONValue.parse(Array(literal.utf8), acceptingNonFiniteNumbers: true)
        }
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONValue.parse(#""\" \\ \/ \b \f \n \r \t \u00e9 \u20AC \ud83d\ude00""#)
        #expect(value == .string("\" \\ / \u{08} \u{0C} \n \r \t é € 😀"))
    }

    @Test(arguments: [#""\ud83d""#, #""\ude00""#, #""\ud83d x""#, #""\ud83d\u0041""#, #""\ud83d\n""#])
    func rejectsLoneSurrogates(_ text: String) {
        guard case .syntax(_, _, _, let reason)? = syntaxError(text) else {
            Issue.record("\(text) parsed")
            return
        }
        #expect(reason.contains("surrogate"), "\(reason)")
    }

    @Test func rejectsRawControlCharactersAndInvalidUTF8() {
        for byte in UInt8(0) ..< 0x20 {
            #expect(throws: JSONParseError.self) { try JSONValue.parse([0x22, byte, 0x22]) }
        }
        #expect(throws: JSONParseError.self) { try JSONValue.parse([0x22, 0xC3, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSONValue.parse([0x22, 0xED, 0xA0, 0x80, 0x22]) }
    }

    /// Issues #14 and #15: a raw U+FEFF inside a string is text; only a byte-order mark at the very start of a
    /// document may be skipped, and only when asked.
    @Test func keepsByteOrderMarksInsideStrings() throws {
        let cases: [(source: String, text: String)] = [
            ("\u{FEFF}BOM start", "\u{FEFF}BOM start"), ("a\\n\u{FEFF}b", "a\n\u{FEFF}b"),
            ("\\t\u{FEFF}", "\t\u{FEFF}"), ("mid\u{FEFF}dle", "mid\u{FEFF}dle"),
            ("\u{FEFF}\u{FEFF}", "\u{FEFF}\u{FEFF}"),
        ]
        for (source, text) in cases {
            let value = try JSONValue.parse(#"{"text": "\#(source)"}"#)
            #expect(value["text"] == .string(text))
            #expect(value["text"]?.stringValue?.unicodeScalars.count == text.unicodeScalars.count)
        }
        let withMark = Array("\u{FEFF}{\"text\": \"\u{FEFF}x\"}".utf8)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(withMark) }
        #expect(try JSONValue.parse(withMark, skippingByteOrderMark: true) == ["text": "\u{FEFF}x"])
        #expect(throws: JSONParseError.self) {
            try JSONValue.parse(Array(" \u{FEFF}{}".utf8), skippingByteOrderMark: true)
        }
    }

    @Test func errorsGiveLineAndColumn() {
        #expect(syntaxError("{\"a\": 1,\n  \"b\": x}")
            == .syntax(offset: 16, line: 2, column: 8, reason: "unexpected character"))
        #expect(syntaxError("[1 2]")?.description == "expected \",\" or \"]\" at column 4")
        #expect(syntaxError("{}\n\n x")?.description == "unexpected text after the JSON value at line 3, column 2")
        #expect(syntaxError("\"abc")?.description == "unterminated string at column 5")
    }
}
