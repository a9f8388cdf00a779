import Foundation
import NN
import SafeTensors
import Tensors

/// A model class that reads and writes Hugging Face model directories (`config.json` + `model.safetensors`).
public protocol PretrainedModel: Module {
    init(config: ModelConfig, generator: RandomGenerator)
    var config: ModelConfig { get }
    /// The transformers class suffix written to `architectures` (`ForSequenceClassification`, ...).
    static var architectureSuffix: String { get }
}

extension SequenceClassifier: PretrainedModel {
    public static let architectureSuffix = "ForSequenceClassification"
}

extension MaskedLanguageModel: PretrainedModel {
    public static let architectureSuffix = "ForMaskedLM"
}

extension QuestionAnswering: PretrainedModel {
    public static let architectureSuffix = "ForQuestionAnswering"
}

extension TransformerEncoder: PretrainedModel {
    public static var architectureSuffix: String { "Model" }

    public convenience init(config: ModelConfig, generator: RandomGenerator) {
        self.init(config: config, withPooler: true, generator: generator)
    }
}

extension PretrainedModel {
    /// Loads `directory/config.json` and its weights (a quantized model into quantized layers, for inference
    /// only; see `quantization_config`). Missing weights (a fresh task head on a base checkpoint)
    /// are initialised and listed in the report; `strict` makes any missing or unexpected weight an error.
    public static func load(from directory: URL, strict: Bool = false, generator: RandomGenerator = RandomGenerator(seed: 42),
                            adjustingConfig adjust: (inout ModelConfig) -> Void = { _ in }) throws -> (model: Self, report: WeightLoadReport) {
        let configURL = directory.appendingPathComponent("config.json")
        var config = try ModelConfig(contentsOf: configURL)
        adjust(&config)
        // The initial weights are drawn only where the checkpoint has none (see `deferringNormals`).
        let (model, initialization) = generator.deferringNormals { Self(config: config, generator: generator) }
        let checkpoint = try SafeTensorsCheckpoint(directory: directory)
        do {
            let report = try model.loadWeights(from: checkpoint, config: config, configFile: configURL, strict: strict)
            let missing = Set(report.missing)
            initialization.draw(model.namedParameters().filter { missing.contains($0.name) }.map(\.tensor))
            return (model, report)
        } catch ModelWeightsError.shapeMismatch(_, let name, let expected, let found) {
            throw Self.layerShapeError(config: config, file: configURL, tensor: name, expected: expected, found: found)
                ?? ModelWeightsError.shapeMismatch(file: checkpoint.url.path, name: name, expected: expected, found: found)
        }
    }

    /// When the config has per-layer shapes (a pruned model), a layer tensor of the wrong shape means they disagree
    /// with the weights: the error names that key and the layer's shape by the config. `nil` for a uniform config
    /// or a tensor outside the layers (the tensor's own error stands).
    private static func layerShapeError(config: ModelConfig, file: URL, tensor: String, expected: [Int], found: [Int])
        -> ModelConfigError?
    {
        let marker = config.modelType.family.layerPrefix + "."
        guard config.layerDimensions != nil, let range = tensor.range(of: marker),
              let layer = Int(tensor[range.upperBound...].prefix { $0.isNumber }) else { return nil }
        let dimensions = config.dimensions(ofLayer: layer)
        return ModelConfigError(file: file, fault: .invalidValue(
            key: ModelConfig.layerDimensionsKey,
            reason: "disagrees with the weights: for layer \(layer) it gives \(dimensions.headCount) head(s) "
                + "of \(dimensions.headSize) and \(dimensions.intermediateSize) feed-forward neurons, so tensor "
                + "'\(tensor)' should have shape \(expected), but the checkpoint's has \(found)"))
    }

    /// Writes `config.json` (with this head's `architectures`) and `model.safetensors` (in the family's checkpoint
    /// layout) into `directory`, creating it; each file is written under a temporary name and renamed.
    public func save(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var config = self.config
        config.architectures = [config.modelType.className(Self.architectureSuffix)]
        try saveWeights(to: directory.appendingPathComponent(SafeTensorsCheckpoint.singleFileName),
                        modelType: config.modelType)
        try config.write(to: directory.appendingPathComponent("config.json"))
    }
}
