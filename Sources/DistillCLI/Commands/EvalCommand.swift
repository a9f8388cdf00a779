import ArgumentParser
import Datasets
import Evaluation
import Foundation
import JSON
import Models
import Tensors
import Tokenizers
import Training

/// `distill eval`: task metrics, size and speed of one or more models on a labelled file, side by side; or, with
/// `--task mlm`, masked-token accuracy and MLM cross-entropy of masked-LM models on plain text.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Compare fine-tuned models on a labelled file: task metrics, parameters, size, latency, throughput.",
        discussion: """
            For each model: the task metrics (by --task; else accuracy, or Pearson and Spearman for a \
            regression head), the parameter count, the weight format (fp32, or int8_dynamic or bf16 for a model \
            made by distill quantize), the size of its weight files, the median latency of one \
            example at batch 1 (over the first --latency-examples examples), and examples and tokens per \
            second at --batch-size over the whole file (tokenization is not timed). Labels in the file are \
            matched to each model's id2label (integer labels are class indices). With --rounds N the latency \
            and throughput are measured N times, the models in turn, and the median round is reported.

            --task mlm evaluates masked-LM models (BertForMaskedLM / DistilBertForMaskedLM, as `distill mlm` \
            writes them) on plain UTF-8 text instead, one document per line (or --paragraphs): documents are \
            concatenated into sequences of --max-length tokens, 15% of their tokens are masked (80% [MASK], 10% \
            random, 10% kept) as a function of each sequence's tokens and --masking-seed (default 0, as for the \
            held-out evaluation of `distill mlm`), so every model that shares the tokenizer is scored on the same \
            positions; it reports masked-token accuracy (top-1) and MLM cross-entropy over all masked tokens. \
            With --skip-bad-rows, lines that are not UTF-8 text are left out and counted.

            --task squad evaluates question-answering models on a SQuAD v1.1 (or v2.0) JSON file instead: the \
            official exact match and F1 (percent), windows of 384 tokens sharing 128, the latency of one \
            question answered at a time (windowing and answer extraction included) and questions per second at \
            --batch-size windows per pass; --max-length sets the window (default 384).

            Examples (the second: a model beside its int8 and bf16 copies, see distill quantize):
              distill eval --model runs/teacher-sst2 --model runs/student-sst2 \\
                --data ../shared/data/sst2/dev.tsv --task sst2 --json eval.json
              distill eval --model runs/student-sst2 --model runs/student-sst2-int8 \\
                --model runs/student-sst2-bf16 --data ../shared/data/sst2/dev.tsv \\
                --task sst2 --rounds 3
              distill eval --task mlm --model runs/minilm-mlm --model runs/general-3l \\
                --data cache/corpus/heldout.txt
              distill eval --model runs/squad/teacher --task squad \\
                --data ../shared/data/squad/dev-v1.1.json
            """)

    @Option(name: .customLong("model"), help: "A fine-tuned model directory (repeat to compare several).")
    var models: [String]

    @Option(help: "Labelled evaluation file (.tsv, .csv or .jsonl).")
    var data: String

    @Option(help: "GLUE task name, for its metrics (sst2: accuracy, mrpc: accuracy and F1, cola: MCC, stsb: Pearson and Spearman, ...), mlm for masked-LM models on plain text, or squad for question answering on a SQuAD JSON file.")
    var task: String?

    @Option(name: .customLong("metric"), help: "A metric to report instead of the task's (repeatable).")
    var metrics: [Metric] = []

    @Option(help: "Write the results as JSON to this file.")
    var json: String?

    @Option(help: "Batch size of the metric and throughput pass.")
    var batchSize = 32

    @Option(help: "Truncate inputs to this many tokens, capped by each model's limit (default 128; squad: windows of 384).")
    var maxLength: Int?

    @Option(help: "Examples timed one at a time for the batch-1 latency.")
    var latencyExamples = 100

    @Option(help: "Time every model this many times, the models in turn in each round, and report the median round: a slow spell of the machine then weighs on every model alike (classification only; the JSON keeps every round).")
    var rounds = 1

    @Flag(help: "With --task mlm: documents are paragraphs separated by blank lines instead of lines.")
    var paragraphs = false

    @Option(help: "With --task mlm: evaluate only the first this many sequences (default: all).")
    var maxSequences: Int?

    @Option(help: "With --task mlm: the seed the masked positions are derived from.")
    var maskingSeed: UInt64 = 0

    @Option(help: "With --task mlm and one --model: also write each sequence's masked input ids and vocabulary logits as JSON lines (the format of scripts/check-hf-roundtrip.py --outputs; large, for a few short texts).")
    var logits: String?

    @OptionGroup var dataReading: DataReadingOptions

    /// The sequence length of classification and masked-LM evaluation.
    private var textMaxLength: Int { maxLength ?? 128 }

    /// Whether this is a masked-LM evaluation (`--task mlm`).
    var isMaskedLanguageModelling: Bool { task == "mlm" }

    func validate() throws {
        if models.isEmpty { throw ValidationError("give at least one --model") }
        if isMaskedLanguageModelling {
            if !metrics.isEmpty { throw ValidationError("--metric does not apply to --task mlm (it reports masked_accuracy and mlm_loss)") }
            if textMaxLength < 3 { throw ValidationError("--max-length must be at least 3 for --task mlm ([CLS], a token, [SEP])") }
            if let maxSequences, maxSequences < 1 { throw ValidationError("--max-sequences must be at least 1") }
            if logits != nil && models.count != 1 { throw ValidationError("--logits needs exactly one --model") }
        } else {
            for (given, option) in [(paragraphs, "--paragraphs"), (maxSequences != nil, "--max-sequences"),
                                    (maskingSeed != 0, "--masking-seed"), (logits != nil, "--logits")] where given {
                throw ValidationError("\(option) applies to --task mlm only")
            }
        }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if let maxLength, maxLength < 2 { throw ValidationError("--max-length must be at least 2") }
        if latencyExamples < 1 { throw ValidationError("--latency-examples must be at least 1") }
        if rounds < 1 { throw ValidationError("--rounds must be at least 1") }
        if rounds > 1 && (isMaskedLanguageModelling || SquadTask.isRequested(task)) {
            throw ValidationError("--rounds applies to classification models; --task \(task ?? "") times each model once")
        }
    }

    func run() throws {
        if isMaskedLanguageModelling { return try evaluateMaskedLanguageModels() }
        if SquadTask.isRequested(task) { return try evaluateSquad() }
        var settings = ModelEvaluationSettings(task: task)
        settings.metrics = metrics
        settings.maxLength = textMaxLength
        settings.batchSize = batchSize
        settings.latencyExamples = latencyExamples
        settings.skipBadRows = dataReading.skipBadRows
        // Every model is loaded before any is evaluated, so a bad directory stops the command at once.
        let classifiers = try models.map { try SavedClassifier(directory: URL(fileURLWithPath: $0)) }
        var reports: [ModelEvaluationReport] = []
        for (model, classifier) in zip(models, classifiers) {
            printError("evaluating \(model) on \(data)")
            let report = try ModelEvaluation.run(classifier, dataPath: data, settings: settings)
            DataReadingOptions.report([report.skippedRows])
            reports.append(report)
        }
        for round in stride(from: 2, through: rounds, by: 1) {
            for (index, (model, classifier)) in zip(models, classifiers).enumerated() {
                printError("round \(round) of \(rounds): timing \(model)")
                reports[index].addRound(try ModelEvaluation.timeAgain(classifier, dataPath: data, settings: settings))
            }
        }
        print(Self.table(reports))
        if let json {
            try JSONEncoder.pretty.encode(reports).write(to: URL(fileURLWithPath: json), options: .atomic)
        }
    }

    /// `--task mlm`: each model's masked-token accuracy and MLM loss on the text file, masked as the help says.
    private func evaluateMaskedLanguageModels() throws {
        // Every model is loaded (and a headless one refused) before any is evaluated.
        let loaded = try models.map { directory in
            do {
                return (directory, try MaskedTokenEvaluator.loadModel(from: URL(fileURLWithPath: directory), maxLength: textMaxLength))
            } catch MaskedLanguageModelError.noMaskedLanguageModelHead(_, let missing) {
                throw CommandLineError(
                    "--model \(directory) has no masked-LM head (no \(missing.joined(separator: ", "))); make one with "
                        + "`distill mlm --model \(directory) --corpus TEXT... --output DIR --max-steps N`, then evaluate DIR")
            } catch let error as FineTuningError {
                throw FinetuneCommand.commandLineError(error)
            }
        }
        var reports: [MaskedLanguageModelReport] = []
        for (directory, (model, tokenizer)) in loaded {
            printError("evaluating \(directory) on \(data) (masked-LM)")
            let evaluator = try MaskedTokenEvaluator(
                url: URL(fileURLWithPath: data), boundary: paragraphs ? .blankLine : .line, tokenizer: tokenizer,
                maxLength: textMaxLength, maxSequences: maxSequences ?? .max, batchSize: batchSize, maskingSeed: maskingSeed,
                skipInvalidLines: dataReading.skipBadRows)
            if evaluator.skippedLines > 0 { printError("skipped \(evaluator.skippedLines) of the lines of \(data): not UTF-8 text") }
            let metrics = try evaluator.evaluate(model)
            reports.append(MaskedLanguageModelReport(
                model: directory, maskedAccuracy: metrics["masked_accuracy"] ?? .nan, mlmLoss: metrics["mlm_loss"] ?? .nan,
                maskedTokens: Int(metrics["masked_tokens"] ?? 0), sequences: evaluator.sequenceCount,
                skippedLines: evaluator.skippedLines, parameters: model.parameterCount))
            if let logits { try Self.writeLogits(of: model, on: evaluator.batches, to: URL(fileURLWithPath: logits)) }
        }
        print(TextTable(
            header: ["model", "masked accuracy", "MLM loss", "perplexity", "masked tokens", "sequences", "params"],
            rows: reports.map { report in
                [report.model, String(format: "%.4f", report.maskedAccuracy), String(format: "%.4f", report.mlmLoss),
                 String(format: "%.2f", exp(report.mlmLoss)), "\(report.maskedTokens)", "\(report.sequences)",
                 String(format: "%.1fM", Double(report.parameters) / 1e6)]
            }).rendered)
        if let json {
            let document = JSONValue.array(reports.map(\.json)).serialized(JSONFormat(indentation: 2))
            try Data(document.utf8).write(to: URL(fileURLWithPath: json), options: .atomic)
        }
    }

    /// One JSON line per sequence: its masked input ids, attention mask and vocabulary logits `[tokens][vocab]`
    /// (padding left out).
    private static func writeLogits(of model: MaskedLanguageModel, on batches: [Batch], to url: URL) throws {
        var lines = ""
        for batch in batches {
            let logits = withoutGrad { model(EncoderInput(batch)).logits }
            let vocabulary = logits.lastDimension
            logits.withUnsafeBufferPointer { scores in
                for row in 0..<batch.batchSize {
                    let start = row * batch.sequenceLength
                    let length = batch.attentionMask[start..<(start + batch.sequenceLength)].reduce(0) { $0 + Int($1) }
                    let positions = start..<(start + length)
                    let rows = positions.map { position in
                        JSONValue.array(scores[(position * vocabulary)..<((position + 1) * vocabulary)].map { JSONValue($0) })
                    }
                    let record = JSONValue.object([
                        .init(key: "input_ids", value: .array(batch.ids[positions].map { JSONValue(Int($0)) })),
                        .init(key: "attention_mask", value: .array(Array(repeating: JSONValue(1), count: length))),
                        .init(key: "logits", value: .array(rows)),
                    ])
                    lines += record.serialized() + "\n"
                }
            }
        }
        try Data(lines.utf8).write(to: url, options: .atomic)
    }

    /// One row per model; metric columns in the order the first model reports them, then size and speed.
    static func table(_ reports: [ModelEvaluationReport]) -> String {
        var metricNames: [String] = []
        for report in reports {
            for name in report.metrics.keys.sorted() where !metricNames.contains(name) { metricNames.append(name) }
        }
        let header = ["model"] + metricNames + ["params", "format", "weights", "latency b1", "b\(reports.first?.throughput.batchSize ?? 32) ex/s", "tokens/s"]
        let rows = reports.map { report -> [String] in
            let metricCells = metricNames.map { name -> String in
                guard let entry = report.metrics[name] else { return "-" }
                return entry.map { String(format: "%.4f", $0) } ?? "n/a"
            }
            return [report.model] + metricCells + [
                String(format: "%.1fM", Double(report.footprint.parameterCount) / 1e6),
                report.footprint.weightFormat,
                String(format: "%.1f MB", Double(report.footprint.weightBytes) / 1e6),
                String(format: "%.2f ms", report.latency.medianMilliseconds),
                String(format: "%.1f", report.throughput.examplesPerSecond) + Self.range(report.rounds.map(\.throughput.examplesPerSecond)),
                String(format: "%.0f", report.throughput.tokensPerSecond),
            ]
        }
        return TextTable(header: header, rows: rows).rendered
    }
}

extension EvalCommand {
    /// " (lowest-highest)" of several rounds' figures, nothing for one.
    static func range(_ values: [Double]) -> String {
        guard values.count > 1, let low = values.min(), let high = values.max() else { return "" }
        return String(format: " (%.0f-%.0f)", low, high)
    }
}

/// `distill eval --task mlm`'s result for one model.
struct MaskedLanguageModelReport {
    let model: String
    let maskedAccuracy: Double
    let mlmLoss: Double
    let maskedTokens: Int
    let sequences: Int
    let skippedLines: Int
    let parameters: Int

    /// The report as `--json` writes it.
    var json: JSONValue {
        .object([
            .init(key: "model", value: .string(model)), .init(key: "masked_accuracy", value: JSONValue(maskedAccuracy)),
            .init(key: "mlm_loss", value: JSONValue(mlmLoss)), .init(key: "masked_tokens", value: JSONValue(maskedTokens)),
            .init(key: "sequences", value: JSONValue(sequences)), .init(key: "skipped_lines", value: JSONValue(skippedLines)),
            .init(key: "parameters", value: JSONValue(parameters)),
        ])
    }
}
