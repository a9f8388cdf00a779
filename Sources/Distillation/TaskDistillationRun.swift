import Datasets
import Evaluation
import Foundation
import Models
import Tensors
import Tokenizers
import Training

/// What `distill task` is asked to do.
public struct TaskDistillationRequest: Sendable {
    /// A fine-tuned classifier (or regressor) directory; its `id2label` defines the labels.
    public var teacherDirectory: URL
    /// A student directory, usually written by `distill student`.
    public var studentDirectory: URL
    public var trainPath: String
    public var devPath: String?
    public var outputDirectory: URL
    /// A GLUE task name, choosing the default metrics.
    public var task: String?
    /// Metrics to report (the first picks the best model); empty: the task's defaults.
    public var metrics: [Metric] = []
    public var settings = TaskDistillationSettings()
    /// The terms and their schedule: Hinton's (the default), or one of TinyBERT's two task stages.
    public var objective: any TaskObjective = HintonTaskObjective()
    /// Unlabelled text (same format and columns as the training file; any labels are ignored) that the student
    /// learns from the teacher's outputs alone, after the training rows (Bucila et al.'s transfer set).
    public var transferPath: String?
    /// For the hidden-state terms: the teacher layer of each student layer; `nil` uses the student's recorded layers.
    public var layerMap: [Int]?
    /// Precompute the teacher's logits once and keep them on disk (ignored when the loss needs hidden states).
    public var useTeacherCache = true
    /// Where the cache lives; `nil`: `<output>/teacher-cache`.
    public var cacheDirectory: URL?
    public var training = TrainingConfiguration()
    /// Batch size of the teacher's precomputation and of dev evaluation.
    public var inferenceBatchSize = 64
    /// Leave malformed rows of the training, transfer and dev files out (counted in ``TaskDistillationRun/skippedRows``).
    public var skipBadRows = false

    public init(teacherDirectory: URL, studentDirectory: URL, trainPath: String, devPath: String?, outputDirectory: URL) {
        self.teacherDirectory = teacherDirectory
        self.studentDirectory = studentDirectory
        self.trainPath = trainPath
        self.devPath = devPath
        self.outputDirectory = outputDirectory
    }
}

/// A prepared task-distillation run: teacher and student loaded and checked, data read and tokenized, teacher
/// logits taken from (or written to) the cache, and a ``Trainer`` whose loss is a ``TaskDistiller``.
public final class TaskDistillationRun {
    public let request: TaskDistillationRequest
    public let teacher: SavedClassifier
    public let student: SequenceClassifier
    public let tokenizer: BertTokenizer
    /// Class names, or `nil` for regression.
    public let labels: LabelSet?
    public let metrics: [Metric]
    /// The training rows, then the transfer rows. Rows without a label (augmented, transfer) learn from the
    /// teacher alone.
    public let trainingExamples: [TokenizedExample]
    /// How many of ``trainingExamples`` have no label.
    public let unlabelledCount: Int
    /// The rows left out of the training, transfer and dev files (none unless ``TaskDistillationRequest/skipBadRows`` is set).
    public let skippedRows: [SkippedRows]
    public let distiller: TaskDistiller
    public let trainer: Trainer
    /// How the teacher's logits were obtained; `nil` when the cache was off or bypassed (hidden-state terms).
    public let cacheOutcome: TeacherCacheOutcome?
    /// The teacher's scores on the dev set, for comparison with the student's.
    public let teacherDevScores: ClassifierScores?
    /// Student parameters left at their fresh initialisation (a head the student file did not have).
    public let freshStudentParameters: [String]

