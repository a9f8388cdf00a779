import Datasets
import Foundation
import Models
import Tensors
import Tokenizers

/// What a masked-LM run is asked to do: train the masked-language-model head of a BERT or DistilBERT checkpoint
/// (fresh when the checkpoint has none, such as a `BertModel`) on unlabelled text, with the encoder frozen or,
/// as continued pre-training, trained too.
public struct MaskedLanguageModelRequest: Sendable {
    /// The checkpoint directory (`config.json`, `model.safetensors`, tokenizer files).
    public var modelDirectory: URL
    /// Corpus files (plain UTF-8 text), read in turn and from the first again when all are exhausted.
    public var corpusPaths: [String]
    /// Held-out text evaluated at the evaluation points and at the end; `nil`: no evaluation.
    public var heldOutPath: String?
    public var outputDirectory: URL
    /// Updates to make (the run streams the corpus, so it is measured in updates, not epochs).
    public var steps: Int
    /// Train only the head (transform, LayerNorm, decoder bias); the encoder, and with it the word embeddings the
    /// decoder is tied to, stays as loaded, and runs without dropout.
    public var freezeEncoder = false
    /// How the corpus and held-out files are cut into documents.
    public var boundary: DocumentBoundary = .line
    /// `epochs` and `maxSteps` are set from ``steps``; `maxLength` is the length of the packed sequences.
    public var training = TrainingConfiguration()
    public var evaluationBatchSize = 64
    /// Held-out sequences evaluated (the first ones of the file).
    public var evaluationSequences = 512
    /// The seed of the held-out masking, independent of the run's seed.
    public var evaluationMaskingSeed: UInt64 = 0

    public init(modelDirectory: URL, corpusPaths: [String], outputDirectory: URL, steps: Int) {
        self.modelDirectory = modelDirectory
        self.corpusPaths = corpusPaths
        self.outputDirectory = outputDirectory
        self.steps = steps
    }
}

/// Why a masked-LM run cannot be prepared.
public enum MaskedLanguageModelError: Error, Sendable, Equatable, CustomStringConvertible {
    case noCorpus
    case invalidStepCount(Int)
    /// The held-out file yields no sequence to evaluate.
    case noHeldOutText(file: String)
    /// The checkpoint holds no masked-LM head (a base model or a classifier): these weights are missing.
    case noMaskedLanguageModelHead(directory: String, missing: [String])

    public var description: String {
        switch self {
        case .noCorpus: "no corpus file to train on"
        case .invalidStepCount(let steps): "the number of updates must be at least 1, got \(steps)"
        case .noHeldOutText(let file): "\(file): no held-out text to evaluate on"
        case let .noMaskedLanguageModelHead(directory, missing):
            "\(directory): the checkpoint has no masked-LM head (no \(missing.joined(separator: ", "))); "
                + "train one on unlabelled text first"
        }
    }
}

/// A prepared masked-LM run: the checkpoint loaded as a ``MaskedLanguageModel``, the corpus streamed through a
/// ``MaskedLanguageModelCollator`` (15% of tokens, 80/10/10, drawn from the run's generator), a ``Trainer``
/// minimising ``MaskedTokenPrediction``'s loss, and held-out evaluation (``MaskedTokenEvaluator``) whose
/// `mlm_loss` picks the exported model.
public final class MaskedLanguageModelRun {
    public let request: MaskedLanguageModelRequest
    public let tokenizer: any Tokenizer
    public let model: MaskedLanguageModel
    /// Parameters the checkpoint did not hold (a fresh head).
    public let freshParameters: [String]
    public let evaluator: MaskedTokenEvaluator?
    public let trainer: Trainer

    /// Loads and checks everything; nothing is trained until ``train(resume:stopAfterStep:)``. `processGroup`: the
    /// processes that train together (see ``Trainer``).
    public init(
        _ request: MaskedLanguageModelRequest, progressOutput: ProgressOutput = .standardError, stopRequest: StopRequest? = nil,
        processGroup: any ProcessGroup = ProcessGroups.world
    ) throws {
        guard !request.corpusPaths.isEmpty else { throw MaskedLanguageModelError.noCorpus }
        guard request.steps > 0 else { throw MaskedLanguageModelError.invalidStepCount(request.steps) }
        var configuration = request.training
        configuration.epochs = 1
        configuration.maxSteps = request.steps
        let tokenizer = try BertTokenizer(directory: request.modelDirectory)
        let generator = RandomGenerator(seed: configuration.seed)
        let (model, report) = try MaskedLanguageModel.load(from: request.modelDirectory, generator: generator)
        try FineTuningError.check(
            maxLength: configuration.maxLength, tokenizer: tokenizer, model: model.config, directory: request.modelDirectory)
        if request.freezeEncoder { model.encoder.freeze() }

        let (boundary, maxLength) = (request.boundary, configuration.maxLength)
        let corpus = CorpusFiles(paths: request.corpusPaths, boundary: boundary, tokenizer: tokenizer, maxLength: maxLength)
        try corpus.checkReadable()
        let batches = StreamedBatches(
            batchSize: configuration.batchSize * processGroup.size,  // the global batch (see Trainer)
            batchesPerEpoch: request.steps * configuration.gradientAccumulation,
            collator: try MaskedLanguageModelCollator(tokenizer: tokenizer, generator: generator), openStream: corpus.open(at:))
        let evaluator = try request.heldOutPath.map { path in
            let evaluator = try MaskedTokenEvaluator(
                url: URL(fileURLWithPath: path), boundary: boundary, tokenizer: tokenizer, maxLength: maxLength,
                maxSequences: request.evaluationSequences, batchSize: request.evaluationBatchSize,
                maskingSeed: request.evaluationMaskingSeed)
            guard !evaluator.batches.isEmpty else { throw MaskedLanguageModelError.noHeldOutText(file: path) }
            return evaluator
        }
        let freezeEncoder = request.freezeEncoder
        trainer = try Trainer(
            configuration: configuration, modules: [("", model)], generator: generator, batches: batches,
            outputDirectory: request.outputDirectory,
            loss: { batch in
                // A frozen encoder is a fixed feature extractor: it runs as it will at inference, without dropout.
                if freezeEncoder { model.encoder.setTraining(false) }
                let prediction = try MaskedTokenPrediction(model: model, batch: batch)
                return TrainingLoss(
                    prediction.loss, averagedOver: .maskedTokens,
                    logged: ["masked_accuracy": Double(prediction.correct) / Double(max(prediction.maskedCount, 1))])
            },
            evaluation: evaluator.map { evaluator in
                Trainer.Evaluation(metricForBestModel: "mlm_loss", greaterIsBetter: false) { try evaluator.evaluate(model) }
            },
            exportModel: Trainer.export(model, tokenizer: tokenizer),
            progressOutput: progressOutput, stopRequest: stopRequest, processGroup: processGroup)

        self.request = request
        self.tokenizer = tokenizer
        self.model = model
        self.evaluator = evaluator
        freshParameters = report.missing
    }

    /// Trains the model (see ``Trainer/train(resume:stopAfterStep:)``).
    public func train(resume: Bool = false, stopAfterStep: Int? = nil) throws -> TrainingSummary {
        try trainer.train(resume: resume, stopAfterStep: stopAfterStep)
    }
}
