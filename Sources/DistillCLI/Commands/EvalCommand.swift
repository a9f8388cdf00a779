import ArgumentParser
import Evaluation
import Foundation

/// `distill eval`: task metrics, size and speed of one or more models on a labelled file, side by side.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Compare fine-tuned models on a labelled file: task metrics, parameters, size, latency, throughput.",
        discussion: """
            For each model: the task metrics (by --task; else accuracy, or Pearson and Spearman for a \
            regression head), the parameter count, the size of its weight files, the median latency of one \
            example at batch 1 (over the first --latency-examples examples), and examples and tokens per \
            second at --batch-size over the whole file (tokenization is not timed). Labels in the file are \
            matched to each model's id2label (integer labels are class indices).

            --task squad evaluates question-answering models on a SQuAD v1.1 (or v2.0) JSON file instead: the \
            official exact match and F1 (percent), windows of 384 tokens sharing 128, the latency of one \
            question answered at a time (windowing and answer extraction included) and questions per second at \
            --batch-size windows per pass; --max-length does not apply.

            Example:
              distill eval --model runs/teacher-sst2 --model runs/student-sst2 \\
                --data ../shared/data/sst2/dev.tsv --task sst2 --json eval.json
              distill eval --model runs/squad/teacher --task squad \\
                --data ../shared/data/squad/dev-v1.1.json
            """)

    @Option(name: .customLong("model"), help: "A fine-tuned model directory (repeat to compare several).")
    var models: [String]

    @Option(help: "Labelled evaluation file (.tsv, .csv or .jsonl).")
    var data: String

    @Option(help: "GLUE task name, for its metrics (sst2: accuracy, mrpc: accuracy and F1, cola: MCC, stsb: Pearson and Spearman, ...).")
    var task: String?

    @Option(name: .customLong("metric"), help: "A metric to report instead of the task's (repeatable).")
    var metrics: [Metric] = []

    @Option(help: "Write the results as JSON to this file.")
    var json: String?

    @Option(help: "Batch size of the metric and throughput pass.")
    var batchSize = 32

    @Option(help: "Truncate inputs to this many tokens (capped by each model's limit).")
    var maxLength = 128

    @Option(help: "Examples timed one at a time for the batch-1 latency.")
    var latencyExamples = 100

    @OptionGroup var dataReading: DataReadingOptions

    func validate() throws {
        if models.isEmpty { throw ValidationError("give at least one --model") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if maxLength < 2 { throw ValidationError("--max-length must be at least 2") }
        if latencyExamples < 1 { throw ValidationError("--latency-examples must be at least 1") }
    }

    func run() throws {
        if SquadTask.isRequested(task) { return try evaluateSquad() }
        var settings = ModelEvaluationSettings(task: task)
        settings.metrics = metrics
        settings.maxLength = maxLength
        settings.batchSize = batchSize
        settings.latencyExamples = latencyExamples
        settings.skipBadRows = dataReading.skipBadRows
        var reports: [ModelEvaluationReport] = []
        for model in models {
            printError("evaluating \(model) on \(data)")
            let classifier = try SavedClassifier(directory: URL(fileURLWithPath: model))
            let report = try ModelEvaluation.run(classifier, dataPath: data, settings: settings)
            DataReadingOptions.report([report.skippedRows])
            reports.append(report)
        }
        print(Self.table(reports))
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
        let header = ["model"] + metricNames + ["params", "weights", "latency b1", "b\(reports.first?.throughput.batchSize ?? 32) ex/s", "tokens/s"]
        let rows = reports.map { report -> [String] in
            let metricCells = metricNames.map { name -> String in
                guard let entry = report.metrics[name] else { return "-" }
                return entry.map { String(format: "%.4f", $0) } ?? "n/a"
            }
            return [report.model] + metricCells + [
                String(format: "%.1fM", Double(report.footprint.parameterCount) / 1e6),
                String(format: "%.1f MB", Double(report.footprint.weightBytes) / 1e6),
                String(format: "%.2f ms", report.latency.medianMilliseconds),
                String(format: "%.1f", report.throughput.examplesPerSecond),
                String(format: "%.0f", report.throughput.tokensPerSecond),
            ]
        }
        return TextTable(header: header, rows: rows).rendered
    }
}
