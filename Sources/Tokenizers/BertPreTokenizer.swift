/// The `BertPreTokenizer` stage: split the normalized text on whitespace (dropped) and make every punctuation
/// character a word of its own.
public struct BertPreTokenizer: Sendable, Equatable {
    public init() {}

    /// What one normalized scalar is to the pre-tokenizer.
    enum Role {
        /// Whitespace: ends the current word and is dropped.
        case separator
        /// Punctuation: a word of its own.
        case punctuation
        /// Part of the current word.
        case wordCharacter
    }

    @inline(__always)
    func role(of scalar: Unicode.Scalar) -> Role {
        if BertCharacterClasses.isWhitespace(scalar) { return .separator }
        if BertCharacterClasses.isPunctuation(scalar) { return .punctuation }
        return .wordCharacter
    }
}
