import Evaluation
import Foundation

/// `distill eval` on a labelled file (every task but mlm and squad): the task's metrics, size and speed of
/// sequence classifiers, in --rounds.
enum ClassificationEvaluation: EvaluationMode {
    static let name = "classification tasks"

    static func evaluates(task: String?) -> Bool { true }

    static let options: Set<String> = ["--metric", "--rounds"]

    static func validate(_ command: EvalCommand) throws {}

    static func run(_ command: EvalCommand) throws {
        let (task, models, data, rounds, json) = (command.task, command.models, command.data, command.rounds, command.json)
        var settings = ModelEvaluationSettings(task: task)
        settings.metrics = command.metrics
        settings.maxLength = command.textMaxLength
        settings.batchSize = command.batchSize
        settings.latencyExamples = command.latencyExamples
        settings.skipBadRows = command.dataReading.skipBadRows
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
        print(table(reports))
        if let json {
            try JSONEncoder.pretty.encode(reports).write(to: URL(fileURLWithPath: json), options: .atomic)
        }
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
                String(format: "%.1f", report.throughput.examplesPerSecond) + EvalCommand.range(report.rounds.map(\.throughput.examplesPerSecond)),
                String(format: "%.0f", report.throughput.tokensPerSecond),
            ]
        }
        return TextTable(header: header, rows: rows).rendered
    }
}
