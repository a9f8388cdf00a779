import Datasets
import Dispatch
import Foundation

/// What `distill eval --task squad` measures for one model: SQuAD exact match and F1, size, and speed.
public struct SquadEvaluationReport: Sendable, Equatable, Codable {
    /// The model directory and the SQuAD file.
    public var model: String
    public var data: String
    public var questions: Int
    /// The windows the questions were cut into.
    public var windows: Int
    /// Percentages.
    public var exactMatch: Double
    public var f1: Double
    public var footprint: ModelFootprint
    /// The scoring pass: every question, `batch_size` windows at a time, windowing and answer extraction included.
    public var throughput: Throughput
    /// Questions answered one at a time (windowing, forward pass and answer extraction), as the notebook's speed test.
    public var latency: InferenceSpeed.Latency

    /// Questions per second of a batched pass.
    public struct Throughput: Sendable, Equatable, Codable {
        public var batchSize: Int
        public var questionsPerSecond: Double
        public var seconds: Double

        enum CodingKeys: String, CodingKey {
            case batchSize = "batch_size", questionsPerSecond = "questions_per_s", seconds
        }
    }

    enum CodingKeys: String, CodingKey {
        case model, data, questions, windows, exactMatch = "exact_match", f1, footprint, throughput, latency
    }
}

/// How `distill eval --task squad` runs.
public struct SquadEvaluationSettings: Sendable {
    /// Windows per forward pass in the scoring pass.
    public var batchSize = 32
    /// Questions answered one at a time for the latency.
    public var latencyQuestions = 100
    /// Tokens per window (capped by the model's positions); default the notebook's 384.
    public var maxLength = SquadFeaturizer.defaultMaxLength
    public var decoder = SpanDecoder()

    public init() {}
}

/// Evaluates one saved question-answering model on a SQuAD file.
public enum SquadEvaluation {
    /// Reads `dataPath`, answers every question in one timed batched pass, scores the answers against the
    /// references, then times the first `latencyQuestions` questions answered one at a time.
    public static func run(_ model: SavedQuestionAnswering, dataPath: String, settings: SquadEvaluationSettings = SquadEvaluationSettings())
        throws -> SquadEvaluationReport
    {
        let examples = try SquadDataset(path: dataPath).examples
        guard !examples.isEmpty else { throw EvaluationError.noExamples }
        let featurizer = model.featurizer(maxLength: settings.maxLength)
        var decoder = settings.decoder
        decoder.allowsNoAnswer = decoder.allowsNoAnswer || examples.contains(where: \.isImpossible)
        var windows = 0
        // One untimed batch first, so that one-time set-up (oneDNN primitives) is not timed.
        _ = try model.answers(to: Array(examples.prefix(settings.batchSize)), featurizer: featurizer, decoder: decoder, batchSize: settings.batchSize)
        let (answers, seconds) = try timed {
            try model.answers(to: examples, featurizer: featurizer, decoder: decoder, batchSize: settings.batchSize) {
                windows += $0.batchSize
            }
        }
        let scores = SquadMetric.scores(predictions: answers.map(\.text), references: examples.map { $0.answers.map(\.text) })
        let milliseconds = try examples.prefix(max(settings.latencyQuestions, 1)).map { example in
            try timed { try model.answers(to: [example], featurizer: featurizer, decoder: decoder, batchSize: 1) }.seconds * 1000
        }
        return SquadEvaluationReport(
            model: model.directory.path, data: dataPath, questions: examples.count, windows: windows,
            exactMatch: scores.exactMatch, f1: scores.f1,
            footprint: try ModelFootprint(model: model.model, config: model.model.config, directory: model.directory),
            throughput: .init(batchSize: settings.batchSize, questionsPerSecond: Double(examples.count) / max(seconds, 1e-9), seconds: seconds),
            latency: InferenceSpeed.Latency(milliseconds: milliseconds))
    }

    private static func timed<Result>(_ body: () throws -> Result) rethrows -> (result: Result, seconds: Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try body()
        return (result, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
}
