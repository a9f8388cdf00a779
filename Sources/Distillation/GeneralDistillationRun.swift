import Datasets
import Foundation
import Models
import NN
import Tensors
import Tokenizers
import Training

/// What `distill general` is asked to do: distil a teacher into a student on unlabelled text, before any task.
public struct GeneralDistillationRequest: Sendable {
    /// The teacher checkpoint (with a trained masked-LM head when the objective compares masked-LM predictions).
    public var teacherDirectory: URL
    /// The student checkpoint (from `distill student`); its tokenizer files, if any, are used, else the teacher's.
    public var studentDirectory: URL
    /// Corpus files (plain UTF-8 text), read in turn and from the first again when all are exhausted.
    public var corpusPaths: [String]
    public var outputDirectory: URL
    public var objective: any GeneralObjective
    /// Updates to make (the corpus is streamed, so the run is measured in updates, not epochs).
    public var steps: Int
    /// Held-out text on which the student's masked-token accuracy is measured; `nil`: no evaluation.
    public var heldOutPath: String?
    /// How the corpus and held-out files are cut into documents.
    public var boundary: DocumentBoundary = .line
    /// Skip corpus lines that are not UTF-8 text (counted) instead of stopping at the first.
    public var skipInvalidLines = false
    /// Batches read ahead and grouped by length (DistilBERT's `group_by_size`; 1 turns grouping off).
    public var lengthGroupingPool = 50
    /// `epochs` and `maxSteps` are set from ``steps``; `maxLength` is the longest sequence (DistilBERT: 512);
    /// longer documents are split into several sequences. Start from ``GeneralObjective/applyRecipe(to:)``.
    public var training = TrainingConfiguration()
    public var evaluationBatchSize = 64
    /// Held-out sequences evaluated (the first ones of the file).
    public var evaluationSequences = 512
    /// The seed of the held-out masking (15% uniformly, as `distill eval --task mlm`), independent of the run's.
    public var evaluationMaskingSeed: UInt64 = 0

    public init(teacherDirectory: URL, studentDirectory: URL, corpusPaths: [String], outputDirectory: URL,
                objective: any GeneralObjective, steps: Int)
    {
        self.teacherDirectory = teacherDirectory
        self.studentDirectory = studentDirectory
        self.corpusPaths = corpusPaths
        self.outputDirectory = outputDirectory
        self.objective = objective
        self.steps = steps
        objective.applyRecipe(to: &training)
    }
}

/// A prepared general-distillation run: teacher and student loaded as masked-language models or as encoders (as
/// the objective says), the corpus read through once to find bad lines before training, then streamed in length-grouped batches (masked by a ``SmoothedMaskingCollator``
/// for masked-LM objectives, whose token counts ``TokenCountCache`` keeps beside the run), and a ``Trainer``
/// minimising the objective. The teacher runs in evaluation mode without gradients, on the same (masked) input as
/// the student. Learned projections train with the student and are kept in the checkpoint, not in the exported
/// student.
public final class GeneralDistillationRun {
    public let request: GeneralDistillationRequest
    public let tokenizer: any Tokenizer
    public let distiller: GeneralDistiller
    /// Student parameters left at their fresh initialisation (a head the student file did not have and that could
    /// not be copied from the teacher).
    public let freshStudentParameters: [String]
    /// Whether the student's masked-LM head was copied from the teacher (the student file had none).
    public let copiedTeacherHead: Bool
    /// The corpus files with lines that were skipped because they are not UTF-8 text (with
    /// ``GeneralDistillationRequest/skipInvalidLines``), and how many.
    public let skippedCorpusLines: [(file: String, skippedLines: Int)]
    /// Whether the token counts were read from ``TokenCountCache`` rather than counted (`nil`: no masking).
    public let reusedTokenCounts: Bool?
    public let trainer: Trainer

