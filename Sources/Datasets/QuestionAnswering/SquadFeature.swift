/// One window of a SQuAD example as the model sees it: `[CLS] question [SEP] part of the context [SEP]`, with
/// where each context token came from and, for training, the answer's token positions in this window.
public struct SquadFeature: Sendable, Equatable {
    /// The tokens; ``TokenizedExample/index`` is this window's index among all windows of the data set.
    public var tokens: TokenizedExample
    /// The index of the example (question) this window belongs to.
    public var exampleIndex: Int
    /// Per token position, the code-point range of the context it came from; `nil` for the question and the
    /// special tokens.
    public var contextOffsets: [Range<Int>?]
    /// The answer's first and last token (inclusive) in this window; both 0 (`[CLS]`) when the first reference
    /// answer is not wholly inside the window, or the question has none.
    public var startPosition: Int
    public var endPosition: Int

    public init(tokens: TokenizedExample, exampleIndex: Int, contextOffsets: [Range<Int>?], startPosition: Int, endPosition: Int) {
        self.tokens = tokens
        self.exampleIndex = exampleIndex
        self.contextOffsets = contextOffsets
        self.startPosition = startPosition
        self.endPosition = endPosition
    }

    /// Whether the answer is inside this window (it is labelled with a span rather than `[CLS]`).
    public var containsAnswer: Bool { startPosition != 0 }
}
