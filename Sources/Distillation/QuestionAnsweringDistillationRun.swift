import Datasets
import Evaluation
import Foundation
import Models
import Tensors
import Tokenizers
import Training

/// A prepared SQuAD task-distillation run (the notebook's DistilBERT recipe), built from the same parts as
/// ``TaskDistillationRun``: a question-answering teacher and student, the SQuAD training file cut into windows
/// (``SquadFeaturizer``), the teacher's start and end logits per window taken from (or written to) the
/// ``TeacherCache``, and a ``Trainer`` whose loss is a ``TaskDistiller`` over
/// ``DistillationObjective/questionAnswering(temperature:alpha:)`` plus the hidden-state terms the settings ask
/// for. The best student on the dev file by F1 is kept.
public final class QuestionAnsweringDistillationRun {
    public let request: TaskDistillationRequest
    public let teacher: QuestionAnswering
    public let student: QuestionAnswering
    public let tokenizer: BertTokenizer
    /// The training questions, and the windows they were cut into (the examples the trainer sees).
    public let questionCount: Int
    public let trainingWindows: [TokenizedExample]
    public let distiller: TaskDistiller
    public let trainer: Trainer
    /// How the teacher's logits were obtained; `nil` when the cache was off or bypassed (hidden-state terms).
    public let cacheOutcome: TeacherCacheOutcome?
    /// The teacher's exact match and F1 on the dev set.
    public let teacherDevScores: SquadScores?
    /// Student parameters left at their fresh initialisation.
    public let freshStudentParameters: [String]

    /// Prepares everything; `log` receives progress notes (teacher precomputation, cache use). The windows are
    /// ``TrainingConfiguration/maxLength`` tokens long, at most as many as both models have positions.
    public init(
        _ request: TaskDistillationRequest, progressOutput: ProgressOutput = .standardError, stopRequest: StopRequest? = nil,
        log: (String) -> Void = { _ in }
    ) throws {
        var request = request
        try request.validate()
        let (teacher, _) = try QuestionAnswering.load(from: request.teacherDirectory, strict: true)
        let tokenizer = try request.tokenizer(orTeacher: try BertTokenizer(directory: request.teacherDirectory))
        let generator = RandomGenerator(seed: request.training.seed)
        let (student, report) = try QuestionAnswering.load(from: request.studentDirectory, generator: generator)
        request.training.maxLength = min(request.training.maxLength, teacher.config.maxPositions, student.config.maxPositions)
        let configuration = request.training
        try request.checkFit(of: [teacher.config, student.config], tokenizer: tokenizer)

        let featurizer = SquadFeaturizer(tokenizer: tokenizer, maxLength: configuration.maxLength)
        let train = try SquadDataset(path: request.trainPath).examples
        let features = try featurizer.features(of: train)
        let windows = features.map(\.tokens)
        let layerMap = try request.teacherLayerMap(student: student.config, teacher: teacher.config)
        let cached = try request.cachedTeacherLogits(
            teacher: teacher, examples: windows, padId: tokenizer.padId, unit: "windows", log: log)

        let objective = DistillationObjective.questionAnswering(
            request.settings, layerMap: layerMap, student: student.config, teacher: teacher.config, generator: generator)
        let distiller = try TaskDistiller(teacher: teacher, student: student, objective: objective, cachedLogits: cached?.logits)
        let evaluator = try request.devPath.map { path in
            try SquadEvaluator(examples: SquadDataset(path: path).examples, featurizer: featurizer, batchSize: request.inferenceBatchSize)
        }
        teacherDevScores = try evaluator.map { try $0.evaluate(teacher) }
        trainer = try Trainer(
            configuration: configuration, modules: [("", student)] + objective.trainableModules, generator: generator,
            batches: try PlannedBatches(windows: features, configuration: configuration, padId: tokenizer.padId),
            outputDirectory: request.outputDirectory, loss: distiller.loss,
            evaluation: evaluator.map { Trainer.Evaluation($0, model: student) },
            exportModel: Trainer.export(student, tokenizer: tokenizer),
            progressOutput: progressOutput, stopRequest: stopRequest)

        self.request = request
        self.teacher = teacher
        self.student = student
        self.tokenizer = tokenizer
        questionCount = train.count
        trainingWindows = windows
        self.distiller = distiller
        cacheOutcome = cached?.outcome
        freshStudentParameters = report.missing
    }

    /// Trains the student (see ``Trainer/train(resume:stopAfterStep:)``).
    public func train(resume: Bool = false, stopAfterStep: Int? = nil) throws -> TrainingSummary {
        try trainer.train(resume: resume, stopAfterStep: stopAfterStep)
    }
}
