import Datasets
import Foundation
import Models

/// What `distill eval` measures for one model on one dataset: task metrics, size and speed.
public struct ModelEvaluationReport: Sendable, Equatable, Codable {
    /// The model directory.
    public var model: String
    /// The evaluation file and how many examples it had.
    public var data: String
    public var examples: Int
    /// The malformed rows left out of the file (none unless ``ModelEvaluationSettings/skipBadRows`` is set).
    public var skippedRows: SkippedRows
    /// Metric values by name (`accuracy`, `f1`, `mcc`, `pearson`, `spearman`, ...); `nil` when undefined (NaN).
    public var metrics: [String: Double?]
    /// Mean cross-entropy, or mean squared error for regression.
    public var loss: Double
    public var footprint: ModelFootprint
    /// Batch 1: the median round's (see `rounds`).
    public var latency: InferenceSpeed.Latency
    /// Batched: the median round's (see `rounds`).
    public var throughput: InferenceSpeed.Throughput
    /// Every timing round, the metric pass first.
    public var rounds: [InferenceSpeed.Round]

    /// Adds a timing round and takes `latency` and `throughput` again as the medians over the rounds.
    public mutating func addRound(_ round: InferenceSpeed.Round) {
        rounds.append(round)
        (latency, throughput) = InferenceSpeed.Round.median(of: rounds)
    }
}

/// How `distill eval` runs: tokenization length, batch size for the metric pass, examples timed at batch 1.
public struct ModelEvaluationSettings: Sendable {
    /// Task name (for default metrics and for regression); see ``Metric/defaults(forTask:regression:)``.
    public var task: String?
    /// The metrics; empty takes the task's defaults.
    public var metrics: [Metric] = []
    /// Inputs are truncated to this many tokens (capped by the model's own limit).
    public var maxLength = 128
    /// Batch size of the metric and throughput pass.
    public var batchSize = 32
    /// How many examples are timed one at a time for the latency.
    public var latencyExamples = 100
    /// Leave malformed rows of the file out instead of failing on the first one.
    public var skipBadRows = false

    public init(task: String? = nil) {
        self.task = task
    }
}

/// Evaluates one saved classifier on a labelled file.
public enum ModelEvaluation {
    /// Reads `dataPath` with the model's labels (integer labels in the file are class indices, names are
    /// looked up in `id2label`), runs one timed batched pass for the metrics and the throughput, then times
    /// `latencyExamples` examples at batch 1.
    public static func run(_ classifier: SavedClassifier, dataPath: String, settings: ModelEvaluationSettings)
        throws -> ModelEvaluationReport
    {
        let (data, examples, batcher) = try read(dataPath, for: classifier, settings: settings)
        let metrics = settings.metrics.isEmpty
            ? Metric.defaults(forTask: settings.task, regression: classifier.isRegression) : settings.metrics
        let (throughput, outputs) = try InferenceSpeed.throughput(of: classifier.model, batcher: batcher)
        let scores = try ClassifierEvaluator.scores(of: outputs, labels: examples.map(\.label), metrics: metrics)
        let latency = try InferenceSpeed.latency(
            of: classifier.model, examples: examples, padId: classifier.tokenizer.padId, limit: settings.latencyExamples)
        return ModelEvaluationReport(
            model: classifier.directory.path, data: dataPath, examples: examples.count, skippedRows: data.skippedRows,
            metrics: Dictionary(uniqueKeysWithValues: metrics.map { metric in
                (metric.rawValue, scores.metricValues[metric].flatMap { $0.isNaN ? nil : $0 })
            }),
            loss: scores.loss, footprint: try ModelFootprint(model: classifier.model, config: classifier.model.config, directory: classifier.directory),
            latency: latency, throughput: throughput, rounds: [InferenceSpeed.Round(latency: latency, throughput: throughput)])
    }

    /// Times the batched pass and the batch-1 examples of `run` once more (for another round of a comparison).
    public static func timeAgain(_ classifier: SavedClassifier, dataPath: String, settings: ModelEvaluationSettings)
        throws -> InferenceSpeed.Round
    {
        let (_, examples, batcher) = try read(dataPath, for: classifier, settings: settings)
        let throughput = try InferenceSpeed.throughput(of: classifier.model, batcher: batcher).throughput
        let latency = try InferenceSpeed.latency(
            of: classifier.model, examples: examples, padId: classifier.tokenizer.padId, limit: settings.latencyExamples)
        return InferenceSpeed.Round(latency: latency, throughput: throughput)
    }

    /// The file read with the model's labels and tokenizer, and its batches.
    private static func read(_ dataPath: String, for classifier: SavedClassifier, settings: ModelEvaluationSettings)
        throws -> (LabelledDataset, [TokenizedExample], Batcher)
    {
        let data = try LabelledDataLoading.read(
            path: dataPath, task: classifier.isRegression ? .regression : .classification, labelSet: classifier.labels,
            skipBadRows: settings.skipBadRows)
        let maxLength = min(settings.maxLength, classifier.maxLength)
        let examples = data.tokenized(with: classifier.tokenizer, maxLength: maxLength)
        let batcher = try Batcher(examples: examples, batchSize: settings.batchSize, padId: classifier.tokenizer.padId,
                                  maxLength: maxLength)
        return (data, examples, batcher)
    }
}