    /// Loads and checks everything; nothing is trained until ``train(resume:stopAfterStep:)``. `processGroup`: the
    /// processes that train together (see ``Trainer``).
    public init(
        _ request: GeneralDistillationRequest, progressOutput: ProgressOutput = .standardError, stopRequest: StopRequest? = nil,
        processGroup: any ProcessGroup = ProcessGroups.world
    ) throws {
        guard !request.corpusPaths.isEmpty else { throw GeneralDistillationError.noCorpus }
        guard request.steps > 0 else { throw GeneralDistillationError.invalidStepCount(request.steps) }
        guard request.lengthGroupingPool > 0 else { throw GeneralDistillationError.invalidSetting(.lengthGroupingPool, "must be at least 1") }
        try request.objective.validate()
        var configuration = request.training
        configuration.epochs = 1
        configuration.maxSteps = request.steps
        try configuration.validate()  // before the models are loaded and the corpus is read
        let studentHasTokenizer = StudentInitialization.tokenizerFileNames.contains {
            FileManager.default.fileExists(atPath: request.studentDirectory.appendingPathComponent($0).path)
        }
        let tokenizer = try BertTokenizer(directory: studentHasTokenizer ? request.studentDirectory : request.teacherDirectory)
        let generator = RandomGenerator(seed: configuration.seed)
        let models = try request.objective.usesMaskedLanguageModel
            ? RunModels.maskedLanguageModels(request, generator: generator) : RunModels.encoders(request, generator: generator)
        for model in [models.teacher, models.student] {
            guard configuration.maxLength <= model.config.maxPositions else {
                throw TaskDistillationError.sequencesTooLong(maxLength: configuration.maxLength, positions: model.config.maxPositions)
            }
        }
        guard tokenizer.vocabularySize <= models.student.config.vocabSize else {
            throw TaskDistillationError.incompatible(
                "the tokenizer has \(tokenizer.vocabularySize) ids but the student's vocab_size is \(models.student.config.vocabSize)")
        }
        let objective = try request.objective.objective(student: models.student, teacher: models.teacher, generator: generator)
        let distiller = try GeneralDistiller(teacher: models.teacher, student: models.student, objective: objective)

        let corpus = CorpusFiles(
            paths: request.corpusPaths, boundary: request.boundary, tokenizer: tokenizer, maxLength: configuration.maxLength,
            packing: .split, skipInvalidLines: request.skipInvalidLines)
        skippedCorpusLines = try corpus.validate().filter { $0.skippedLines > 0 }
        let collator: any Collator
        if request.objective.usesMaskedLanguageModel {
            let (counts, reused) = try TokenCountCache.counts(for: corpus, in: request.outputDirectory)
            collator = try SmoothedMaskingCollator(tokenizer: tokenizer, counts: counts, generator: generator)
            reusedTokenCounts = reused
        } else {
            collator = PaddingCollator(padId: tokenizer.padId)
            reusedTokenCounts = nil
        }
        let batches = StreamedBatches(
            batchSize: configuration.batchSize * processGroup.size,  // the global batch (see Trainer)
            batchesPerEpoch: request.steps * configuration.gradientAccumulation,
            collator: collator, groupingPool: request.lengthGroupingPool, seed: configuration.seed, openStream: corpus.open(at:))

        let evaluation = try request.heldOutPath.map { path in
            guard let evaluate = models.evaluate else {
                throw GeneralDistillationError.heldOutNeedsMaskedLanguageModel(objective: request.objective.name)
            }
            let evaluator = try MaskedTokenEvaluator(
                url: URL(fileURLWithPath: path), boundary: request.boundary, tokenizer: tokenizer, maxLength: configuration.maxLength,
                maxSequences: request.evaluationSequences, batchSize: request.evaluationBatchSize,
                maskingSeed: request.evaluationMaskingSeed)
            guard !evaluator.batches.isEmpty else { throw GeneralDistillationError.noHeldOutText(file: path) }
            return Trainer.Evaluation(metricForBestModel: "mlm_loss", greaterIsBetter: false) { try evaluate(evaluator) }
        }
        let student = models.student
        trainer = try Trainer(
            configuration: configuration, modules: [(name: "", module: student as Module)] + objective.trainableModules, generator: generator,
            batches: batches, outputDirectory: request.outputDirectory, loss: distiller.loss,
            evaluation: evaluation,
            exportModel: Trainer.export(student, tokenizer: tokenizer),
            progressOutput: progressOutput, stopRequest: stopRequest, processGroup: processGroup)
        // The teacher runs forward every update: in the students' precision, as autocast would run it.
        models.teacher.setMatmulPrecision(configuration.matmulPrecision)

        self.request = request
        self.tokenizer = tokenizer
        self.distiller = distiller
        freshStudentParameters = models.freshStudentParameters
        copiedTeacherHead = models.copiedTeacherHead
    }

