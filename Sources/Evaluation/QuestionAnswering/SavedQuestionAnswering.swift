import Datasets
import Foundation
import Models
import Tokenizers

/// A question-answering model (`BertForQuestionAnswering` / `DistilBertForQuestionAnswering`) and its
/// tokenizer, loaded from a Hugging Face model directory, answering SQuAD questions.
public struct SavedQuestionAnswering {
    /// The directory it was loaded from.
    public let directory: URL
    public let model: QuestionAnswering
    public let tokenizer: BertTokenizer

    /// Loads the model in evaluation mode; every weight of the head and encoder must be in the checkpoint.
    public init(directory: URL) throws {
        self.directory = directory
        (model, _) = try QuestionAnswering.load(from: directory, strict: true)
        model.setTraining(false)
        tokenizer = try BertTokenizer(directory: directory)
        guard tokenizer.vocabularySize <= model.config.vocabSize else {
            throw SavedClassifierError.vocabularyTooLarge(
                directory: directory.path, tokenizer: tokenizer.vocabularySize, model: model.config.vocabSize)
        }
    }

    /// Windows of `maxLength` tokens (by default the notebook's 384) sharing a third of them, at most as many as
    /// the model has positions.
    public func featurizer(maxLength: Int = SquadFeaturizer.defaultMaxLength) -> SquadFeaturizer {
        SquadFeaturizer(tokenizer: tokenizer, maxLength: min(maxLength, model.config.maxPositions))
    }

    /// The best answer to each example, `batchSize` windows at a time; `onBatch` sees each batch after its
    /// forward pass.
    public func answers(
        to examples: [SquadExample], featurizer: SquadFeaturizer, decoder: SpanDecoder = SpanDecoder(), batchSize: Int = 32,
        onBatch: (Batch) -> Void = { _ in }
    ) throws -> [SpanAnswer] {
        try QuestionAnsweringInference.answers(
            model, to: examples, features: try featurizer.features(of: examples), decoder: decoder, batchSize: batchSize,
            padId: tokenizer.padId, onBatch: onBatch)
    }
}
