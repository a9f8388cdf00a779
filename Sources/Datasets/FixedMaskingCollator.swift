import Tensors
import Tokenizers

/// Masks as ``MaskedLanguageModelCollator`` does (15% of the real tokens; 80% `[MASK]`, 10% random, 10% kept), but
/// each sequence from a generator keyed by its own token ids and a fixed `seed`, not from a run's stream: a
/// sequence is masked the same way whatever batch, order, batch size or run it comes in, so every model that
/// shares the tokenizer is evaluated on the same positions with the same replacements. For held-out evaluation;
/// training masks anew in every batch.
public struct FixedMaskingCollator: Collator {
    public let seed: UInt64
    /// Masks one sequence at a time, its generator reset to the sequence's key first.
    private let masking: MaskedLanguageModelCollator
    private let generator = RandomGenerator(seed: 0)

    /// A collator for `tokenizer`'s vocabulary (which needs a mask token).
    public init(tokenizer: some Tokenizer, seed: UInt64, maskingProbability: Float = 0.15) throws(MaskingError) {
        self.seed = seed
        masking = try MaskedLanguageModelCollator(
            tokenizer: tokenizer, generator: generator, maskingProbability: maskingProbability)
    }

    public func collate(_ examples: [TokenizedExample]) -> Batch {
        var maskedExamples: [TokenizedExample] = []
        var rowLabels: [[Int32]] = []
        for example in examples {
            // Always valid: a state made by a generator is four words, not all zero.
            _ = generator.restore(state: RandomGenerator(seed: key(of: example.ids)).state)
            let row = masking.collate([example])
            maskedExamples.append(TokenizedExample(ids: row.ids, typeIds: example.typeIds, label: nil, index: example.index))
            rowLabels.append(row.labels(as: TokenLabels.self)?.ids ?? [])
        }
        let padded = Batch(padding: maskedExamples, padId: masking.padId, labels: nil)
        let labels = rowLabels.flatMap { $0 + repeatElement(TokenLabels.ignored, count: padded.sequenceLength - $0.count) }
        return Batch(
            batchSize: padded.batchSize, sequenceLength: padded.sequenceLength, ids: padded.ids, typeIds: padded.typeIds,
            attentionMask: padded.attentionMask, labels: TokenLabels(labels), exampleIndices: padded.exampleIndices,
            tokenCount: padded.tokenCount)
    }

    /// A 64-bit key of `ids` and the seed: each id folded in through the SplitMix64 finalizer (a bijective mix,
    /// so sequences that differ in one id get unrelated keys).
    private func key(of ids: [Int32]) -> UInt64 {
        ids.reduce(SplitMix64.mix(seed)) { hash, id in
            SplitMix64.mix((hash &+ SplitMix64.increment) ^ UInt64(UInt32(bitPattern: id)))
        }
    }
}
