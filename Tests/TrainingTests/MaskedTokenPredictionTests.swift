import Datasets
import Evaluation
import Models
import NN
import Tensors
import Testing
import Training

/// ``MaskedTokenPrediction`` runs the head on the masked positions only; it must give what the full head gives
/// at those positions.
struct MaskedTokenPredictionTests {
    @Test(arguments: [ModelType.bert, .distilbert])
    func theHeadOnMaskedRowsGivesTheFullComputationsLossAccuracyAndGradients(modelType: ModelType) throws {
        let tokenizer = try Fixtures.tokenizer()
        let model = MaskedLanguageModel(
            config: Fixtures.config(modelType: modelType, dropout: 0, vocabularySize: tokenizer.vocabularySize),
            generator: RandomGenerator(seed: 5))
        let examples = Fixtures.sentences(count: 12).enumerated().map { index, sentence in
            TokenizedExample(ids: tokenizer.encode(sentence.text).ids, label: nil, index: index)
        }
        let batch = try FixedMaskingCollator(tokenizer: tokenizer, seed: 1, maskingProbability: 0.4).collate(examples)
        let labels = try #require(batch.labels(as: TokenLabels.self)).ids

        let gathered = try MaskedTokenPrediction(model: model, batch: batch)
        gathered.loss.backward()
        let gatheredGradients = model.namedParameters().map { $0.tensor.grad?.scalars ?? [] }
        model.zeroGrad()

        // The full computation: logits at every position, the cross-entropy ignoring unmasked ones.
        let logits = model(EncoderInput(batch)).logits.reshaped([-1, tokenizer.vocabularySize])
        let loss = logits.crossEntropy(targets: labels)
        loss.backward()
        let scores = logits.scalars, vocabulary = tokenizer.vocabularySize
        let masked = labels.indices.filter { labels[$0] != TokenLabels.ignored }
        let correct = masked.filter { position in
            let row = scores[(position * vocabulary)..<((position + 1) * vocabulary)]
            return row.indices.max { row[$0] < row[$1] } == position * vocabulary + Int(labels[position])
        }.count

        #expect(gathered.maskedCount == masked.count && masked.count > 10)
        #expect(gathered.correct == correct)
        // The same rows through the same head: the gradients came out bit-identical; the loss (near 3) differs by
        // 2.4e-7 at most, its mean summed in another order. 1e-6 allows for other matrix kernels.
        #expect(abs(gathered.loss.item - loss.item) <= 1e-6)
        for ((name, tensor), expected) in zip(model.namedParameters(), gatheredGradients) {
            let full = try #require(tensor.grad, "\(name) has no gradient").scalars
            let worst = zip(full, expected).map { abs($0 - $1) }.max() ?? 0
            #expect(full.count == expected.count && worst <= 1e-6, "\(name): \(worst)")
        }
    }
}
