import Datasets
import Evaluation
import Foundation
import Models
import Tensors
import Tokenizers

/// What a fine-tuning run is asked to do: a classification (or regression) head on a BERT or DistilBERT
/// checkpoint, trained on a labelled file, the best model on the dev file kept.
public struct FineTuningRequest: Sendable {
    /// The checkpoint directory (`config.json`, `model.safetensors`, tokenizer files).
    public var modelDirectory: URL
    /// The training file (.tsv, .csv or .jsonl).
    public var trainPath: String
    /// The dev file, evaluated to pick the best model; `nil` keeps the final model.
    public var devPath: String?
    public var outputDirectory: URL
    /// A GLUE task name: picks the metrics, and STS-B means regression.
    public var task: String?
    /// Class names in class-index order; `nil`: the task's conventional names, else the names in the data.
    public var labelNames: [String]?
    /// Metrics to report (the first picks the best model); empty: the task's defaults.
    public var metrics: [Metric] = []
    public var training = TrainingConfiguration()
    /// Batch size of dev evaluation.
    public var evaluationBatchSize = 64
    /// Leave malformed rows of the training and dev files out (counted in ``FineTuningRun/skippedRows``).
    public var skipBadRows = false

    /// Class names of GLUE tasks whose files hold only indices, as the published fine-tuned models name them.
    public static let conventionalLabelNames = ["sst2": ["NEGATIVE", "POSITIVE"]]

    public init(modelDirectory: URL, trainPath: String, devPath: String?, outputDirectory: URL) {
        self.modelDirectory = modelDirectory
        self.trainPath = trainPath
        self.devPath = devPath
        self.outputDirectory = outputDirectory
    }
}

/// A prepared fine-tuning run: the data read with one label set, the checkpoint loaded as a classifier for it,
/// the examples tokenized, and a ``Trainer`` whose loss is ``SupervisedLoss``.
public final class FineTuningRun {
    public let request: FineTuningRequest
    public let tokenizer: any Tokenizer
    public let model: SequenceClassifier
    /// Class names, or `nil` for regression.
    public let labels: LabelSet?
    public let metrics: [Metric]
    public let trainingExampleCount: Int
    /// The rows left out of the training and dev files (none unless ``FineTuningRequest/skipBadRows`` is set).
    public let skippedRows: [SkippedRows]
    /// Whether the checkpoint's own classification head was kept (see ``FineTuningModel``).
    public let keptHead: Bool
    /// Parameters left at their fresh initialisation.
    public let freshParameters: [String]
    public let trainer: Trainer

    /// Reads, loads, checks and tokenizes everything; nothing is trained until ``train(resume:stopAfterStep:)``.
    public init(_ request: FineTuningRequest, progressOutput: ProgressOutput = .standardError, stopRequest: StopRequest? = nil)
        throws
    {
        let configuration = request.training
        let tokenizer = try BertTokenizer(directory: request.modelDirectory)
        let data = try FineTuningData(request)
        let generator = RandomGenerator(seed: configuration.seed)
        let loaded = try FineTuningModel(directory: request.modelDirectory, labels: data.labels, generator: generator)
        let model = loaded.model
        try FineTuningError.check(
            maxLength: configuration.maxLength, tokenizer: tokenizer, model: model.config, directory: request.modelDirectory)

        let examples = data.train.tokenized(with: tokenizer, maxLength: configuration.maxLength)
        let evaluator = try data.dev.map { dev in
            try ClassifierEvaluator(
                examples: dev.tokenized(with: tokenizer, maxLength: configuration.maxLength), metrics: data.metrics,
                batchSize: request.evaluationBatchSize, padId: tokenizer.padId, maxLength: configuration.maxLength)
        }
        trainer = try Trainer(
            configuration: configuration, modules: [("", model)], generator: generator,
            trainingExamples: examples, padId: tokenizer.padId, outputDirectory: request.outputDirectory,
            loss: { batch in TrainingLoss(try SupervisedLoss.of(logits: model(EncoderInput(batch)).logits, batch: batch)) },
            evaluation: evaluator.map { evaluator in
                Trainer.Evaluation(metricForBestModel: evaluator.metrics[0].rawValue) { try evaluator.evaluate(model).values }
            },
            exportModel: Trainer.export(model, tokenizer: tokenizer),
            progressOutput: progressOutput, stopRequest: stopRequest)

        self.request = request
        self.tokenizer = tokenizer
        self.model = model
        labels = data.labels
        metrics = data.metrics
        trainingExampleCount = examples.count
        skippedRows = [data.train.skippedRows] + (data.dev.map { [$0.skippedRows] } ?? [])
        keptHead = loaded.keptHead
        freshParameters = loaded.freshParameters
    }

    /// Trains the model (see ``Trainer/train(resume:stopAfterStep:)``).
    public func train(resume: Bool = false, stopAfterStep: Int? = nil) throws -> TrainingSummary {
        try trainer.train(resume: resume, stopAfterStep: stopAfterStep)
    }
}

/// The training and dev sets of a fine-tuning run, read with one label set, and the metrics for the task.
private struct FineTuningData {
    let train: LabelledDataset
    let dev: LabelledDataset?
    /// Class names, or `nil` for regression.
    let labels: LabelSet?
    let metrics: [Metric]

    init(_ request: FineTuningRequest) throws {
        let taskKey = request.task.map { $0.lowercased().filter { $0.isLetter || $0.isNumber } }
        let labelNames = request.labelNames ?? taskKey.flatMap { FineTuningRequest.conventionalLabelNames[$0] }
        let givenLabels: LabelSet?
        do {
            givenLabels = try labelNames.map { try LabelSet(names: $0) }
        } catch {
            throw FineTuningError.invalidLabelNames(reason: "\(error)")
        }
        var kind = LabelledDataLoading.taskKind(named: request.task)
        if kind == nil && givenLabels != nil { kind = .classification }
        train = try LabelledDataLoading.read(
            path: request.trainPath, task: kind, labelSet: givenLabels, skipBadRows: request.skipBadRows)
        if train.task == .classification {
            guard let labels = train.labelSet else { throw FineTuningError.noLabels(file: request.trainPath) }
            self.labels = labels
        } else {
            if labelNames != nil { throw FineTuningError.labelNamesForRegression }
            labels = nil
        }
        let (kindRead, labels) = (train.task, self.labels)
        dev = try request.devPath.map { path in
            try LabelledDataLoading.read(path: path, task: kindRead, labelSet: labels, skipBadRows: request.skipBadRows)
        }
        metrics = request.metrics.isEmpty ? Metric.defaults(forTask: request.task, regression: labels == nil) : request.metrics
        if let metric = metrics.first(where: { $0.isRegressionMetric != (labels == nil) }) {
            throw FineTuningError.metricDoesNotApply(metric, task: kindRead)
        }
    }
}
