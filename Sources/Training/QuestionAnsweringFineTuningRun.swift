import Datasets
import Evaluation
import Foundation
import Models
import Tensors
import Tokenizers

/// A prepared SQuAD fine-tuning run: a `ForQuestionAnswering` model made from a BERT or DistilBERT checkpoint
/// (a fresh `qa_outputs` unless it has one), trained with the question-answering loss on the windows of a SQuAD
/// training file (``SquadFeaturizer``: ``TrainingConfiguration/maxLength`` tokens each, at most the model's
/// positions), the best model on the dev file by F1 kept.
public final class QuestionAnsweringFineTuningRun {
    public let request: FineTuningRequest
    public let tokenizer: BertTokenizer
    public let model: QuestionAnswering
    /// The training questions, and the windows they were cut into.
    public let questionCount: Int
    public let windowCount: Int
    /// Parameters left at their fresh initialisation (the head of a checkpoint without one).
    public let freshParameters: [String]
    public let trainer: Trainer

    /// Reads, loads, checks and cuts everything into windows; nothing is trained until ``train(resume:stopAfterStep:)``.
    public init(_ request: FineTuningRequest, progressOutput: ProgressOutput = .standardError, stopRequest: StopRequest? = nil) throws {
        var configuration = request.training
        let tokenizer = try BertTokenizer(directory: request.modelDirectory)
        let generator = RandomGenerator(seed: configuration.seed)
        let (model, report) = try QuestionAnswering.load(from: request.modelDirectory, generator: generator)
        configuration.maxLength = min(configuration.maxLength, model.config.maxPositions)
        try FineTuningError.check(
            maxLength: configuration.maxLength, tokenizer: tokenizer, model: model.config, directory: request.modelDirectory)
        let featurizer = SquadFeaturizer(tokenizer: tokenizer, maxLength: configuration.maxLength)
        let train = try SquadDataset(path: request.trainPath).examples
        let features = try featurizer.features(of: train)
        let evaluator = try request.devPath.map { path in
            try SquadEvaluator(examples: SquadDataset(path: path).examples, featurizer: featurizer, batchSize: request.evaluationBatchSize)
        }
        trainer = try Trainer(
            configuration: configuration, modules: [("", model)], generator: generator,
            batches: try PlannedBatches(windows: features, configuration: configuration, padId: tokenizer.padId),
            outputDirectory: request.outputDirectory,
            loss: { batch in
                guard let spans = batch.labels(as: SpanLabels.self) else {
                    throw TrainingError.unlabelledBatch(exampleIndex: batch.exampleIndices.first ?? 0)
                }
                let (start, end, _) = model(EncoderInput(batch))
                return TrainingLoss(SupervisedLoss.span(start: start, end: end, labels: spans))
            },
            evaluation: evaluator.map { Trainer.Evaluation($0, model: model) },
            exportModel: Trainer.export(model, tokenizer: tokenizer),
            progressOutput: progressOutput, stopRequest: stopRequest)
        self.request = request
        self.tokenizer = tokenizer
        self.model = model
        questionCount = train.count
        windowCount = features.count
        freshParameters = report.missing
    }

    /// Trains the model (see ``Trainer/train(resume:stopAfterStep:)``).
    public func train(resume: Bool = false, stopAfterStep: Int? = nil) throws -> TrainingSummary {
        try trainer.train(resume: resume, stopAfterStep: stopAfterStep)
    }
}
