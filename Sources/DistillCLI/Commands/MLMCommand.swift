import ArgumentParser
import Datasets
import Foundation
import Training

/// `distill mlm`: a masked-language-model head trained on unlabelled text, on a checkpoint that has none (or
/// continued pre-training of one that has).
struct MLMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlm",
        abstract: "Train the masked-LM head of a BERT or DistilBERT checkpoint on unlabelled text.",
        discussion: """
            The head is BERT's cls.predictions (transform, LayerNorm, decoder tied to the word embeddings) or \
            DistilBERT's vocab_transform / vocab_layer_norm / vocab_projector, fresh when the checkpoint has none \
            (a BertModel such as all-MiniLM-L6-v2). 15% of the tokens are masked anew in every batch (80% [MASK], \
            10% random, 10% kept); documents are concatenated into sequences of --max-length tokens. With \
            --freeze-encoder only the head trains; otherwise the whole model does (continued pre-training).

            The output directory receives a BertForMaskedLM / DistilBertForMaskedLM checkpoint and metrics.jsonl, \
            with masked-token accuracy (top-1) and MLM cross-entropy on --heldout (15% of its tokens masked with a \
            fixed seed) at every --eval-every and at the end; the model with the lowest held-out loss is kept.

            Example (scripts/fetch-corpus puts the corpus in cache/corpus):
              distill mlm --model cache/all-MiniLM-L6-v2 --freeze-encoder \\
                --corpus cache/corpus/imdb.txt cache/corpus/shakespeare.txt \\
                  cache/corpus/python-docs.txt --heldout cache/corpus/heldout.txt \\
                --max-steps 300 --batch-size 32 --max-length 128 --lr 1e-3 \\
                --output runs/minilm-mlm
            """)

    @Option(help: "Checkpoint directory (config.json, model.safetensors, vocab.txt or tokenizer.json).")
    var model: String

    @Option(parsing: .upToNextOption, help: "Corpus files (UTF-8 text, one document per line), read in turn.")
    var corpus: [String]

    @Option(help: "Held-out text to evaluate masked-token accuracy on (same format as the corpus).")
    var heldout: String?

    @Option(help: "Output directory.")
    var output: String

    @Flag(help: "Train only the head; the encoder and the tied word embeddings stay as loaded.")
    var freezeEncoder = false

    @Flag(help: "Documents are paragraphs separated by blank lines instead of lines.")
    var paragraphs = false

    @Option(help: "Held-out sequences to evaluate (the first ones of the file).")
    var evalSequences = 512

    @OptionGroup(title: "Reporting and resuming")
    var session: SessionOptions

    @OptionGroup(title: "Training")
    var training: TrainingOptions

    func validate() throws {
        if training.maxSteps == nil { throw ValidationError("--max-steps is required: the corpus is streamed, not counted in epochs") }
        if evalSequences < 1 { throw ValidationError("--eval-sequences must be at least 1") }
        // Shared options that have no meaning for a streamed corpus with a fixed evaluation: refused, not ignored.
        if training.epochs != nil { throw ValidationError("--epochs does not apply: the length of the run is --max-steps") }
        if training.groupByLength { throw ValidationError("--group-by-length does not apply: the corpus is packed into full-length sequences") }
        if !session.metrics.isEmpty { throw ValidationError("--metric does not apply: the held-out metrics are masked_accuracy and mlm_loss") }
    }

    func run() throws {
        let outputURL = URL(fileURLWithPath: output)
        try session.checkNoStaleCheckpoint(in: outputURL)
        let configuration = training.configuration
        var request = MaskedLanguageModelRequest(
            modelDirectory: URL(fileURLWithPath: model), corpusPaths: corpus, outputDirectory: outputURL,
            steps: configuration.maxSteps ?? 0)
        request.heldOutPath = heldout
        request.freezeEncoder = freezeEncoder
        request.boundary = paragraphs ? .blankLine : .line
        request.training = configuration
        request.evaluationBatchSize = session.evalBatchSize
        request.evaluationSequences = evalSequences
        let run: MaskedLanguageModelRun
        do {
            run = try MaskedLanguageModelRun(request, stopRequest: StopRequest.installingSignalHandlers())
        } catch let error as FineTuningError {
            throw FinetuneCommand.commandLineError(error)
        }

        let trained = run.trainer.parameters.reduce(0) { $0 + $1.tensor.count }
        printError("""
            masked-LM training of \(run.model.config.modelType.rawValue) \(model) on \(corpus.joined(separator: ", ")): \
            \(trained) of \(run.model.parameterCount) parameters trained\(freezeEncoder ? " (encoder frozen)" : "")
            \(run.trainer.plan.totalSteps) updates of \(configuration.batchSize) x \(configuration.gradientAccumulation) \
            sequences of \(configuration.maxLength) tokens, peak lr \(configuration.learningRate)
            """ + (run.freshParameters.isEmpty ? "" : "\nfresh weights: " + run.freshParameters.joined(separator: ", ")))

        let summary = try run.train(resume: session.resume)
        try Self.report(summary, checkpoint: run.trainer.checkpointDirectory, deliverable: "model: \(outputURL.path)")
    }

    /// Prints how a masked-LM run ended (updates, the last held-out masked-token accuracy, and where the model or
    /// the checkpoint to resume from is) and exits with 130 when it was stopped early.
    static func report(_ summary: TrainingSummary, checkpoint: URL, deliverable: String) throws {
        var lines = ["\(summary.steps)/\(summary.totalSteps) updates" + (summary.stoppedEarly ? " (stopped early)" : "")]
        if let last = summary.lastEvaluation, let accuracy = last["masked_accuracy"], let loss = last["mlm_loss"] {
            lines.append(String(format: "held-out masked-token accuracy %.4f, MLM loss %.4f", accuracy, loss))
        }
        lines.append(summary.stoppedEarly ? "resume with the same command and --resume (checkpoint: \(checkpoint.path))" : deliverable)
        print(lines.joined(separator: "\n"))
        if summary.stoppedEarly { throw ExitCode(130) }
    }
}
