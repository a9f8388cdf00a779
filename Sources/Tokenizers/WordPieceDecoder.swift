/// The decoder stage: turns WordPiece tokens back into text, gluing each continuation piece to the piece before
/// it and optionally removing the space the tokenizer put before punctuation (Hugging Face `decoders.WordPiece`).
public struct WordPieceDecoder: Sendable, Equatable {
    /// The continuation prefix to remove (`##`).
    public var prefix: String
    /// Whether to apply `tokenizers`' clean-up to each piece (" ." -> ".", " n't" -> "n't", ...).
    public var cleanup: Bool

    public init(prefix: String = "##", cleanup: Bool = true) {
        self.prefix = prefix
        self.cleanup = cleanup
    }

    /// Joins `tokens` the way Hugging Face's WordPiece decoder does.
    func decode(_ tokens: [String]) -> String {
        var text = ""
        for (index, token) in tokens.enumerated() {
            var piece = token
            if index > 0 {
                if !prefix.isEmpty && piece.hasPrefix(prefix) {
                    piece.removeFirst(prefix.count)
                } else {
                    piece = " " + piece
                }
            }
            text += cleanup ? Self.cleanUp(piece, rules: Self.decoderRules) : piece
        }
        return text
    }

    /// The replacements of `tokenizers`' WordPiece decoder, applied in this order.
    static let decoderRules: [(String, String)] = [
        (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"),
        (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
    ]

    /// The replacements of transformers' `clean_up_tokenization`, applied to the whole decoded text.
    static let transformersRules: [(String, String)] = [
        (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"),
        (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
    ]

    /// Applies `rules` in order, each replacing every occurrence, on UTF-8 bytes (as Rust's `str::replace` does,
    /// with no regard for grapheme clusters).
    static func cleanUp(_ text: String, rules: [(String, String)]) -> String {
        // Every rule starts with a space; most pieces contain none.
        guard text.utf8.contains(0x20) else { return text }
        var bytes = Array(text.utf8)
        for (target, replacement) in rules {
            bytes = replacingOccurrences(in: bytes, of: Array(target.utf8), with: Array(replacement.utf8))
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func replacingOccurrences(in bytes: [UInt8], of target: [UInt8], with replacement: [UInt8])
        -> [UInt8]
    {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == target[0] && bytes[index...].starts(with: target) {
                result.append(contentsOf: replacement)
                index += target.count
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }
}
