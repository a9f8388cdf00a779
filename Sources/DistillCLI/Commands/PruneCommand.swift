import ArgumentParser
import Datasets
import Distillation
import Evaluation
import Foundation
import JSON
import Models
import Pruning
import Training

/// `distill prune`: structured pruning of attention heads and feed-forward neurons of a fine-tuned classifier.
struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove the least important attention heads and feed-forward neurons of a fine-tuned classifier.",
        discussion: """
            Heads and neurons are scored on --data (a forward and backward pass per example, so a few thousand \
            examples, --examples, are enough), the least important removed, and the smaller model written to \
            --output. The removal is physical: a removed head leaves the query, key, value and attention output \
            projections, a removed neuron both feed-forward matrices, and layers may end with different head \
            counts and widths (recorded in config.json as "distill_layer_dimensions"). The pruned model runs in \
            every distill command; `distill task --student OUTPUT --teacher MODEL` recovers accuracy by \
            distillation (config.json records "distill_teacher_layers" as 0,1,2,..., so the hidden-state terms \
            map each layer to the one it was pruned from).

            --importance gradient (default): a head scores |d loss / d gate| for a gate on its output, averaged \
            over the examples and normalised per layer (Michel et al. 2019); a neuron |sum of weight x gradient| \
            over its output weights. Needs labels. kl: the loss replaced by KL(unpruned model || current model), no \
            labels needed; since its gradient vanishes before anything is removed, the score is the gate's \
            Fisher information under the unpruned model's predictions (the KL's second-order term), one backward \
            pass per class. random: the control.

            --scope global (default) ranks all heads (and all neurons) of the model together, per-layer keeps the \
            fraction in every layer; either way every layer keeps at least one head and one neuron. \
            --iterations N reaches the target in N equal steps, rescoring the smaller model before each. \
            --filled writes the full shape instead, the removed heads and neurons as zeros: transformers loads \
            it as it is and it gives the same outputs.

            Example:
              distill prune --model runs/teacher-sst2 --data ../shared/data/sst2/train.tsv \\
                --examples 2000 --heads-keep 0.5 --ffn-keep 0.5 --output runs/pruned
            """)

    @Option(help: "Fine-tuned classifier directory (config.json, model.safetensors, tokenizer files).")
    var model: String

    @Option(help: "File scored on (.tsv, .csv or .jsonl; labels needed by --importance gradient only).")
    var data: String

    @Option(help: "Output directory for the pruned model.")
    var output: String

    @Option(help: "Fraction of the attention heads kept, in (0, 1].")
    var headsKeep: Double

    @Option(help: "Fraction of the feed-forward neurons kept, in (0, 1].")
    var ffnKeep: Double

    @Option(help: "How heads and neurons are scored: gradient, kl or random.")
    var importance: ImportanceKind = .gradient

    @Option(help: "Steps to reach the target, rescoring before each.")
    var iterations = 1

    @Option(help: "global (one ranking over the model) or per-layer.")
    var scope: PruningScope = .global

    @Flag(help: "Write the full shape with zeros in the removed parts (loadable by transformers as it is).")
    var filled = false

    @Option(help: "Use at most this many examples of --data (default: all).")
    var examples: Int?

    @Option(help: "Examples per scoring pass.")
    var batchSize = 32

    @Option(help: "Truncate inputs to this many tokens (capped by the model's limit).")
    var maxLength = 128

    @Option(help: "Seed of --importance random.")
    var seed: UInt64 = 42

    @Option(help: "Write the per-step head and neuron counts as JSON to this file.")
    var json: String?

    @OptionGroup var dataReading: DataReadingOptions

    func validate() throws {
        for (flag, value) in [("--heads-keep", headsKeep), ("--ffn-keep", ffnKeep)] where !(value > 0 && value <= 1) {
            throw ValidationError("\(flag) must be in (0, 1], got \(value)")
        }
        if iterations < 1 { throw ValidationError("--iterations must be at least 1") }
        if let examples, examples < 1 { throw ValidationError("--examples must be at least 1") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if maxLength < 2 { throw ValidationError("--max-length must be at least 2") }
    }

    func run() throws {
        let classifier = try SavedClassifier(directory: URL(fileURLWithPath: model))
        let measure = importance.measure(reference: classifier.model, seed: seed)
        let batcher = try Self.batcher(data: data, for: classifier, measure: measure, limit: examples,
                                       batchSize: batchSize, maxLength: maxLength, skipBadRows: dataReading.skipBadRows)
        let settings = PruningSettings(headsKept: headsKeep, neuronsKept: ffnKeep, iterations: iterations, scope: scope)
        let batchesPerStep = (batcher.examples.count + batchSize - 1) / batchSize
        var reporter = ProgressReporter(configuration: .init(totalSteps: iterations * batchesPerStep, totalEpochs: iterations))
        let result: (model: SequenceClassifier, steps: [PruningStepReport])
        var scored = 0
        do {
            result = try StructuredPruning.run(classifier.model, measure: measure, batcher: batcher, settings: settings) {
                step, batch in
                scored += 1
                reporter.update(step: scored, epoch: step, tokens: batch.tokenCount)
            }
        } catch let error as ImportanceError {
            throw CommandLineError("--importance \(importance.rawValue) on --data \(data): \(error)")
        }
        reporter.finish()
        let saved = filled ? try result.model.filled() : result.model
        let directory = URL(fileURLWithPath: output)
        try saved.save(to: directory)
        try Self.recordIdentityLayerMap(in: directory)
        _ = try StudentInitialization.copyTokenizerFiles(from: classifier.directory, to: directory)
        print(Self.table(original: classifier.model, pruned: result.model))
        print("written to \(output)\(filled ? " (full shape, removed parts zero)" : "")")
        if let json {
            try JSONEncoder.pretty.encode(result.steps).write(to: URL(fileURLWithPath: json), options: .atomic)
        }
    }

    /// The examples of `data` for `measure`, in batches; an unlabelled file is an error when the measure needs
    /// labels.
    static func batcher(data: String, for classifier: SavedClassifier, measure: any ImportanceMeasure, limit: Int?,
                        batchSize: Int, maxLength: Int, skipBadRows: Bool) throws -> Batcher {
        let options = DatasetReadOptions(
            task: classifier.isRegression ? .regression : .classification, labelSet: classifier.labels,
            labelsOptional: true, skipBadRows: skipBadRows)
        let dataset = try LabelledTextReader.read(path: data, options: options)
        DataReadingOptions.report([dataset.skippedRows])
        let length = min(maxLength, classifier.maxLength)
        var examples = Array(dataset.tokenized(with: classifier.tokenizer, maxLength: length).prefix(limit ?? .max))
        if measure.needsLabels, examples.contains(where: { $0.label == nil }) {
            throw CommandLineError("--data \(data) has examples without labels; --importance \(measure.name) needs "
                + "them (kl and random do not)")
        }
        if !measure.needsLabels {
            // One kind of label per batcher: the labels are not used, so a partly labelled file is fine.
            examples = examples.map { TokenizedExample(ids: $0.ids, typeIds: $0.typeIds, label: nil, index: $0.index) }
        }
        guard !examples.isEmpty else { throw CommandLineError("--data \(data) has no examples") }
        return try Batcher(examples: examples, batchSize: batchSize, padId: classifier.tokenizer.padId, maxLength: length)
    }

    /// Records in config.json that layer i of the pruned model learns from layer i of the model it was pruned
    /// from, the map `distill task`'s hidden-state terms read (any map the input model recorded was to another
    /// teacher).
    static func recordIdentityLayerMap(in directory: URL) throws {
        let file = directory.appendingPathComponent("config.json")
        var config = try ModelConfig(contentsOf: file)
        config.extraKeys[StudentInitialization.teacherLayersKey] = .array((0..<config.layerCount).map { JSONValue($0) })
        try config.write(to: file)
    }

    /// One row per layer: heads and neurons before and after; then the parameter counts.
    static func table(original: SequenceClassifier, pruned: SequenceClassifier) -> String {
        let rows = (0..<original.config.layerCount).map { layer -> [String] in
            let (before, after) = (original.config.dimensions(ofLayer: layer), pruned.config.dimensions(ofLayer: layer))
            return ["\(layer)", "\(before.headCount) -> \(after.headCount)",
                    "\(before.intermediateSize) -> \(after.intermediateSize)"]
        }
        let ratio = Double(pruned.parameterCount) / Double(max(original.parameterCount, 1))
        let total = ["all", "", "parameters \(original.parameterCount) -> \(pruned.parameterCount) "
            + String(format: "(%.0f%%)", 100 * ratio)]
        return TextTable(header: ["layer", "heads", "feed-forward"], rows: rows + [total]).rendered
    }
}

/// `--importance gradient|kl|random`.
enum ImportanceKind: String, ExpressibleByArgument, CaseIterable {
    case gradient, kl, random

    /// The measure; `reference` is the unpruned model (kl), `seed` drives random.
    func measure(reference: SequenceClassifier, seed: UInt64) -> any ImportanceMeasure {
        switch self {
        case .gradient: GradientImportance()
        case .kl: KLImportance(reference: reference)
        case .random: RandomImportance(seed: seed)
        }
    }
}

extension PruningScope: ExpressibleByArgument {}
