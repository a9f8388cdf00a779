import Models
import Tensors

/// One word to predict: a sentence's ids with the word's single piece replaced by `[MASK]`.
public struct MaskedWordQuery: Sendable {
    /// `[CLS] pieces [SEP]` with `[MASK]` at `position`.
    public var ids: [Int32]
    /// The masked position.
    public var position: Int
    /// The word that was masked, which is never its own replacement.
    public var word: String

    /// Creates a query.
    public init(ids: [Int32], position: Int, word: String) {
        self.ids = ids
        self.position = position
        self.word = word
    }
}

/// The teacher's top predictions for masked words, computed in batches of sequences of similar length (each batch
/// padded to its longest sequence) with only the masked positions sent through the vocabulary projection.
public struct MaskedWordPredictor {
    /// The masked-language model, in evaluation mode.
    public let model: MaskedLanguageModel
    /// What a prediction may be.
    public let vocabulary: CandidateVocabulary
    /// Sequences per forward pass.
    public let batchSize: Int

    /// A predictor of `model`'s guesses among `vocabulary`, `batchSize` sequences at a time.
    public init(model: MaskedLanguageModel, vocabulary: CandidateVocabulary, batchSize: Int) {
        self.model = model
        self.vocabulary = vocabulary
        self.batchSize = max(1, batchSize)
    }

    /// The `count` most likely allowed entries at each query's masked position, best first, in query order;
    /// `afterBatch` is called after each forward pass with the number of queries done and the batch's tokens.
    public func predict(_ queries: [MaskedWordQuery], count: Int, afterBatch: (_ done: Int, _ tokens: Int) -> Void = { _, _ in })
        -> [[Int32]]
    {
        var predictions = [[Int32]](repeating: [], count: queries.count)
        // Sorting by length keeps padding small; the results do not depend on the order.
        let order = queries.indices.sorted { (queries[$0].ids.count, $0) < (queries[$1].ids.count, $1) }
        var done = 0
        for start in stride(from: 0, to: order.count, by: batchSize) {
            let batch = Array(order[start..<min(start + batchSize, order.count)])
            for (index, best) in zip(batch, predictBatch(batch.map { queries[$0] }, count: count)) {
                predictions[index] = best
            }
            done += batch.count
            afterBatch(done, batch.reduce(0) { $0 + queries[$1].ids.count })
        }
        return predictions
    }

    private func predictBatch(_ queries: [MaskedWordQuery], count: Int) -> [[Int32]] {
        let length = queries.map(\.ids.count).max() ?? 0
        var ids = [Int32](repeating: 0, count: queries.count * length)
        var mask = [Int32](repeating: 0, count: queries.count * length)
        for (row, query) in queries.enumerated() {
            for (column, id) in query.ids.enumerated() {
                ids[row * length + column] = id
                mask[row * length + column] = 1
            }
        }
        let positions = queries.enumerated().map { Int32($0.offset * length + $0.element.position) }
        let input = EncoderInput(ids: ids, attentionMask: mask, batchSize: queries.count, sequenceLength: length)
        let logits = withoutGrad {
            let hidden = model.encoder(input).lastHidden.reshaped([queries.count * length, model.config.hiddenSize])
            return model.vocabularyLogits(hidden.gatherRows(positions))
        }
        let vocabularySize = logits.lastDimension
        return logits.withUnsafeBufferPointer { scores in
            queries.indices.map { row in
                vocabulary.best(count, of: UnsafeBufferPointer(rebasing: scores[(row * vocabularySize)..<((row + 1) * vocabularySize)]),
                                excluding: queries[row].word)
            }
        }
    }
}
