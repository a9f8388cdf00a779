import Datasets
import Foundation
import Models
import Tensors
import Tokenizers

/// A fine-tuned sequence classifier and its tokenizer, loaded from a Hugging Face model directory
/// (`config.json`, `model.safetensors`, `vocab.txt` or `tokenizer.json`).
public struct SavedClassifier {
    /// The directory it was loaded from.
    public let directory: URL
    public let model: SequenceClassifier
    public let tokenizer: BertTokenizer
    /// The class names of the head (`id2label`), or `nil` for a regression head.
    public let labels: LabelSet?

    /// Loads the classifier in evaluation mode. Every weight of the head and encoder must be in the checkpoint.
    public init(directory: URL) throws {
        self.directory = directory
        (model, _) = try SequenceClassifier.load(from: directory, strict: true)
        model.setTraining(false)
        tokenizer = try BertTokenizer(directory: directory)
        if model.config.labelCount == 1 {
            labels = nil
        } else {
            do {
                labels = try LabelSet(id2label: model.config.id2label)
            } catch {
                throw SavedClassifierError.badLabels(file: directory.appendingPathComponent("config.json").path, reason: error.description)
            }
        }
        guard tokenizer.vocabularySize <= model.config.vocabSize else {
            throw SavedClassifierError.vocabularyTooLarge(
                directory: directory.path, tokenizer: tokenizer.vocabularySize, model: model.config.vocabSize)
        }
    }

    /// Whether the head predicts a real value rather than a class.
    public var isRegression: Bool { labels == nil }

    /// The longest input the model takes: its position table, or the tokenizer's `model_max_length` if shorter.
    public var maxLength: Int { min(model.config.maxPositions, tokenizer.modelMaxLength ?? .max) }
}

/// Why a model directory does not hold a usable classifier.
public enum SavedClassifierError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `id2label` does not name classes `0..<count` uniquely.
    case badLabels(file: String, reason: String)
    /// The tokenizer produces ids the model's embedding table does not have.
    case vocabularyTooLarge(directory: String, tokenizer: Int, model: Int)

    public var description: String {
        switch self {
        case .badLabels(let file, let reason): "\(file): id2label: \(reason)"
        case .vocabularyTooLarge(let directory, let tokenizer, let model):
            "\(directory): the tokenizer has \(tokenizer) ids but the model's vocab_size is \(model)"
        }
    }
}
