import Tensors
import Tokenizers

/// Pads sequences and masks them for masked language modelling as BERT and DistilBERT pretrain (transformers'
/// `DataCollatorForLanguageModeling`): each real, non-special token is chosen with probability
/// `maskingProbability` (15%); a chosen token is replaced by the mask token with probability 0.8, by a token
/// drawn uniformly from the vocabulary with probability 0.1, and left as is otherwise. The labels
/// (``TokenLabels``) hold the original id at chosen positions and ``TokenLabels/ignored`` everywhere else.
///
/// The masks are drawn anew for every batch ("dynamic masking", as RoBERTa) from the run's generator, position by
/// position in row-major order, so a run is reproduced by its seed and resumed by the generator's saved state.
public struct MaskedLanguageModelCollator: Collator {
    public let padId: Int32
    public let maskId: Int32
    public let vocabularySize: Int
    /// Tokens never chosen (`[CLS]`, `[SEP]`, `[PAD]`, ...).
    public let specialTokenIds: Set<Int32>
    public let maskingProbability: Float
    private let generator: RandomGenerator

    /// A collator for `tokenizer`'s vocabulary, drawing from `generator`.
    public init(tokenizer: some Tokenizer, generator: RandomGenerator, maskingProbability: Float = 0.15)
        throws(MaskingError)
    {
        guard let maskId = tokenizer.maskId else { throw .noMaskToken }
        guard maskingProbability > 0 && maskingProbability < 1 else { throw .invalidProbability(maskingProbability) }
        padId = tokenizer.padId
        self.maskId = maskId
        vocabularySize = tokenizer.vocabularySize
        specialTokenIds = tokenizer.specialTokenIds
        self.maskingProbability = maskingProbability
        self.generator = generator
    }

    public func collate(_ examples: [TokenizedExample]) -> Batch {
        let padded = Batch(padding: examples, padId: padId, labels: nil)
        var ids = padded.ids
        var labels = [Int32](repeating: TokenLabels.ignored, count: ids.count)
        for position in ids.indices where padded.attentionMask[position] == 1 && !specialTokenIds.contains(ids[position]) {
            guard generator.uniform() < maskingProbability else { continue }
            labels[position] = ids[position]
            ids[position] = Self.replacement(of: ids[position], maskId: maskId, vocabularySize: vocabularySize, generator: generator)
        }
        return Batch(
            batchSize: padded.batchSize, sequenceLength: padded.sequenceLength, ids: ids, typeIds: padded.typeIds,
            attentionMask: padded.attentionMask, labels: TokenLabels(labels), exampleIndices: padded.exampleIndices,
            tokenCount: padded.tokenCount)
    }
}

extension MaskedLanguageModelCollator {
    /// What a chosen token becomes (BERT's 80/10/10): the mask token with probability 0.8, a token drawn uniformly
    /// from the vocabulary with probability 0.1, itself otherwise.
    static func replacement(of id: Int32, maskId: Int32, vocabularySize: Int, generator: RandomGenerator) -> Int32 {
        let draw = generator.uniform()
        if draw < 0.8 { return maskId }
        return draw < 0.9 ? Int32(generator.below(vocabularySize)) : id
    }
}

/// Why a masked-language-model collator cannot be made.
public enum MaskingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The tokenizer's vocabulary has no mask token.
    case noMaskToken
    /// The masking probability is not in (0, 1).
    case invalidProbability(Float)

    public var description: String {
        switch self {
        case .noMaskToken: "the tokenizer has no mask token, which masked language modelling needs"
        case .invalidProbability(let p): "the masking probability must be between 0 and 1 (exclusive), got \(p)"
        }
    }
}