    /// Prepares everything; `log` receives progress notes (teacher precomputation, cache use).
    public init(
        _ request: TaskDistillationRequest, progressOutput: ProgressOutput = .standardError, stopRequest: StopRequest? = nil,
        log: (String) -> Void = { _ in }
    ) throws {
        let configuration = request.training
        try request.validate()
        let teacher = try SavedClassifier(directory: request.teacherDirectory)
        let labels = teacher.labels
        let tokenizer = try request.tokenizer(orTeacher: teacher.tokenizer)
        let generator = RandomGenerator(seed: configuration.seed)
        let loaded = try FineTuningModel(directory: request.studentDirectory, labels: labels, generator: generator)
        let student = loaded.model
        try request.checkFit(of: [teacher.model.config, student.config], tokenizer: tokenizer)

        let kind: TaskKind = labels == nil ? .regression : .classification
        func read(_ path: String, labelsOptional: Bool = false) throws(DatasetError) -> LabelledDataset {
            try LabelledDataLoading.read(
                path: path, task: kind, labelSet: labels, skipBadRows: request.skipBadRows, labelsOptional: labelsOptional)
        }
        // Training rows without a label (from `distill augment`) learn from the teacher alone.
        let train = try read(request.trainPath, labelsOptional: true)
        let transfer = try request.transferPath.map { path throws(DatasetError) in try read(path, labelsOptional: true) }
        let dev = try request.devPath.map { path throws(DatasetError) in try read(path) }
        let metrics = request.metrics.isEmpty ? Metric.defaults(forTask: request.task, regression: labels == nil) : request.metrics
        if let metric = metrics.first(where: { $0.isRegressionMetric != (labels == nil) }) {
            throw TaskDistillationError.metricDoesNotApply(metric, kind)
        }
        let transferExamples = (transfer?.tokenized(with: tokenizer, maxLength: configuration.maxLength) ?? []).map { example in
            TokenizedExample(ids: example.ids, typeIds: example.typeIds, label: nil, index: train.examples.count + example.index)
        }
        let examples = train.tokenized(with: tokenizer, maxLength: configuration.maxLength) + transferExamples

        let settings = request.settings
        let layerMap = try request.teacherLayerMap(student: student.config, teacher: teacher.model.config)
        let cached = try request.cachedTeacherLogits(
            teacher: teacher.model, examples: examples, padId: tokenizer.padId, unit: "examples", log: log)

        let objective = request.objective.objective(
            settings, layerMap: layerMap, student: student.config, teacher: teacher.model.config, generator: generator)
        let distiller = try TaskDistiller(teacher: teacher.model, student: student, objective: objective, cachedLogits: cached?.logits)
        let evaluator = try dev.map { dev in
            try ClassifierEvaluator(
                examples: dev.tokenized(with: tokenizer, maxLength: configuration.maxLength), metrics: metrics,
                batchSize: request.inferenceBatchSize, padId: tokenizer.padId, maxLength: configuration.maxLength)
        }
        teacherDevScores = try evaluator.map { try $0.evaluate(teacher.model) }
        trainer = try Trainer(
            configuration: configuration, modules: [("", student)] + objective.trainableModules, generator: generator,
            trainingExamples: examples, padId: tokenizer.padId, outputDirectory: request.outputDirectory,
            loss: distiller.loss,
            // A stage that leaves the classifier untrained keeps its last student instead of the best on dev.
            evaluation: request.objective.trainsClassifier ? evaluator.map { evaluator in
                Trainer.Evaluation(metricForBestModel: metrics[0].rawValue) { try evaluator.evaluate(student).values }
            } : nil,
            exportModel: Trainer.export(student, tokenizer: tokenizer),
            progressOutput: progressOutput, stopRequest: stopRequest)

        self.request = request
        self.teacher = teacher
        self.student = student
        self.tokenizer = tokenizer
        self.labels = labels
        self.metrics = metrics
        trainingExamples = examples
        unlabelledCount = examples.count { $0.label == nil }
        skippedRows = [train, transfer, dev].compactMap { $0?.skippedRows }
        self.distiller = distiller
        cacheOutcome = cached?.outcome
        freshStudentParameters = loaded.freshParameters
    }

    /// Trains the student (see ``Trainer/train(resume:stopAfterStep:)``).
    public func train(resume: Bool = false, stopAfterStep: Int? = nil) throws -> TrainingSummary {
        try trainer.train(resume: resume, stopAfterStep: stopAfterStep)
    }
}
