import Tokenizers

/// Cuts SQuAD examples into model inputs as transformers' question-answering preprocessing does
/// (`tokenizer(question, context, truncation="only_second", max_length=384, stride=128,
/// return_overflowing_tokens=True, return_offsets_mapping=True)`): the whole question in every window, and the
/// context in windows of as many tokens as fit, each starting `stride` tokens before the previous one ends, until
/// one reaches the end of the context.
public struct SquadFeaturizer: Sendable {
    /// The window length of the notebook and of transformers' `run_qa.py`.
    public static let defaultMaxLength = 384

    public let tokenizer: any Tokenizer
    /// Tokens per window, special tokens included.
    public let maxLength: Int
    /// Context tokens shared by consecutive windows.
    public let stride: Int

    /// Windows of `maxLength` tokens sharing `stride` context tokens; by default a third of the window, the
    /// notebook's 128 of 384.
    public init(tokenizer: any Tokenizer, maxLength: Int = defaultMaxLength, stride: Int? = nil) {
        self.tokenizer = tokenizer
        self.maxLength = maxLength
        self.stride = stride ?? maxLength / 3
    }

    /// The windows of every example, in order, numbered from 0.
    public func features(of examples: [SquadExample]) throws(SquadFeatureError) -> [SquadFeature] {
        var features: [SquadFeature] = []
        features.reserveCapacity(examples.count)
        for (index, example) in examples.enumerated() {
            features += try self.features(of: example, exampleIndex: index, firstFeatureIndex: features.count)
        }
        return features
    }

    /// The windows of one example, numbered from `firstFeatureIndex`.
    public func features(of example: SquadExample, exampleIndex: Int, firstFeatureIndex: Int) throws(SquadFeatureError)
        -> [SquadFeature]
    {
        let encoding = tokenizer.encode(example.question, pair: example.context, maxLength: nil, truncation: .onlySecond, padToMaxLength: false)
        // The context's tokens are the second sequence's ordinary tokens; the special tokens around them (for
        // BERT `[CLS] question [SEP]` before and `[SEP]` after) go into every window.
        let contextPositions = encoding.typeIds.indices.filter { encoding.typeIds[$0] == 1 && encoding.specialTokensMask[$0] == 0 }
        guard let contextStart = contextPositions.first, let contextEnd = contextPositions.last.map({ $0 + 1 }) else {
            throw .noContextTokens(id: example.id)
        }
        let fixedCount = encoding.count - (contextEnd - contextStart)
        let budget = maxLength - fixedCount
        guard budget > stride else {
            throw .questionTooLong(id: example.id, tokens: fixedCount, maxLength: maxLength, stride: stride)
        }
        let contextCount = contextEnd - contextStart
        var windows: [Range<Int>] = []
        var start = 0
        while true {
            let end = min(start + budget, contextCount)
            windows.append(start..<end)
            if end == contextCount { break }
            start += budget - stride
        }
        let answer = example.answers.first
        return windows.enumerated().map { number, window in
            let positions = Array(0..<contextStart) + window.map { $0 + contextStart } + Array(contextEnd..<encoding.count)
            let offsets = positions.map { position in
                (contextStart..<contextEnd).contains(position) ? encoding.offsets[position] : nil
            }
            let (startPosition, endPosition) = answer.map { Self.tokenSpan(of: $0, offsets: offsets) } ?? (0, 0)
            return SquadFeature(
                tokens: TokenizedExample(
                    ids: positions.map { encoding.ids[$0] }, typeIds: positions.map { encoding.typeIds[$0] }, label: nil,
                    index: firstFeatureIndex + number),
                exampleIndex: exampleIndex, contextOffsets: offsets, startPosition: startPosition, endPosition: endPosition)
        }
    }

    /// The first and last token of `answer` among the context tokens of a window, or `(0, 0)` (`[CLS]`) unless
    /// the window's context covers the whole answer: the last token starting at or before the answer's first
    /// character, and the first token ending at or after its end. (transformers' notebook walks the offsets the
    /// same way, but can step past the context when the answer is its last token; this stays inside.)
    static func tokenSpan(of answer: SquadAnswer, offsets: [Range<Int>?]) -> (Int, Int) {
        let context = offsets.indices.filter { offsets[$0] != nil }
        guard let first = context.first, let last = context.last,
              let firstOffset = offsets[first], let lastOffset = offsets[last],
              firstOffset.lowerBound <= answer.start, lastOffset.upperBound >= answer.end
        else { return (0, 0) }
        let start = context.last { offsets[$0].map { $0.lowerBound <= answer.start } ?? false } ?? first
        let end = context.first { offsets[$0].map { $0.upperBound >= answer.end } ?? false } ?? last
        return (start, max(start, end))
    }
}

/// Why an example cannot be cut into windows.
public enum SquadFeatureError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The context gives no tokens.
    case noContextTokens(id: String)
    /// The question and special tokens (`tokens` of them) leave no more than `stride` context tokens per window.
    case questionTooLong(id: String, tokens: Int, maxLength: Int, stride: Int)

    public var description: String {
        switch self {
        case .noContextTokens(let id): "question \(id): the context has no tokens"
        case .questionTooLong(let id, let tokens, let maxLength, let stride):
            "question \(id): the question and special tokens take \(tokens) of the \(maxLength) tokens of a window, leaving no more than the \(stride) context tokens windows share"
        }
    }
}
