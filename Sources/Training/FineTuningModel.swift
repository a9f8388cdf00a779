import Datasets
import Foundation
import Models
import SafeTensors
import Tensors

/// A sequence classifier made from a BERT or DistilBERT checkpoint, for fine-tuning on a task.
public struct FineTuningModel {
    /// The classifier, its config carrying the task's `id2label` and `problem_type`.
    public let model: SequenceClassifier
    /// Whether the checkpoint's own classification head was kept: it was already fine-tuned for the same labels.
    public let keptHead: Bool
    /// Parameters left at their fresh initialisation (a new head; the pooler of a checkpoint saved without one).
    public let freshParameters: [String]
    /// Checkpoint tensors the classifier does not use (a pretraining head, a head for other labels, ...).
    public let unusedTensors: [String]

    /// Loads `directory` (`config.json`, `model.safetensors`) as a classifier for `labels`, or as a one-output
    /// regressor when `labels` is `nil`.
    ///
    /// A base checkpoint, or a classifier for other labels, gets a fresh head drawn from `generator` (Normal(0,
    /// `initializer_range`) weights, zero bias, as transformers initialises it); a classifier whose `id2label`
    /// and problem type already match keeps its head and continues from it.
    public init(directory: URL, labels: LabelSet?, generator: RandomGenerator) throws {
        let configFile = directory.appendingPathComponent("config.json")
        let original = try ModelConfig(contentsOf: configFile)
        var config = original
        config.id2label = labels?.id2label ?? [0: "LABEL_0"]
        config.problemType = labels == nil ? .regression : .singleLabelClassification
        let wasClassifier = original.architectures.contains { $0.hasSuffix(SequenceClassifier.architectureSuffix) }
        keptHead = wasClassifier && original.id2label == config.id2label
            && (original.problemType == .regression) == (labels == nil)
        model = SequenceClassifier(config: config, generator: generator)
        let checkpoint = try SafeTensorsCheckpoint(directory: directory)
        let source: any SafeTensorsSource = keptHead ? checkpoint : WithoutHead(checkpoint: checkpoint)
        let report = try model.loadWeights(from: source, config: config, configFile: configFile)
        freshParameters = report.missing
        unusedTensors = report.unexpected + (keptHead ? [] : checkpoint.names.filter(WithoutHead.isHead))
    }
}

/// A checkpoint with its classification head (`classifier.*`) hidden, so that a head for other labels, whose
/// shapes may not fit, is not loaded.
private struct WithoutHead: SafeTensorsSource {
    let checkpoint: SafeTensorsCheckpoint

    static func isHead(_ name: String) -> Bool { name.hasPrefix("classifier.") }

    var url: URL { checkpoint.url }
    var names: [String] { checkpoint.names.filter { !Self.isHead($0) } }
    func info(_ name: String) -> TensorInfo? { Self.isHead(name) ? nil : checkpoint.info(name) }

    func withFloatsCopied(_ name: String, into buffer: UnsafeMutableBufferPointer<Float>, convertingIntegers: Bool) throws {
        try checkpoint.withFloatsCopied(name, into: buffer, convertingIntegers: convertingIntegers)
    }

    func integers(_ name: String, convertingFloats: Bool) throws -> [Int64] {
        try checkpoint.integers(name, convertingFloats: convertingFloats)
    }

    func withUnsafeBytes<Result>(of name: String, _ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result {
        try checkpoint.withUnsafeBytes(of: name, body)
    }
}
