import ArgumentParser
import Datasets
import Evaluation
import Foundation
import JSON
import Models
import Tensors
import Training

/// `distill eval --task mlm`: masked-token accuracy and MLM cross-entropy of masked-LM models on plain text.
enum MaskedLanguageModelEvaluation: EvaluationMode {
    static let name = "--task mlm"

    static func evaluates(task: String?) -> Bool { task == "mlm" }

    static let options: Set<String> = ["--paragraphs", "--max-sequences", "--masking-seed", "--logits"]

    static func validate(_ command: EvalCommand) throws {
        if command.textMaxLength < 3 { throw ValidationError("--max-length must be at least 3 for --task mlm ([CLS], a token, [SEP])") }
        if let maxSequences = command.maxSequences, maxSequences < 1 { throw ValidationError("--max-sequences must be at least 1") }
        if command.logits != nil && command.models.count != 1 { throw ValidationError("--logits needs exactly one --model") }
    }

    /// `--task mlm`: each model's masked-token accuracy and MLM loss on the text file, masked as the help says.
    static func run(_ command: EvalCommand) throws {
        let (models, data, batchSize, json, logits) = (command.models, command.data, command.batchSize, command.json, command.logits)
        let (textMaxLength, paragraphs, dataReading) = (command.textMaxLength, command.paragraphs, command.dataReading)
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
                maxLength: textMaxLength, maxSequences: command.maxSequences ?? .max, batchSize: batchSize, maskingSeed: command.maskingSeed,
                skipInvalidLines: dataReading.skipBadRows)
            if evaluator.skippedLines > 0 { printError("skipped \(evaluator.skippedLines) of the lines of \(data): not UTF-8 text") }
            let metrics = try evaluator.evaluate(model)
            reports.append(MaskedLanguageModelReport(
                model: directory, maskedAccuracy: metrics["masked_accuracy"] ?? .nan, mlmLoss: metrics["mlm_loss"] ?? .nan,
                maskedTokens: Int(metrics["masked_tokens"] ?? 0), sequences: evaluator.sequenceCount,
                skippedLines: evaluator.skippedLines, parameters: model.parameterCount))
            if let logits { try writeLogits(of: model, on: evaluator.batches, to: URL(fileURLWithPath: logits)) }
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
