import JSON
import Testing

@Suite struct JSONWriterTests {
    @Test func escapesEveryControlCharacter() throws {
        let short: [UInt32: String] = [0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"]
        for code in UInt32(0) ..< 0x20 {
            let scalar = try #require(Unicode.Scalar(code))
            let hex = String(code, radix: 16)
            let expected = short[code] ?? "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            #expect(JSONValue.quoted(String(scalar)) == "\"\(expected)\"")
            #expect(try JSONValue.parse(JSONValue.quoted("a\(scalar)b")) == .string("a\(scalar)b"))
        }
        #expect(JSONValue.quoted("say \"hi\" \\ /") == #""say \"hi\" \\ /""#)
    }

    @Test func keepsOrEscapesNonASCII() throws {
        let text = "é € 😀 \u{7F} \u{FEFF}"
        #expect(JSONValue.quoted(text) == "\"\(text)\"")
        let ascii = JSONValue.quoted(text, escapingNonASCII: true)
        #expect(ascii == #""\u00e9 \u20ac \ud83d\ude00 \u007f \ufeff""#)
        #expect(try JSONValue.parse(ascii) == .string(text))
    }

    @Test func writesTheThreeFormats() {
        let value: JSONValue = ["b": [1, 2.5, true, .null], "a": "é", "c": [:], "d": []]
        #expect(value.serialized() == #"{"b":[1,2.5,true,null],"a":"é","c":{},"d":[]}"#)
        #expect(value.serialized(.spaced) == #"{"b": [1, 2.5, true, null], "a": "é", "c": {}, "d": []}"#)
        // What Python's json.dumps(value, indent=2, sort_keys=True) prints.
        #expect(value.serialized(.python) == """
            {
              "a": "\\u00e9",
              "b": [
                1,
                2.5,
                true,
                null
              ],
              "c": {},
              "d": []
            }
            """)
    }

    @Test func sortsKeysByCodePoint() {
        let value: JSONValue = ["é": 1, "b": 2, "B": 3, "_": 4]
        #expect(value.serialized(JSONFormat(sortsKeys: true)) == #"{"B":3,"_":4,"b":2,"é":1}"#)
    }

    @Test func numbersInShortestRoundTripForm() throws {
        #expect(JSONValue(0.1).serialized() == "0.1")
        #expect(JSONValue(1.0).serialized() == "1.0")
        #expect(JSONValue(1e-5).serialized() == "1e-05")
        #expect(JSONValue(Float(0.1)).serialized() == "0.1")
        #expect(JSONValue(-7).serialized() == "-7")
        #expect(JSONValue(Double.nan) == .null && JSONValue(Float.infinity) == .null, "JSON has no NaN")
        for number in [0.1, 1e-5, 123456.789, -2.5e300, Double.leastNonzeroMagnitude] {
            #expect(try JSONValue.parse(JSONValue(number).serialized()).doubleValue == number)
        }
    }

    @Test func roundTripsADocument() throws {
        let text = #"{"z":[{"k":"v\n\u0001"},-0.0,1e400],"a":{"nested":[[],{}]},"big":123456789012345678901234567890}"#
        #expect(try JSONValue.parse(text).serialized() == text)
    }
}
