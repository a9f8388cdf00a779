/// One word of a sentence as the BERT pre-tokenizer splits it, with its WordPiece pieces and where it lies in the
/// original text.
public struct TokenizedWord: Sendable, Equatable {
    /// The word's place in the original text, in Unicode scalars (the tokenizer's offsets).
    public var scalarRange: Range<Int>
    /// The positions of its pieces in the sentence's encoding (`[CLS]` is position 0).
    public var tokenPositions: Range<Int>
    /// The ids of its pieces.
    public var pieceIds: [Int32]
    /// The word as the vocabulary spells it: its pieces joined without the continuation prefix (normalized, so
    /// lower-case for an uncased teacher).
    public var normalized: String

    /// Creates a word.
    public init(scalarRange: Range<Int>, tokenPositions: Range<Int>, pieceIds: [Int32], normalized: String) {
        self.scalarRange = scalarRange
        self.tokenPositions = tokenPositions
        self.pieceIds = pieceIds
        self.normalized = normalized
    }

    /// Whether the word is made of letters only (digits, punctuation and `[UNK]` are not).
    public var isAlphabetic: Bool { !normalized.isEmpty && normalized.allSatisfy(\.isLetter) }
}
