/// The result of tokenizing one text (or one pair of texts): the model inputs plus the tokens and where each
/// came from, with the same layout as a Hugging Face `tokenizers` `Encoding`.
public struct Encoding: Sendable, Equatable {
    /// Vocabulary ids, special tokens and padding included.
    public var ids: [Int32]
    /// Segment ids: 0 for the first text and its special tokens, 1 for the second text (per the template).
    public var typeIds: [Int32]
    /// 1 for real tokens, 0 for padding.
    public var attentionMask: [Int32]
    /// 1 for tokens added by the post-processor (`[CLS]`, `[SEP]`) and for padding, 0 otherwise.
    public var specialTokensMask: [Int32]
    /// The vocabulary string of every id.
    public var tokens: [String]
    /// Where each token came from, as `[start, end)` Unicode code-point indices into the ORIGINAL text
    /// (the second text for tokens of the second sequence); `0..<0` for special tokens and padding.
    public var offsets: [Range<Int>]

    /// Number of positions (tokens plus padding).
    public var count: Int { ids.count }

    /// Creates an encoding from parallel arrays; all of them must have the same length.
    public init(
        ids: [Int32], typeIds: [Int32], attentionMask: [Int32], specialTokensMask: [Int32],
        tokens: [String], offsets: [Range<Int>]
    ) {
        self.ids = ids
        self.typeIds = typeIds
        self.attentionMask = attentionMask
        self.specialTokensMask = specialTokensMask
        self.tokens = tokens
        self.offsets = offsets
    }
}

/// Which text loses tokens when a text or pair of texts does not fit in `maxLength`
/// (the names are those of Hugging Face `truncation=`).
public enum TruncationStrategy: String, Sendable, CaseIterable {
    /// Remove tokens from the longer sequence first (balancing the two when both are too long).
    case longestFirst = "longest_first"
    /// Remove tokens from the first sequence only.
    case onlyFirst = "only_first"
    /// Remove tokens from the second sequence only.
    case onlySecond = "only_second"
}

/// How a batch is padded.
public enum Padding: Sendable, Equatable {
    /// No padding: every encoding keeps its own length.
    case none
    /// Pad every encoding to the longest one in the batch.
    case longest
    /// Pad every encoding to the `maxLength` given to the call (no padding when none is given).
    case maxLength
}
