import Datasets
import Evaluation
import Foundation
import Models
import Tensors
import Tokenizers

/// The masked-LM objective on one masked batch: cross-entropy of the head's predictions at the masked positions
/// only (the vocabulary projection of the other positions is never computed), and the top-1 hits.
public struct MaskedTokenPrediction {
    /// The mean cross-entropy over the masked tokens (transformers' `BertForMaskedLM` loss).
    public let loss: Tensor
    /// Masked tokens whose most likely prediction is the original token.
    public let correct: Int
    /// Masked tokens in the batch.
    public let maskedCount: Int

    /// Runs `model` on `batch`, whose labels are ``TokenLabels``. A batch where nothing is masked gives a zero
    /// loss (still attached to the head, so that back-propagating it is a no-op rather than an error).
    public init(model: MaskedLanguageModel, batch: Batch) throws(TrainingError) {
        guard let labels = batch.labels(as: TokenLabels.self)?.ids else {
            throw .unlabelledBatch(exampleIndex: batch.exampleIndices.first ?? 0)
        }
        let hidden = model.encoder(EncoderInput(batch)).lastHidden
        let flat = hidden.reshaped([batch.batchSize * batch.sequenceLength, model.config.hiddenSize])
        let positions = labels.indices.filter { labels[$0] != TokenLabels.ignored }.map(Int32.init)
        guard !positions.isEmpty else {
            loss = model.vocabularyLogits(flat.gatherRows([0])).sum() * 0
            (correct, maskedCount) = (0, 0)
            return
        }
        let targets = positions.map { labels[Int($0)] }
        let logits = model.vocabularyLogits(flat.gatherRows(positions))
        loss = logits.crossEntropy(targets: targets)
        let vocabulary = logits.lastDimension
        correct = logits.withUnsafeBufferPointer { scores in
            zip(targets.indices, targets).filter { row, target in
                let rowScores = scores[(row * vocabulary)..<((row + 1) * vocabulary)]
                return rowScores.indices.max { rowScores[$0] < rowScores[$1] } == row * vocabulary + Int(target)
            }.count
        }
        maskedCount = positions.count
    }
}

/// Masked-token accuracy (top-1) and MLM cross-entropy on held-out text, over the same masked positions for every
/// model that shares the tokenizer: each sequence is masked once, when the evaluator is made, by a
/// ``FixedMaskingCollator`` keyed by its tokens and `maskingSeed` (so the run's random stream is untouched, and the
/// masks depend neither on the model nor on the batch size).
public struct MaskedTokenEvaluator {
    /// The held-out batches, masked.
    public let batches: [Batch]
    /// Lines left out because they were not UTF-8 text (when asked to skip them).
    public let skippedLines: Int

    /// Reads at most `maxSequences` sequences of at most `maxLength` tokens from `url` (documents concatenated, as
    /// for training) and masks 15% of their tokens with `maskingSeed`. A line that is not UTF-8 text is an error
    /// naming the file and line, or with `skipInvalidLines` is left out and counted.
    public init(
        url: URL, boundary: DocumentBoundary = .line, tokenizer: some Tokenizer, maxLength: Int, maxSequences: Int,
        batchSize: Int, maskingSeed: UInt64 = 0, skipInvalidLines: Bool = false
    ) throws {
        let stream = try TokenSequenceStream(
            url: url, boundary: boundary, tokenizer: tokenizer, maxLength: maxLength, skipInvalidLines: skipInvalidLines)
        var sequences: [TokenizedExample] = []
        while sequences.count < maxSequences, let sequence = try stream.next() { sequences.append(sequence) }
        let collator = try FixedMaskingCollator(tokenizer: tokenizer, seed: maskingSeed)
        batches = stride(from: 0, to: sequences.count, by: batchSize).map { start in
            collator.collate(Array(sequences[start..<min(start + batchSize, sequences.count)]))
        }
        skippedLines = stream.position.corpus.skippedLines
    }

    /// The masked-LM checkpoint in `directory` and its tokenizer, ready to evaluate sequences of `maxLength`
    /// tokens (dropout off). A checkpoint without the head's weights is refused, not evaluated with a random head.
    public static func loadModel(from directory: URL, maxLength: Int) throws -> (model: MaskedLanguageModel, tokenizer: BertTokenizer) {
        let tokenizer = try BertTokenizer(directory: directory)
        let (model, report) = try MaskedLanguageModel.load(from: directory)
        let missingHead = report.missingHead(of: model.config)
        guard missingHead.isEmpty else {
            throw MaskedLanguageModelError.noMaskedLanguageModelHead(directory: directory.path, missing: missingHead)
        }
        try FineTuningError.check(maxLength: maxLength, tokenizer: tokenizer, model: model.config, directory: directory)
        model.setTraining(false)
        return (model, tokenizer)
    }

    /// The number of sequences evaluated.
    public var sequenceCount: Int { batches.reduce(0) { $0 + $1.batchSize } }

    /// `masked_accuracy` and `mlm_loss` (both over all masked tokens, not averaged per batch) and `masked_tokens`.
    public func evaluate(_ model: MaskedLanguageModel) throws -> [String: Double] {
        var lossSum = 0.0, correct = 0, count = 0
        for batch in batches {
            let prediction = try withoutGrad { try MaskedTokenPrediction(model: model, batch: batch) }
            lossSum += Double(prediction.loss.item) * Double(prediction.maskedCount)
            correct += prediction.correct
            count += prediction.maskedCount
        }
        let tokens = Double(max(count, 1))
        return ["masked_accuracy": Double(correct) / tokens, "mlm_loss": lossSum / tokens, "masked_tokens": Double(count)]
    }
}
