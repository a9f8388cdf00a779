import Datasets
import Evaluation

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
