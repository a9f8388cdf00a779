/// A token matched in the raw text before normalization, such as `[CLS]` or `[MASK]` typed in the input
/// (a Hugging Face "added token" with `normalized: false`, `lstrip`, `rstrip` and `single_word` off).
public struct AddedToken: Sendable, Equatable {
    public var content: String
    public var id: Int32
    /// Special tokens are left out by `decode(_:skipSpecialTokens: true)`.
    public var special: Bool

    public init(content: String, id: Int32, special: Bool) {
        self.content = content
        self.id = id
        self.special = special
    }
}

/// Finds added tokens in raw UTF-8 text: at the leftmost position where any matches, the longest one wins.
struct AddedTokenMatcher: Sendable {
    struct Match {
        var id: Int32
        var byteCount: Int
        var scalarCount: Int
    }

    private struct Pattern: Sendable {
        var bytes: [UInt8]
        var id: Int32
        var scalarCount: Int
    }

    /// Longest first, so the first pattern that matches at a position is the longest there.
    private let patterns: [Pattern]
    /// Whether some pattern starts with the byte (a quick test before comparing patterns).
    private let firstBytes: [Bool]

    init(_ tokens: [AddedToken]) {
        patterns = tokens.filter { !$0.content.isEmpty }
            .map { Pattern(bytes: Array($0.content.utf8), id: $0.id, scalarCount: $0.content.unicodeScalars.count) }
            .sorted { $0.bytes.count > $1.bytes.count }
        var firstBytes = Array(repeating: false, count: 256)
        for pattern in patterns { firstBytes[Int(pattern.bytes[0])] = true }
        self.firstBytes = firstBytes
    }

    @inline(__always)
    func mayStartMatch(_ byte: UInt8) -> Bool { firstBytes[Int(byte)] }

    /// The longest added token that starts at `index` of `text`, if any.
    func match(in text: UnsafeBufferPointer<UInt8>, at index: Int) -> Match? {
        let remaining = text.count - index
        for pattern in patterns where pattern.bytes.count <= remaining {
            var matches = true
            for (offset, byte) in pattern.bytes.enumerated() where text[index + offset] != byte {
                matches = false
                break
            }
            if matches {
                return Match(id: pattern.id, byteCount: pattern.bytes.count, scalarCount: pattern.scalarCount)
            }
        }
        return nil
    }
}
