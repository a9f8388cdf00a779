import ArgumentParser
import Evaluation
import Foundation
import Models
import Training

/// `distill finetune`: a classification (or regression) head on a BERT or DistilBERT checkpoint, trained on a
/// labelled file, the best dev checkpoint kept.
struct FinetuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "finetune",
        abstract: "Fine-tune a BERT or DistilBERT checkpoint for sequence classification or regression.",
        discussion: """
            Data files are .tsv/.csv (with a header) or .jsonl, with a text column (sentence, text, ...), an \
            optional second text (sentence2, question, ...) and a label column. Class names come from \
            --label-names, else from the data (sorted names, or "0".."n-1" for integer labels; a name where \
            most labels are integers or the reverse is a bad row, as is a class index at or above the larger \
            of 1000 and the number of labelled rows). A bad row stops the command unless --skip-bad-rows is given. Labels that \
            are numbers with a fraction, or --task stsb, make a regression head (MSE loss, Pearson/Spearman).

            The output directory receives the best model on the dev set (config.json with id2label, \
            model.safetensors, tokenizer files) and metrics.jsonl. While the run is incomplete it also holds \
            checkpoint/ (written every --save-every updates, and when the run is stopped with Ctrl-C), from \
            which --resume continues to the weights an uninterrupted run would have reached.

            \(SquadTask.trainingHelp)

            Example (SST-2 on the quick-start teacher):
              distill finetune --model cache/all-MiniLM-L6-v2 \\
                --train ../shared/data/sst2/train.tsv --dev ../shared/data/sst2/dev.tsv \\
                --task sst2 --label-names NEGATIVE,POSITIVE --output runs/minilm-sst2
              distill finetune --model cache/all-MiniLM-L6-v2 --task squad \\
                --train ../shared/data/squad/train-v1.1.json \\
                --dev ../shared/data/squad/dev-v1.1.json --output runs/minilm-squad
            """)

    @Option(help: "Checkpoint directory (config.json, model.safetensors, vocab.txt or tokenizer.json).")
    var model: String

    @Option(help: "Training file (.tsv, .csv or .jsonl).")
    var train: String

    @Option(help: "Dev file, evaluated at the end of each epoch (or --eval-every); the best model is kept. Without it, the final model is saved.")
    var dev: String?

    @Option(help: "Output directory.")
    var output: String

    @Option(help: "GLUE task name (sst2, cola, mrpc, qqp, stsb, mnli, ...): picks the metrics; stsb means regression; squad means question answering.")
    var task: String?

    @Option(help: "Class names in class-index order, comma-separated (e.g. NEGATIVE,POSITIVE); integer labels in the data index this list. Default for --task sst2: NEGATIVE,POSITIVE.")
    var labelNames: String?

    @OptionGroup var data: DataReadingOptions

    @OptionGroup(title: "Reporting and resuming")
    var session: SessionOptions

    @OptionGroup(title: "Training")
    var training: TrainingOptions

    func run() throws {
        if SquadTask.isRequested(task) { return try fineTuneSquad() }
        let configuration = training.configuration
        let outputURL = URL(fileURLWithPath: output)
        try session.checkNoStaleCheckpoint(in: outputURL)

        var request = FineTuningRequest(
            modelDirectory: URL(fileURLWithPath: model), trainPath: train, devPath: dev, outputDirectory: outputURL)
        request.task = task
        request.labelNames = labelNames.map { names in
            names.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        }
        request.metrics = session.metrics
        request.training = configuration
        request.evaluationBatchSize = session.evalBatchSize
        request.skipBadRows = data.skipBadRows
        let run: FineTuningRun
        do {
            run = try FineTuningRun(request, stopRequest: StopRequest.installingSignalHandlers())
        } catch let error as FineTuningError {
            throw Self.commandLineError(error)
        }

        DataReadingOptions.report(run.skippedRows)
        let plan = run.trainer.plan
        let head = run.labels.map { "classes \($0.names.joined(separator: ", "))" } ?? "regression"
        printError("""
            fine-tuning \(run.model.config.modelType.rawValue) \(model) (\(run.model.parameterCount) parameters) on \(train): \
            \(run.trainingExampleCount) examples, \(head)
            \(plan.epochCount) epoch(s), \(plan.totalSteps) updates (\(plan.warmupSteps) warm-up) of \
            \(configuration.batchSize) x \(configuration.gradientAccumulation) examples, peak lr \(configuration.learningRate)\(configuration.precisionNote)
            """ + (run.keptHead ? "\nkept the checkpoint's classification head" : "")
            + (run.freshParameters.isEmpty ? "" : "\nfresh weights: " + run.freshParameters.joined(separator: ", ")))

        try Self.finish(
            try run.train(resume: session.resume), metric: run.metrics[0].rawValue, checkpoint: run.trainer.checkpointDirectory,
            output: outputURL)
    }

    /// Prints how a run ended; a run stopped early exits with status 130.
    static func finish(_ summary: TrainingSummary, metric: String, checkpoint: URL, output: URL) throws {
        var lines = ["\(summary.steps)/\(summary.totalSteps) updates" + (summary.stoppedEarly ? " (stopped early)" : "")]
        if let best = summary.bestMetric, let step = summary.bestStep {
            lines.append("best \(metric) " + String(format: "%.4f", best) + " after update \(step)")
        }
        lines.append(summary.stoppedEarly ? "resume with the same command and --resume (checkpoint: \(checkpoint.path))" : "model: \(output.path)")
        print(lines.joined(separator: "\n"))
        if summary.stoppedEarly { throw ExitCode(130) }
    }

    /// The library's error in the words of this command's options.
    static func commandLineError(_ error: FineTuningError) -> CommandLineError {
        switch error {
        case .invalidLabelNames(let reason): CommandLineError("--label-names: \(reason)")
        case .labelNamesForRegression: CommandLineError("--label-names does not apply to a regression task")
        case .metricDoesNotApply(let metric, let task): CommandLineError("--metric \(metric.rawValue) does not apply to a \(task.rawValue) task")
        case .sequencesTooLong(let maxLength, let positions):
            CommandLineError("--max-length \(maxLength) exceeds the model's \(positions) positions")
        case .noLabels, .vocabularyMismatch: CommandLineError(error.description)
        }
    }
}
