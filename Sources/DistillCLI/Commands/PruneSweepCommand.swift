import ArgumentParser
import Datasets
import Evaluation
import Foundation
import Models
import Pruning
import Training

/// `distill prune-sweep`: a task metric against the fraction of heads removed, for several importance measures.
struct PruneSweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune-sweep",
        abstract: "Measure accuracy against the fraction of attention heads removed, for each importance measure.",
        discussion: """
            Each measure (--importance, as in `distill prune`) scores the heads of --model once on --data; then, \
            for each fraction in --fractions, the least important heads are removed (feed-forward neurons stay, \
            every layer keeps a head, no recovery training) and the model is evaluated on --dev. Writes \
            OUTPUT/sweep.json (one point per measure and fraction) and OUTPUT/sweep.svg (a line chart), and prints \
            the table.

            Example:
              distill prune-sweep --model runs/teacher-sst2 --examples 2000 \\
                --data ../shared/data/sst2/train.tsv --dev ../shared/data/sst2/dev.tsv \\
                --task sst2 --output runs/prune-sweep
            """)

    @Option(help: "Fine-tuned classifier directory.")
    var model: String

    @Option(help: "File the heads are scored on (labels needed by --importance gradient only).")
    var data: String

    @Option(help: "Labelled file the pruned models are evaluated on.")
    var dev: String

    @Option(help: "Directory for sweep.json and sweep.svg.")
    var output: String

    @Option(help: "Comma-separated fractions of the heads to remove, each in [0, 1).")
    var fractions: FractionList = FractionList(values: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])

    @Option(help: "Comma-separated importance measures: gradient, kl, random.")
    var importance: ImportanceList = ImportanceList(values: [.gradient, .kl, .random])

    @Option(help: "global (one ranking over the model) or per-layer.")
    var scope: PruningScope = .global

    @Option(help: "GLUE task name, for its metric (default: accuracy, or Pearson for regression).")
    var task: String?

    @Option(help: "Use at most this many examples of --data (default: all).")
    var examples: Int?

    @Option(help: "Examples per batch.")
    var batchSize = 32

    @Option(help: "Truncate inputs to this many tokens (capped by the model's limit).")
    var maxLength = 128

    @Option(help: "Seed of --importance random.")
    var seed: UInt64 = 42

    @OptionGroup var dataReading: DataReadingOptions

    func validate() throws {
        if let bad = fractions.values.first(where: { !($0 >= 0 && $0 < 1) }) {
            throw ValidationError("--fractions: each must be in [0, 1), got \(bad)")
        }
        if let examples, examples < 1 { throw ValidationError("--examples must be at least 1") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if maxLength < 2 { throw ValidationError("--max-length must be at least 2") }
    }

    func run() throws {
        let classifier = try SavedClassifier(directory: URL(fileURLWithPath: model))
        let measures = importance.values.map { $0.measure(reference: classifier.model, seed: seed) }
        // The strictest measure decides whether the scoring data must be labelled.
        let scoringMeasure = measures.first(where: \.needsLabels) ?? measures[0]
        let scoring = try PruneCommand.batcher(
            data: data, for: classifier, measure: scoringMeasure, limit: examples, batchSize: batchSize,
            maxLength: maxLength, skipBadRows: dataReading.skipBadRows)
        let length = min(maxLength, classifier.maxLength)
        let devData = try LabelledDataLoading.read(
            path: dev, task: classifier.isRegression ? .regression : .classification, labelSet: classifier.labels,
            skipBadRows: dataReading.skipBadRows)
        DataReadingOptions.report([devData.skippedRows])
        let metrics = Metric.defaults(forTask: task, regression: classifier.isRegression)
        let evaluator = try ClassifierEvaluator(
            examples: devData.tokenized(with: classifier.tokenizer, maxLength: length), metrics: metrics,
            batchSize: batchSize, padId: classifier.tokenizer.padId, maxLength: length)

        let batchesPerMeasure = (scoring.examples.count + batchSize - 1) / batchSize
        var reporter = ProgressReporter(configuration: .init(totalSteps: measures.count * batchesPerMeasure,
                                                             totalEpochs: measures.count))
        var scored = 0
        let points: [SweepPoint]
        do {
            points = try PruningSweep.run(
                classifier.model, measures: measures, scoringData: scoring, evaluator: evaluator,
                headsRemoved: fractions.values, scope: scope,
                onBatch: { _, batch in
                    scored += 1
                    reporter.update(step: scored, epoch: (scored - 1) / max(batchesPerMeasure, 1) + 1, tokens: batch.tokenCount)
                },
                onPoint: { point in
                    reporter.message("\(point.importance): " + String(format: "%.0f%%", 100 * point.headsRemoved)
                        + " of heads removed -> \(metrics[0].rawValue) " + String(format: "%.4f", point.metric))
                })
        } catch let error as ImportanceError {
            throw CommandLineError("--importance on --data \(data): \(error)")
        }
        reporter.finish()

        let directory = URL(fileURLWithPath: output)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try JSONEncoder.pretty.encode(points).write(to: directory.appendingPathComponent("sweep.json"), options: .atomic)
        let chart = SweepChart(points: points, metricName: metrics[0].rawValue,
                               title: "\(classifier.directory.lastPathComponent): heads removed without recovery")
        try Data(chart.svg.utf8).write(to: directory.appendingPathComponent("sweep.svg"), options: .atomic)
        print(Self.table(points, measures: measures.map(\.name)))
        print("written to \(directory.appendingPathComponent("sweep.json").path) and sweep.svg")
    }

    /// One row per fraction removed, one column per measure.
    static func table(_ points: [SweepPoint], measures: [String]) -> String {
        var removed: [Double] = []
        for point in points where !removed.contains(point.headsRemoved) { removed.append(point.headsRemoved) }
        let rows = removed.sorted().map { fraction in
            [String(format: "%.0f%%", 100 * fraction)] + measures.map { measure in
                points.first { $0.importance == measure && $0.headsRemoved == fraction }
                    .map { String(format: "%.4f", $0.metric) } ?? "-"
            }
        }
        return TextTable(header: ["heads removed"] + measures, rows: rows).rendered
    }
}

/// A comma-separated list of fractions, e.g. `0,0.25,0.5`.
struct FractionList: ExpressibleByArgument {
    let values: [Double]

    init(values: [Double]) {
        self.values = values
    }

    init?(argument: String) {
        let parts = argument.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else { return nil }
        values = parts.compactMap { $0 }
    }

    var defaultValueDescription: String { values.map { String($0) }.joined(separator: ",") }
}

/// A comma-separated list of importance measures, e.g. `gradient,random`.
struct ImportanceList: ExpressibleByArgument {
    let values: [ImportanceKind]

    init(values: [ImportanceKind]) {
        self.values = values
    }

    init?(argument: String) {
        let kinds = argument.split(separator: ",").map { ImportanceKind(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
        guard !kinds.isEmpty, kinds.allSatisfy({ $0 != nil }) else { return nil }
        values = kinds.compactMap { $0 }
    }

    var defaultValueDescription: String { values.map(\.rawValue).joined(separator: ",") }
}
