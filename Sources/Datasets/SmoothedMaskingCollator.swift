import Foundation
import Tensors
import Tokenizers

/// Masks sequences for masked language modelling the way DistilBERT's general distillation does (Hugging Face's
/// `distiller.py`, `prepare_batch_mlm` with `mlm_smoothing` 0.7): instead of choosing each token independently, it
/// chooses exactly ⌈p · n⌉ positions of the batch's n real tokens (p = 15%), without replacement, each with
/// probability proportional to w(id) = max(count(id), 1)^−0.7, where count is the token's frequency in the corpus
/// (``TokenCounts``) and special tokens weigh 0. Rare tokens are thus chosen more often than their frequency
/// alone would have them, which keeps the loss from being dominated by frequent words. Chosen tokens become
/// `[MASK]` / a random token / themselves with probabilities 0.8 / 0.1 / 0.1, and are the ``TokenLabels``.
///
/// Sampling without replacement is done with Efraimidis and Spirakis's keys: each candidate draws u ∈ (0, 1) and
/// the ⌈p · n⌉ largest log(u) / w are kept, which has the distribution of drawing positions one by one with
/// probability proportional to their weight among those left (`torch.multinomial(..., replacement=False)`). Draws
/// come from the run's generator, in row-major order, so a run is reproduced by its seed.
public struct SmoothedMaskingCollator: Collator {
    public let padId: Int32
    public let maskId: Int32
    public let vocabularySize: Int
    public let maskingProbability: Float
    /// w(id) for every id of the vocabulary (0 for special tokens).
    public let weights: [Double]
    private let generator: RandomGenerator

    /// DistilBERT's exponent: weights are count^−0.7.
    public static let defaultSmoothing = 0.7

    /// A collator for `tokenizer`'s vocabulary whose weights come from `counts` (one per id).
    public init(
        tokenizer: some Tokenizer, counts: TokenCounts, generator: RandomGenerator, maskingProbability: Float = 0.15,
        smoothing: Double = defaultSmoothing
    ) throws(MaskingError) {
        guard let maskId = tokenizer.maskId else { throw .noMaskToken }
        guard maskingProbability > 0 && maskingProbability < 1 else { throw .invalidProbability(maskingProbability) }
        padId = tokenizer.padId
        self.maskId = maskId
        vocabularySize = tokenizer.vocabularySize
        self.maskingProbability = maskingProbability
        let special = tokenizer.specialTokenIds
        weights = (0..<tokenizer.vocabularySize).map { id in
            special.contains(Int32(id)) ? 0 : pow(Double(max(counts.count(of: Int32(id)), 1)), -smoothing)
        }
        self.generator = generator
    }

    public func collate(_ examples: [TokenizedExample]) -> Batch {
        let padded = Batch(padding: examples, padId: padId, labels: nil)
        var ids = padded.ids
        var labels = [Int32](repeating: TokenLabels.ignored, count: ids.count)
        let target = Int((Double(maskingProbability) * Double(padded.tokenCount)).rounded(.up))
        var keyed: [(key: Double, position: Int)] = []
        for position in ids.indices where padded.attentionMask[position] == 1 {
            let weight = Int(ids[position]) < weights.count ? weights[Int(ids[position])] : 0
            guard weight > 0 else { continue }
            let u = max(Double(generator.uniform()), .leastNormalMagnitude)
            keyed.append((log(u) / weight, position))
        }
        let chosen = keyed.sorted { ($0.key, $1.position) > ($1.key, $0.position) }.prefix(target).map(\.position).sorted()
        for position in chosen {
            labels[position] = ids[position]
            ids[position] = MaskedLanguageModelCollator.replacement(
                of: ids[position], maskId: maskId, vocabularySize: vocabularySize, generator: generator)
        }
        return Batch(
            batchSize: padded.batchSize, sequenceLength: padded.sequenceLength, ids: ids, typeIds: padded.typeIds,
            attentionMask: padded.attentionMask, labels: TokenLabels(labels), exampleIndices: padded.exampleIndices,
            tokenCount: padded.tokenCount)
    }
}
