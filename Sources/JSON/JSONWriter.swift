extension JSONValue {
    /// The JSON text of this value in `format` (no trailing newline).
    public func serialized(_ format: JSONFormat = .compact) -> String {
        var output = ""
        append(to: &output, format: format, depth: 0)
        return output
    }

    /// `string` as a JSON string literal: quotes added; `"`, `\` and every control character escaped (the short
    /// forms `\b \f \n \r \t` where JSON has them, else `\u00XX`); with `escapingNonASCII`, every character
    /// outside printable ASCII as `\uXXXX` (a surrogate pair beyond U+FFFF), as Python's `ensure_ascii` does.
    /// This is the package's one JSON string escaper.
    public static func quoted(_ string: String, escapingNonASCII: Bool = false) -> String {
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case _ where scalar.value < 0x20 || (escapingNonASCII && scalar.value > 0x7E):
                for unit in String(scalar).utf16 {
                    let hex = String(unit, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    private func append(to output: inout String, format: JSONFormat, depth: Int) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .number(let text): output += text
        case .string(let text): output += Self.quoted(text, escapingNonASCII: format.escapesNonASCII)
        case .array(let elements):
            appendContainer(elements, open: "[", close: "]", to: &output, format: format, depth: depth) {
                $0.append(to: &$1, format: format, depth: depth + 1)
            }
        case .object(let members):
            let ordered = format.sortsKeys
                ? members.sorted { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) }
                : members
            let keySeparator = format.indentation != nil || format.spacedSeparators ? ": " : ":"
            appendContainer(ordered, open: "{", close: "}", to: &output, format: format, depth: depth) {
                $1 += Self.quoted($0.key, escapingNonASCII: format.escapesNonASCII) + keySeparator
                $0.value.append(to: &$1, format: format, depth: depth + 1)
            }
        }
    }

    /// Brackets around `items`, separated and indented as `format` says; empty containers stay `[]` / `{}`.
    private func appendContainer<Item>(
        _ items: [Item], open: String, close: String, to output: inout String, format: JSONFormat, depth: Int,
        appendItem: (Item, inout String) -> Void
    ) {
        output += open
        defer { output += close }
        guard !items.isEmpty else { return }
        guard let indentation = format.indentation else {
            for (index, item) in items.enumerated() {
                if index > 0 { output += format.spacedSeparators ? ", " : "," }
                appendItem(item, &output)
            }
            return
        }
        let inner = "\n" + String(repeating: " ", count: indentation * (depth + 1))
        for (index, item) in items.enumerated() {
            output += index > 0 ? "," + inner : inner
            appendItem(item, &output)
        }
        output += "\n" + String(repeating: " ", count: indentation * depth)
    }
}
