import ArgumentParser
import Datasets
import Evaluation
import Foundation
import Models
import Tensors
import Tokenizers
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
            --label-names, else from the data (sorted names, or "0".."n-1" for integer labels). Labels that \
            are numbers with a fraction, or --task stsb, make a regression head (MSE loss, Pearson/Spearman).

            The output directory receives the best model on the dev set (config.json with id2label, \
            model.safetensors, tokenizer files) and metrics.jsonl. While the run is incomplete it also holds \
            checkpoint/ (written every --save-every updates, and when the run is stopped with Ctrl-C), from \
            which --resume continues to the weights an uninterrupted run would have reached.

            Example (SST-2 on the quick-start teacher):
              distill finetune --model cache/all-MiniLM-L6-v2 \\
                --train ../shared/data/sst2/train.tsv --dev ../shared/data/sst2/dev.tsv \\
                --task sst2 --label-names NEGATIVE,POSITIVE --output runs/minilm-sst2
            """)

    @Option(help: "Checkpoint directory (config.json, model.safetensors, vocab.txt or tokenizer.json).")
    var model: String

    @Option(help: "Training file (.tsv, .csv or .jsonl).")
    var train: String

    @Option(help: "Dev file, evaluated at the end of each epoch (or --eval-every); the best model is kept. Without it, the final model is saved.")
    var dev: String?

    @Option(help: "Output directory.")
    var output: String

    @Option(help: "GLUE task name (sst2, cola, mrpc, qqp, stsb, mnli, ...): picks the metrics; stsb means regression.")
    var task: String?

    @Option(help: "Class names in class-index order, comma-separated (e.g. NEGATIVE,POSITIVE); integer labels in the data index this list. Default for --task sst2: NEGATIVE,POSITIVE.")
    var labelNames: String?

    @OptionGroup(title: "Reporting and resuming")
    var session: SessionOptions

    @OptionGroup(title: "Training")
    var training: TrainingOptions

    func validate() throws {
    }

    func run() throws {
        let configuration = training.configuration
        let modelURL = URL(fileURLWithPath: model), outputURL = URL(fileURLWithPath: output)
        try session.checkNoStaleCheckpoint(in: outputURL)

        let tokenizer = try BertTokenizer(directory: modelURL)
        let data = try TaskData(
            train: train, dev: dev, task: task, labelNames: labelNames, metrics: session.metrics)
        let generator = RandomGenerator(seed: configuration.seed)
        let loaded = try FineTuningModel(directory: modelURL, labels: data.labels, generator: generator)
        let model = loaded.model
        guard configuration.maxLength <= model.config.maxPositions else {
            throw CommandLineError("--max-length \(configuration.maxLength) exceeds the model's \(model.config.maxPositions) positions")
        }
        guard tokenizer.vocabularySize <= model.config.vocabSize else {
            throw CommandLineError("\(self.model): the tokenizer has \(tokenizer.vocabularySize) ids, the model's vocab_size is \(model.config.vocabSize)")
        }

        let trainExamples = data.train.tokenized(with: tokenizer, maxLength: configuration.maxLength)
        let evaluator = try data.dev.map { dev in
            try ClassifierEvaluator(
                examples: dev.tokenized(with: tokenizer, maxLength: configuration.maxLength), metrics: data.metrics,
                batchSize: session.evalBatchSize, padId: tokenizer.padId, maxLength: configuration.maxLength)
        }
        let trainer = try Trainer(
            configuration: configuration, modules: [("", model)], generator: generator,
            trainingExamples: trainExamples, padId: tokenizer.padId, outputDirectory: outputURL,
            loss: { batch in TrainingLoss(try SupervisedLoss.of(logits: model(EncoderInput(batch)).logits, batch: batch)) },
            evaluation: evaluator.map { evaluator in
                Trainer.Evaluation(metricForBestModel: evaluator.metrics[0].rawValue) { try evaluator.evaluate(model).values }
            },
            exportModel: { directory in
                try model.save(to: directory)
                try tokenizer.save(to: directory)
            },
            stopRequest: StopRequest.installingSignalHandlers())

        let plan = trainer.plan
        let head = data.labels.map { "classes \($0.names.joined(separator: ", "))" } ?? "regression"
        printError("""
            fine-tuning \(model.config.modelType.rawValue) \(self.model) (\(model.parameterCount) parameters) on \(train): \
            \(trainExamples.count) examples, \(head)
            \(plan.epochCount) epoch(s), \(plan.totalSteps) updates (\(plan.warmupSteps) warm-up) of \
            \(configuration.batchSize) x \(configuration.gradientAccumulation) examples, peak lr \(configuration.learningRate)
            """ + (loaded.keptHead ? "\nkept the checkpoint's classification head" : "")
            + (loaded.freshParameters.isEmpty ? "" : "\nfresh weights: " + loaded.freshParameters.joined(separator: ", ")))

        let summary = try trainer.train(resume: session.resume)
        var lines = ["\(summary.steps)/\(summary.totalSteps) updates" + (summary.stoppedEarly ? " (stopped early)" : "")]
        if let best = summary.bestMetric, let step = summary.bestStep {
            lines.append("best \(data.metrics[0].rawValue) " + String(format: "%.4f", best) + " after update \(step)")
        }
        lines.append(summary.stoppedEarly
            ? "resume with the same command and --resume (checkpoint: \(trainer.checkpointDirectory.path))"
            : "model: \(outputURL.path)")
        print(lines.joined(separator: "\n"))
        if summary.stoppedEarly { throw ExitCode(130) }
    }
}

/// The training and dev sets of a fine-tuning run, read with one label set, and the metrics for the task.
private struct TaskData {
    let train: LabelledDataset
    let dev: LabelledDataset?
    /// Class names, or `nil` for regression.
    let labels: LabelSet?
    let metrics: [Metric]

    /// Class names of GLUE tasks whose files hold only indices, as the published fine-tuned models name them.
    static let conventionalLabelNames = ["sst2": "NEGATIVE,POSITIVE"]

    init(train trainPath: String, dev devPath: String?, task: String?, labelNames: String?, metrics: [Metric]) throws {
        let taskKey = task.map { $0.lowercased().filter { $0.isLetter || $0.isNumber } }
        let labelNames = labelNames ?? taskKey.flatMap { Self.conventionalLabelNames[$0] }
        let givenLabels = try labelNames.map { names in
            do {
                return try LabelSet(names: names.split(separator: ",", omittingEmptySubsequences: false).map {
                    $0.trimmingCharacters(in: .whitespaces)
                })
            } catch {
                throw CommandLineError("--label-names: \(error)")
            }
        }
        var kind = LabelledDataLoading.taskKind(named: task)
        if kind == nil && givenLabels != nil { kind = .classification }
        train = try LabelledDataLoading.read(path: trainPath, task: kind, labelSet: givenLabels)
        if train.task == .classification {
            guard let labels = train.labelSet else { throw CommandLineError("\(trainPath): no labels to train on") }
            self.labels = labels
        } else {
            if labelNames != nil { throw CommandLineError("--label-names does not apply to a regression task") }
            labels = nil
        }
        let (kindRead, labels) = (train.task, self.labels)
        dev = try devPath.map { try LabelledDataLoading.read(path: $0, task: kindRead, labelSet: labels) }
        self.metrics = metrics.isEmpty ? Metric.defaults(forTask: task, regression: labels == nil) : metrics
        if let metric = self.metrics.first(where: { $0.isRegressionMetric != (labels == nil) }) {
            throw CommandLineError("--metric \(metric.rawValue) does not apply to a \(labels == nil ? "regression" : "classification") task")
        }
    }
}
