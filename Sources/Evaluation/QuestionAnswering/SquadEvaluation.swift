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
    /// Every question, `batch_size` windows at a time, windowing and answer extraction included: the median round's.
    public var throughput: Throughput
    /// Questions answered one at a time (windowing, forward pass and answer extraction), as the notebook's speed
    /// test: the median round's.
    public var latency: InferenceSpeed.Latency
    /// Every timing round, the scoring pass first.
    public var rounds: [Round]

    /// One timing of a model: questions one at a time, then all of them batched.
    public struct Round: Sendable, Equatable, Codable {
        public var latency: InferenceSpeed.Latency
        public var throughput: Throughput
    }

    /// Adds a timing round and takes `latency` and `throughput` again as the medians over the rounds.
    public mutating func addRound(_ round: Round) {
        rounds.append(round)
        func middle(_ value: (Round) -> Double) -> Double { InferenceSpeed.median(rounds.map(value).sorted()) }
        latency.medianMilliseconds = middle(\.latency.medianMilliseconds)
        latency.p90Milliseconds = middle(\.latency.p90Milliseconds)
        throughput.questionsPerSecond = middle(\.throughput.questionsPerSecond)
        throughput.seconds = middle(\.throughput.seconds)
    }

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
        case model, data, questions, windows, exactMatch = "exact_match", f1, footprint, throughput, latency, rounds
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
        let pass = try Pass(model, dataPath: dataPath, settings: settings)
        let (answers, windows, throughput) = try pass.answerAll()
        let scores = SquadMetric.scores(predictions: answers.map(\.text), references: pass.examples.map { $0.answers.map(\.text) })
        let round = SquadEvaluationReport.Round(latency: try pass.latency(), throughput: throughput)
        return SquadEvaluationReport(
            model: model.directory.path, data: dataPath, questions: pass.examples.count, windows: windows,
            exactMatch: scores.exactMatch, f1: scores.f1,
            footprint: try ModelFootprint(model: model.model, config: model.model.config, directory: model.directory),
            throughput: round.throughput, latency: round.latency, rounds: [round])
    }

    /// Times `model` on `dataPath` once more (the same passes as ``run(_:dataPath:settings:)``, answers not scored),
    /// for a report's further rounds.
    public static func timeAgain(_ model: SavedQuestionAnswering, dataPath: String, settings: SquadEvaluationSettings = SquadEvaluationSettings())
        throws -> SquadEvaluationReport.Round
    {
        let pass = try Pass(model, dataPath: dataPath, settings: settings)
        let throughput = try pass.answerAll().throughput
        return SquadEvaluationReport.Round(latency: try pass.latency(), throughput: throughput)
    }

    /// A model, the file's questions and how to cut and decode them; one-time set-up (oneDNN primitives) done.
    private struct Pass {
        let model: SavedQuestionAnswering
        let examples: [SquadExample]
        let featurizer: SquadFeaturizer
        let decoder: SpanDecoder
        let settings: SquadEvaluationSettings

        init(_ model: SavedQuestionAnswering, dataPath: String, settings: SquadEvaluationSettings) throws {
            examples = try SquadDataset(path: dataPath).examples
            guard !examples.isEmpty else { throw EvaluationError.noExamples }
            featurizer = model.featurizer(maxLength: settings.maxLength)
            var decoder = settings.decoder
            decoder.allowsNoAnswer = decoder.allowsNoAnswer || examples.contains(where: \.isImpossible)
            (self.model, self.decoder, self.settings) = (model, decoder, settings)
            // One untimed batch, so that one-time set-up is not timed.
            _ = try model.answers(to: Array(examples.prefix(settings.batchSize)), featurizer: featurizer, decoder: decoder,
                                  batchSize: settings.batchSize)
        }

        /// Every question answered, `batchSize` windows at a time, timed; and how many windows they made.
        func answerAll() throws -> (answers: [SpanAnswer], windows: Int, throughput: SquadEvaluationReport.Throughput) {
            var windows = 0
            let (answers, seconds) = try SquadEvaluation.timed {
                try model.answers(to: examples, featurizer: featurizer, decoder: decoder, batchSize: settings.batchSize) {
                    windows += $0.batchSize
                }
            }
            return (answers, windows, .init(batchSize: settings.batchSize, questionsPerSecond: Double(examples.count) / max(seconds, 1e-9),
                                   seconds: seconds))
        }

        /// The first `latencyQuestions` questions answered one at a time.
        func latency() throws -> InferenceSpeed.Latency {
            InferenceSpeed.Latency(milliseconds: try examples.prefix(max(settings.latencyQuestions, 1)).map { example in
                try SquadEvaluation.timed {
                    try model.answers(to: [example], featurizer: featurizer, decoder: decoder, batchSize: 1)
                }.seconds * 1000
            })
        }
    }

    private static func timed<Result>(_ body: () throws -> Result) rethrows -> (result: Result, seconds: Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try body()
        return (result, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
}