    public var teacher: any GeneralDistillationModel { distiller.teacher }
    public var student: any GeneralDistillationModel { distiller.student }
    public var objective: DistillationObjective { distiller.objective }

    /// Trains the student (see ``Trainer/train(resume:stopAfterStep:)``).
    public func train(resume: Bool = false, stopAfterStep: Int? = nil) throws -> TrainingSummary {
        try trainer.train(resume: resume, stopAfterStep: stopAfterStep)
    }
}

/// The two models of a run and what depends on their kind.
private struct RunModels {
    var teacher: any GeneralDistillationModel
    var student: any GeneralDistillationModel
    /// The student's held-out masked-token scores, when it has a masked-LM head.
    var evaluate: ((MaskedTokenEvaluator) throws -> [String: Double])?
    var freshStudentParameters: [String]
    var copiedTeacherHead: Bool

    /// Masked-language models. The teacher must have a head in its checkpoint; a student without one gets the
    /// teacher's transform, LayerNorm and decoder bias when it has the teacher's width and layout (its decoder is
    /// its own word embeddings, tied), and a fresh head otherwise.
    static func maskedLanguageModels(_ request: GeneralDistillationRequest, generator: RandomGenerator) throws -> RunModels {
        let (teacher, teacherReport) = try MaskedLanguageModel.load(from: request.teacherDirectory)
        guard teacherReport.missingHead(of: teacher.config).isEmpty else {
            throw GeneralDistillationError.teacherHasNoMaskedLanguageModelHead(
                directory: request.teacherDirectory.path, objective: request.objective.name)
        }
        let (student, studentReport) = try MaskedLanguageModel.load(from: request.studentDirectory, generator: generator)
        var fresh = studentReport.missing
        let copiesHead = !studentReport.missingHead(of: student.config).isEmpty && student.config.hiddenSize == teacher.config.hiddenSize
            && MaskedLanguageModel.headCarries(from: teacher.config, to: student.config)
        if copiesHead {
            StudentInitialization.copyParameters(from: teacher.transform, to: student.transform)
            StudentInitialization.copyParameters(from: teacher.layerNorm, to: student.layerNorm)
            student.vocabularyBias.copy(from: teacher.vocabularyBias)
            fresh = fresh.filter { $0.hasPrefix(student.config.modelType.basePrefix + ".") }
        }
        return RunModels(
            teacher: teacher, student: student,
            evaluate: { try $0.evaluate(student) },
            freshStudentParameters: fresh, copiedTeacherHead: copiesHead)
    }

    /// Encoders (any checkpoint's base model); the student is exported as a base model.
    static func encoders(_ request: GeneralDistillationRequest, generator: RandomGenerator) throws -> RunModels {
        let (teacher, _) = try TransformerEncoder.load(from: request.teacherDirectory)
        let (student, report) = try TransformerEncoder.load(from: request.studentDirectory, generator: generator)
        return RunModels(
            teacher: teacher, student: student,
            evaluate: nil, freshStudentParameters: report.missing, copiedTeacherHead: false)
    }
}
