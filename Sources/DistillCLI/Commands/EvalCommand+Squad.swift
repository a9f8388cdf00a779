import Evaluation
import Foundation

/// `distill eval --task squad`: SQuAD exact match and F1, size and speed of question-answering models.
extension EvalCommand {
    func evaluateSquad() throws {
        if !metrics.isEmpty { throw CommandLineError("--metric does not apply to --task squad (it reports exact_match and f1)") }
        var settings = SquadEvaluationSettings()
        settings.batchSize = batchSize
        settings.latencyQuestions = latencyExamples
        if let maxLength { settings.maxLength = maxLength }
        var reports: [SquadEvaluationReport] = []
        for model in models {
            printError("evaluating \(model) on \(data)")
            reports.append(try SquadEvaluation.run(SavedQuestionAnswering(directory: URL(fileURLWithPath: model)), dataPath: data, settings: settings))
        }
        let rows = reports.map { report in
            [report.model, String(format: "%.2f", report.exactMatch), String(format: "%.2f", report.f1),
             String(format: "%.1fM", Double(report.footprint.parameterCount) / 1e6),
             String(format: "%.2f ms", report.latency.medianMilliseconds),
             String(format: "%.1f", report.throughput.questionsPerSecond)]
        }
        print(TextTable(header: ["model", "exact_match", "f1", "params", "latency b1", "b\(batchSize) questions/s"], rows: rows).rendered)
        if let json {
            try JSONEncoder.pretty.encode(reports).write(to: URL(fileURLWithPath: json), options: .atomic)
        }
    }
}
