import Datasets
import Foundation
import Models

/// How well a classifier (or regression head) did on labelled examples.
public struct ClassifierScores: Sendable, Equatable {
    /// The metrics asked for, in that order.
    public let metrics: [Metric]
    /// The value of each metric.
    public let metricValues: [Metric: Double]
    /// Mean cross-entropy (classification) or mean squared error (regression), as the training loss.
    public let loss: Double
    /// The number of examples scored.
    public let exampleCount: Int

    /// The value of the first metric asked for, the one models are compared by.
    public var primaryValue: Double { metricValues[metrics[0]] ?? .nan }

    /// Every value by name, the loss as `loss` (for logs and JSON).
    public var values: [String: Double] {
        var values = Dictionary(uniqueKeysWithValues: metricValues.map { ($0.key.rawValue, $0.value) })
        values["loss"] = loss
        return values
    }
}

/// Why a model's outputs cannot be scored against a dataset.
public enum EvaluationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No metric was asked for.
    case noMetrics
    /// There are no examples.
    case noExamples
    /// The example at this position has no label.
    case unlabelledExample(index: Int)
    /// The example's label does not suit the head (a class for a regression head, a value for a classifier, or a
    /// class index the head does not have).
    case labelDoesNotFitHead(index: Int, label: String, labelCount: Int)
    /// The metric compares values but the head predicts classes, or the reverse.
    case metricDoesNotApply(Metric, regression: Bool)

    public var description: String {
        switch self {
        case .noMetrics: "no metric to compute"
        case .noExamples: "no examples to evaluate on"
        case .unlabelledExample(let index): "example \(index) has no label"
        case .labelDoesNotFitHead(let index, let label, let labelCount):
            "example \(index) has label \(label), which a head with \(labelCount) output(s) cannot predict"
            + (labelCount == 1 ? " (a regression head needs real-valued targets)" : "")
        case .metricDoesNotApply(let metric, let regression):
            "metric \(metric.rawValue) does not apply to a \(regression ? "regression" : "classification") head"
        }
    }
}

/// Scores a sequence classifier on a labelled evaluation set with task metrics.
public struct ClassifierEvaluator: Sendable {
    /// The evaluation examples, batched in order.
    public let batcher: Batcher
    /// The metrics to compute; the first is the one models are compared by.
    public let metrics: [Metric]

    /// An evaluator over `examples` (tokenized and labelled) in batches of `batchSize`.
    public init(examples: [TokenizedExample], metrics: [Metric], batchSize: Int, padId: Int32, maxLength: Int) throws {
        guard !metrics.isEmpty else { throw EvaluationError.noMetrics }
        guard !examples.isEmpty else { throw EvaluationError.noExamples }
        batcher = try Batcher(examples: examples, batchSize: batchSize, padId: padId, maxLength: maxLength)
        self.metrics = metrics
    }

    /// Runs `model` over the examples (evaluation mode, no gradients) and scores its outputs.
    public func evaluate(_ model: SequenceClassifier) throws(EvaluationError) -> ClassifierScores {
        let outputs = ClassifierInference.run(model, on: batcher)
        return try Self.scores(of: outputs, labels: batcher.examples.map(\.label), metrics: metrics)
    }

    /// Scores `outputs` (row `i` for `labels[i]`) with `metrics` and the loss the head is trained with.
    public static func scores(of outputs: ClassifierOutputs, labels: [Label?], metrics: [Metric])
        throws(EvaluationError) -> ClassifierScores
    {
        precondition(outputs.count == labels.count, "\(outputs.count) outputs for \(labels.count) labels")
        guard !metrics.isEmpty else { throw .noMetrics }
        guard !labels.isEmpty else { throw .noExamples }
        let regression = outputs.labelCount == 1
        if let metric = metrics.first(where: { $0.isRegressionMetric != regression }) {
            throw .metricDoesNotApply(metric, regression: regression)
        }
        let inputs: MetricInputs
        let loss: Double
        if regression {
            var targets: [Double] = []
            targets.reserveCapacity(labels.count)
            for (index, label) in labels.enumerated() {
                switch label {
                case .value(let value): targets.append(Double(value))
                case .classIndex(let classIndex):
                    throw .labelDoesNotFitHead(index: index, label: "class \(classIndex)", labelCount: 1)
                case nil: throw .unlabelledExample(index: index)
                }
            }
            let predictions = outputs.values
            loss = zip(predictions, targets).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(targets.count)
            inputs = .values(predictions: predictions, targets: targets)
        } else {
            var classes: [Int] = []
            classes.reserveCapacity(labels.count)
            for (index, label) in labels.enumerated() {
                switch label {
                case .classIndex(let classIndex) where classIndex < outputs.labelCount: classes.append(classIndex)
                case .classIndex(let classIndex):
                    throw .labelDoesNotFitHead(index: index, label: "class \(classIndex)", labelCount: outputs.labelCount)
                case .value(let value):
                    throw .labelDoesNotFitHead(index: index, label: "value \(value)", labelCount: outputs.labelCount)
                case nil: throw .unlabelledExample(index: index)
                }
            }
            loss = classes.enumerated().reduce(0) { $0 + outputs.crossEntropy(row: $1.offset, label: $1.element) }
                / Double(classes.count)
            inputs = .classes(predictions: outputs.predictedClasses, labels: classes)
        }
        var values: [Metric: Double] = [:]
        for (metric, value) in Metric.evaluate(metrics, on: inputs) { values[metric] = value }
        return ClassifierScores(metrics: metrics, metricValues: values, loss: loss, exampleCount: labels.count)
    }
}
