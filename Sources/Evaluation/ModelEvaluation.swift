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
    /// Batch 1.
    public var latency: InferenceSpeed.Latency
    /// The metric pass, batched.
    public var throughput: InferenceSpeed.Throughput
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
        let regression = classifier.isRegression
        let data = try LabelledDataLoading.read(
            path: dataPath, task: regression ? .regression : .classification, labelSet: classifier.labels,
            skipBadRows: settings.skipBadRows)
        let maxLength = min(settings.maxLength, classifier.maxLength)
        let examples = data.tokenized(with: classifier.tokenizer, maxLength: maxLength)
        let metrics = settings.metrics.isEmpty
            ? Metric.defaults(forTask: settings.task, regression: regression) : settings.metrics
        let padId = classifier.tokenizer.padId
        let batcher = try Batcher(examples: examples, batchSize: settings.batchSize, padId: padId, maxLength: maxLength)
        let (throughput, outputs) = try InferenceSpeed.throughput(of: classifier.model, batcher: batcher)
        let scores = try ClassifierEvaluator.scores(of: outputs, labels: examples.map(\.label), metrics: metrics)
        let latency = try InferenceSpeed.latency(
            of: classifier.model, examples: examples, padId: padId, limit: settings.latencyExamples)
        return ModelEvaluationReport(
            model: classifier.directory.path, data: dataPath, examples: examples.count, skippedRows: data.skippedRows,
            metrics: Dictionary(uniqueKeysWithValues: metrics.map { metric in
                (metric.rawValue, scores.metricValues[metric].flatMap { $0.isNaN ? nil : $0 })
            }),
            loss: scores.loss, footprint: try ModelFootprint(model: classifier.model, config: classifier.model.config, directory: classifier.directory),
            latency: latency, throughput: throughput)
    }
}
