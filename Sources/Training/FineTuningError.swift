import Datasets
import Evaluation
import Foundation
import Models
import Tokenizers

/// Why a fine-tuning run cannot be prepared.
public enum FineTuningError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The class names given are not a valid label set (empty, duplicated, ...).
    case invalidLabelNames(reason: String)
    /// Class names were given for a regression task.
    case labelNamesForRegression
    /// The training file of a classification task has no labels.
    case noLabels(file: String)
    /// A requested metric is for the other kind of task.
    case metricDoesNotApply(Metric, task: TaskKind)
    /// The longest tokenized example allowed is longer than the model's position embeddings.
    case sequencesTooLong(maxLength: Int, positions: Int)
    /// The tokenizer has more ids than the model's embedding rows.
    case vocabularyMismatch(directory: String, tokenizer: Int, model: Int)

    public var description: String {
        switch self {
        case .invalidLabelNames(let reason): "class names: \(reason)"
        case .labelNamesForRegression: "class names do not apply to a regression task"
        case .noLabels(let file): "\(file): no labels to train on"
        case .metricDoesNotApply(let metric, let task): "\(metric.rawValue) does not apply to a \(task.rawValue) task"
        case .sequencesTooLong(let maxLength, let positions):
            "sequences of \(maxLength) tokens exceed the model's \(positions) positions"
        case .vocabularyMismatch(let directory, let tokenizer, let model):
            "\(directory): the tokenizer has \(tokenizer) ids, the model's vocab_size is \(model)"
        }
    }
}

extension FineTuningError {
    /// Checks that examples of `maxLength` tokens fit the model's positions and that the tokenizer's ids fit its
    /// embedding rows (`directory` names the checkpoint in the error).
    public static func check(maxLength: Int, tokenizer: any Tokenizer, model config: ModelConfig, directory: URL) throws(FineTuningError) {
        guard maxLength <= config.maxPositions else { throw .sequencesTooLong(maxLength: maxLength, positions: config.maxPositions) }
        guard tokenizer.vocabularySize <= config.vocabSize else {
            throw .vocabularyMismatch(directory: directory.path, tokenizer: tokenizer.vocabularySize, model: config.vocabSize)
        }
    }
}
