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
        let configFile = directory.appendingPathComponent("config.json")
        var config = try ModelConfig(contentsOf: configFile)
        adjust(&config)
        let model = Self(config: config, generator: generator)
        let checkpoint = try SafeTensorsCheckpoint(directory: directory)
        let report = try model.loadWeights(from: checkpoint, config: config, configFile: configFile, strict: strict)
        return (model, report)
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
