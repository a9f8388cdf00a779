extension JSONValue {
    /// How deeply arrays and objects may nest, so that a hostile document cannot exhaust the stack.
    public static let maximumDepth = 64

    /// Parses a complete UTF-8 encoded JSON document (surrounding whitespace allowed). A byte-order mark is
    /// skipped only at the very start of the document and only when `skippingByteOrderMark` is set (for the
    /// start of a file); anywhere else, and inside strings, U+FEFF is text like any other character.
    /// `acceptingNonFiniteNumbers` also reads `NaN`, `Infinity` and `-Infinity`, which are not JSON but are what
    /// Python's `json` writes and reads back (transformers' `config.json`); they become `.number("NaN")` etc.
    public static func parse(
        _ bytes: some Collection<UInt8>, skippingByteOrderMark: Bool = false, acceptingNonFiniteNumbers: Bool = false
    ) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: Array(bytes), acceptsNonFiniteNumbers: acceptingNonFiniteNumbers)
        if skippingByteOrderMark { parser.skipByteOrderMark() }
        return try parser.parseDocument()
    }

    /// Parses `text` as a complete JSON document.
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }
}

/// Recursive-descent parser over a byte array (bounds-checked indexing, nesting depth limited).
private struct JSONParser {
    private let bytes: [UInt8]
    private let acceptsNonFiniteNumbers: Bool
    private var position = 0

    init(bytes: [UInt8], acceptsNonFiniteNumbers: Bool) {
        self.bytes = bytes
        self.acceptsNonFiniteNumbers = acceptsNonFiniteNumbers
    }

    mutating func skipByteOrderMark() {
        if position == 0, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        let value = try parseValue(depth: 0, path: "")
        skipWhitespace()
        if position != bytes.count { throw failure("unexpected text after the JSON value") }
        return value
    }

    private func failure(_ reason: String, at offset: Int? = nil) -> JSONParseError {
        let offset = offset ?? position
        let before = bytes[..<min(offset, bytes.count)]
        let lineStart = before.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        let line = before.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
        return .syntax(offset: offset, line: line, column: offset - lineStart + 1, reason: reason)
    }

    private var current: UInt8? {
        position < bytes.count ? bytes[position] : nil
    }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
            position += 1
        }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(JSONParseError) {
        skipWhitespace()
        guard current == byte else { throw failure("expected \(what)") }
        position += 1
    }

    private mutating func parseValue(depth: Int, path: String) throws(JSONParseError) -> JSONValue {
        guard depth < JSONValue.maximumDepth else {
            throw failure("nesting deeper than \(JSONValue.maximumDepth) levels")
        }
        skipWhitespace()
        guard let byte = current else { throw failure("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(depth: depth, path: path)
        case UInt8(ascii: "["): return try parseArray(depth: depth, path: path)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try parseLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try parseLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try parseLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            if let number = try parseNonFiniteNumber() { return .number(number) }
            return .number(try parseNumber())
        case UInt8(ascii: "N"), UInt8(ascii: "I"):
            guard let number = try parseNonFiniteNumber() else { throw failure("unexpected character") }
            return .number(number)
        default: throw failure("unexpected character")
        }
    }

    private mutating func parseObject(depth: Int, path: String) throws(JSONParseError) -> JSONValue {
        position += 1  // "{"
        var members: [JSONValue.Member] = []
        var seen: Set<String> = []
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw failure("expected a string key") }
            let key = try parseString()
            guard seen.insert(key).inserted else { throw .duplicateKey(key: key, path: path) }
            try expect(UInt8(ascii: ":"), "\":\"")
            let memberPath = path.isEmpty ? key : path + "." + key
            members.append(.init(key: key, value: try parseValue(depth: depth + 1, path: memberPath)))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return .object(members)
            default: throw failure("expected \",\" or \"}\"")
            }
        }
    }

    private mutating func parseArray(depth: Int, path: String) throws(JSONParseError) -> JSONValue {
        position += 1  // "["
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue(depth: depth + 1, path: "\(path)[\(elements.count)]"))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return .array(elements)
            default: throw failure("expected \",\" or \"]\"")
            }
        }
    }

    private mutating func parseLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw failure("invalid literal") }
        let matches = literal.withUTF8Buffer { expected in
            expected.elementsEqual(bytes[position ..< position + count])
        }
        guard matches else { throw failure("invalid literal") }
        position += count
    }

    /// `NaN`, `Infinity` or `-Infinity` when they are accepted and come next; `nil` otherwise.
    private mutating func parseNonFiniteNumber() throws(JSONParseError) -> String? {
        guard acceptsNonFiniteNumbers else { return nil }
        for literal: StaticString in ["NaN", "Infinity", "-Infinity"] where startsWith(literal) {
            try parseLiteral(literal)
            return literal.description
        }
        return nil
    }

    private func startsWith(_ literal: StaticString) -> Bool {
        literal.withUTF8Buffer { expected in bytes[position...].starts(with: expected) }
    }

    /// Grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func parseNumber() throws(JSONParseError) -> String {
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        if current == UInt8(ascii: "0") {
            position += 1
        } else if skipDigits() == 0 {
            throw failure("invalid number")
        }
        if current == UInt8(ascii: ".") {
            position += 1
            guard skipDigits() > 0 else { throw failure("invalid number") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard skipDigits() > 0 else { throw failure("invalid number") }
        }
        return String(decoding: bytes[start ..< position], as: UTF8.self)
    }

    private mutating func skipDigits() -> Int {
        let start = position
        while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { position += 1 }
        return position - start
    }

    /// The bytes between the quotes are copied unchanged (a U+FEFF among them is text, not a byte-order mark)
    /// and checked to be UTF-8; escapes are decoded.
    private mutating func parseString() throws(JSONParseError) -> String {
        let start = position
        position += 1  // opening quote
        var utf8: [UInt8] = []
        while true {
            guard let byte = current else { throw failure("unterminated string") }
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: utf8, as: UTF8.self) else {
                    throw failure("string is not valid UTF-8", at: start)
                }
                return text
            case UInt8(ascii: "\\"):
                try appendEscape(to: &utf8)
            case 0 ..< 0x20:
                position -= 1
                throw failure("unescaped control character in string")
            default:
                utf8.append(byte)
            }
        }
    }

    private mutating func appendEscape(to utf8: inout [UInt8]) throws(JSONParseError) {
        guard let byte = current else { throw failure("unterminated escape") }
        position += 1
        let simple: UInt8? = switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): byte
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        default: nil
        }
        if let simple {
            utf8.append(simple)
            return
        }
        guard byte == UInt8(ascii: "u") else { throw failure("invalid escape") }
        var value = UInt32(try parseHexQuad())
        if (0xD800 ..< 0xDC00).contains(value) {
            // A high surrogate must be followed by an escaped low surrogate.
            guard current == UInt8(ascii: "\\"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u")
            else { throw failure("unpaired surrogate") }
            position += 2
            let low = UInt32(try parseHexQuad())
            guard (0xDC00 ..< 0xE000).contains(low) else { throw failure("unpaired surrogate") }
            value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(value) else { throw failure("unpaired surrogate") }
        utf8.append(contentsOf: String(scalar).utf8)
    }

    private mutating func parseHexQuad() throws(JSONParseError) -> UInt16 {
        guard position + 4 <= bytes.count else { throw failure("invalid \\u escape") }
        var value: UInt16 = 0
        for byte in bytes[position ..< position + 4] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("invalid \\u escape")
            }
            value = value << 4 | UInt16(digit)
        }
        position += 4
        return value
    }
}
