/// How `JSONValue.serialized(_:)` lays out a document.
public struct JSONFormat: Sendable, Equatable {
    /// Spaces per nesting level, each member and element on its own line; `nil` writes one line.
    public var indentation: Int?
    /// On one line: `", "` and `": "` between items (Python's default separators) rather than `","` and `":"`.
    public var spacedSeparators: Bool
    /// Object members sorted by key (by code point, as Python sorts) rather than in their stored order.
    public var sortsKeys: Bool
    /// Characters outside printable ASCII written as `\uXXXX` escapes (Python's `ensure_ascii`), else as UTF-8.
    public var escapesNonASCII: Bool

    public init(indentation: Int? = nil, spacedSeparators: Bool = false, sortsKeys: Bool = false,
                escapesNonASCII: Bool = false) {
        self.indentation = indentation
        self.spacedSeparators = spacedSeparators
        self.sortsKeys = sortsKeys
        self.escapesNonASCII = escapesNonASCII
    }

    /// `{"a":1,"b":[true,null]}`: one line, no spaces, members in order, UTF-8 kept (JSON lines, metrics).
    public static let compact = JSONFormat()

    /// `{"a": 1, "b": [true, null]}`: one line as Python's `json.dumps(value, ensure_ascii=False)` writes it.
    public static let spaced = JSONFormat(spacedSeparators: true)

    /// Python's `json.dumps(value, indent=2, sort_keys=True)`, the format of transformers' `config.json`.
    public static let python = JSONFormat(indentation: 2, sortsKeys: true, escapesNonASCII: true)
}
