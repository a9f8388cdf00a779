import Datasets
import Foundation
import Models

/// One prediction: the class name and its probability, or (regression) the predicted value.
public struct Prediction: Sendable, Equatable, Codable {
    /// The predicted class's name from `id2label`; `nil` for a regression head.
    public var label: String?
    /// The softmax probability of that class, or the predicted value of a regression head.
    public var score: Double
}

/// Predicts labels for raw texts (or text pairs) with a saved classifier, in batches, without gradients.
public struct ClassifierPredictor {
    public let classifier: SavedClassifier
    /// Inputs are truncated to this many tokens.
    public let maxLength: Int
    /// Texts per forward pass.
    public let batchSize: Int

    /// A predictor truncating to `maxLength` tokens (at most, and by default, the model's own limit).
    public init(classifier: SavedClassifier, maxLength: Int? = nil, batchSize: Int = 32) {
        self.classifier = classifier
        self.maxLength = min(maxLength ?? classifier.maxLength, classifier.maxLength)
        self.batchSize = max(batchSize, 1)
    }

    /// One prediction per input, in order.
    public func predict(_ inputs: [(text: String, pair: String?)]) throws -> [Prediction] {
        guard !inputs.isEmpty else { return [] }
        let tokenizer = classifier.tokenizer
        let examples = inputs.enumerated().map { index, input in
            let encoding = tokenizer.encode(input.text, pair: input.pair, maxLength: maxLength)
            return TokenizedExample(ids: encoding.ids, typeIds: encoding.typeIds, label: nil, index: index)
        }
        let batcher = try Batcher(examples: examples, batchSize: batchSize, padId: tokenizer.padId, maxLength: maxLength)
        let outputs = ClassifierInference.run(classifier.model, on: batcher)
        guard let labels = classifier.labels else {
            return outputs.values.map { Prediction(label: nil, score: $0) }
        }
        return zip(outputs.predictedClasses, 0..<outputs.count).map { predicted, row in
            Prediction(label: labels.name(of: predicted), score: outputs.probabilities(of: row)[predicted])
        }
    }
}
