import Datasets
import Models

/// Scores question-answering models on a SQuAD dev set, its windows made once (for evaluation during training).
public struct SquadEvaluator {
    public let examples: [SquadExample]
    public let features: [SquadFeature]
    public let decoder: SpanDecoder
    public let batchSize: Int
    public let padId: Int32

    /// Cuts `examples` into windows with `featurizer`; questions without answer (SQuAD v2.0) may be answered "".
    public init(examples: [SquadExample], featurizer: SquadFeaturizer, batchSize: Int) throws {
        guard !examples.isEmpty else { throw EvaluationError.noExamples }
        self.examples = examples
        features = try featurizer.features(of: examples)
        decoder = SpanDecoder(allowsNoAnswer: examples.contains(where: \.isImpossible))
        self.batchSize = batchSize
        padId = featurizer.tokenizer.padId
    }

    /// Exact match and F1 of `model`'s answers, in percent.
    public func evaluate(_ model: QuestionAnswering) throws -> SquadScores {
        let answers = try QuestionAnsweringInference.answers(
            model, to: examples, features: features, decoder: decoder, batchSize: batchSize, padId: padId)
        return SquadMetric.scores(predictions: answers.map(\.text), references: examples.map { $0.answers.map(\.text) })
    }
}

extension SquadScores {
    /// The name under which training logs and picks by F1.
    public static let f1Name = "f1"

    /// The scores by name (`exact_match`, `f1`), as training logs them.
    public var values: [String: Double] { ["exact_match": exactMatch, Self.f1Name: f1] }
}
