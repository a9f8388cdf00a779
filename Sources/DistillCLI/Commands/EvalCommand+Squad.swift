import ArgumentParser
import Evaluation
import Foundation

/// `distill eval --task squad`: SQuAD exact match and F1, size and speed of question-answering models, in --rounds.
enum QuestionAnsweringEvaluation: EvaluationMode {
    static let name = "--task squad"

    static func evaluates(task: String?) -> Bool { SquadTask.isRequested(task) }

    static func ownOptions(of command: EvalCommand) -> [(option: String, given: Bool)] { [] }

    static func validate(_ command: EvalCommand) throws {
        if !command.metrics.isEmpty { throw ValidationError("--metric does not apply to --task squad (it reports exact_match and f1)") }
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
    }
}
