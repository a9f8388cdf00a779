import ArgumentParser
import Datasets
import Evaluation
import Foundation
import JSON

/// `distill eval --task squad`: SQuAD exact match and F1, size and speed of question-answering models, in --rounds.
enum QuestionAnsweringEvaluation: EvaluationMode {
    static let name = "--task squad"

    static func evaluates(task: String?) -> Bool { SquadTask.isRequested(task) }

    static let options: Set<String> = ["--rounds", "--logits"]

    static func validate(_ command: EvalCommand) throws {
        if command.logits != nil && command.models.count != 1 { throw ValidationError("--logits needs exactly one --model") }
    }

    static func run(_ command: EvalCommand) throws {
        var settings = SquadEvaluationSettings()
        settings.batchSize = command.batchSize
        settings.latencyQuestions = command.latencyExamples
        if let maxLength = command.maxLength { settings.maxLength = maxLength }
        // Every model is loaded before any is evaluated, so a bad directory stops the command at once.
        let models = try command.models.map { ($0, try SavedQuestionAnswering(directory: URL(fileURLWithPath: $0))) }
        var reports: [SquadEvaluationReport] = []
        for (directory, model) in models {
            printError("evaluating \(directory) on \(command.data)")
            reports.append(try SquadEvaluation.run(model, dataPath: command.data, settings: settings))
        }
        for round in stride(from: 2, through: command.rounds, by: 1) {
            for (index, (directory, model)) in models.enumerated() {
                printError("round \(round) of \(command.rounds): timing \(directory)")
                reports[index].addRound(try SquadEvaluation.timeAgain(model, dataPath: command.data, settings: settings))
            }
        }
        let rows = reports.map { report in
            [report.model, String(format: "%.2f", report.exactMatch), String(format: "%.2f", report.f1),
             String(format: "%.1fM", Double(report.footprint.parameterCount) / 1e6),
             String(format: "%.2f ms", report.latency.medianMilliseconds),
             String(format: "%.1f", report.throughput.questionsPerSecond)
                + EvalCommand.range(report.rounds.map(\.throughput.questionsPerSecond))]
        }
        print(TextTable(header: ["model", "exact_match", "f1", "params", "latency b1", "b\(command.batchSize) questions/s"], rows: rows).rendered)
        if let json = command.json {
            try JSONEncoder.pretty.encode(reports).write(to: URL(fileURLWithPath: json), options: .atomic)
        }
        if let logits = command.logits, let (_, model) = models.first {
            try writeLogits(of: model, on: command.data, settings: settings, to: URL(fileURLWithPath: logits))
        }
    }

    /// One JSON line per window of the file's questions: its input ids, token types, attention mask and the
    /// model's start and end logits.
    private static func writeLogits(of model: SavedQuestionAnswering, on dataPath: String, settings: SquadEvaluationSettings, to url: URL)
        throws
    {
        let features = try model.featurizer(maxLength: settings.maxLength).features(of: try SquadDataset(path: dataPath).examples)
        let logits = try QuestionAnsweringInference.run(
            model.model, on: features, batchSize: settings.batchSize, padId: model.tokenizer.padId)
        var lines = ""
        for (feature, window) in zip(features, logits) {
            let integers = { (values: [Int32]) in JSONValue.array(values.map { JSONValue(Int($0)) }) }
            lines += JSONValue.object([
                .init(key: "input_ids", value: integers(feature.tokens.ids)),
                .init(key: "token_type_ids", value: integers(feature.tokens.typeIds)),
                .init(key: "attention_mask", value: .array(Array(repeating: JSONValue(1), count: feature.tokens.length))),
                .init(key: "start_logits", value: .array(window.start.map { JSONValue($0) })),
                .init(key: "end_logits", value: .array(window.end.map { JSONValue($0) })),
            ]).serialized() + "\n"
        }
        try Data(lines.utf8).write(to: url, options: .atomic)
    }
}
