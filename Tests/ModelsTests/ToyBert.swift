import JSON
import Models
import NN
import Tensors

/// A family defined outside the Models module, to prove the family seam: BERT's computation and config keys, but
/// checkpoints that keep each layer's six projection matrices transposed (`[in, out]`, as GPT-2's `Conv1D` and
/// TensorFlow's `kernel` do) and under the name `kernel` instead of `weight`.
protocol ToyBertLayout: ModelFamily {}

/// `model_type` "toy-bert".
enum ToyBert: ToyBertLayout {
    static let modelType = "toy-bert"
}

/// The same family claiming BERT's `model_type`, which registering must refuse.
enum ToyBertClaimingBert: ToyBertLayout {
    static let modelType = "bert"
}

extension ModelType {
    static let toyBert = ModelType(ToyBert.self)
}

/// BERT's config, layers and heads (delegated to ``Bert``); only the names and the checkpoint layout are the toy's.
extension ToyBertLayout {
    static var classPrefix: String { "ToyBert" }
    static var basePrefix: String { Bert.basePrefix }

    static func applyDefaults(to config: inout ModelConfig) { Bert.applyDefaults(to: &config) }

    static func readConfig(_ reader: inout ConfigReader) throws -> ModelConfig {
        var config = try Bert.readConfig(&reader)
        config.modelType = ModelType(Self.self)
        return config
    }

    static func writeConfig(_ config: ModelConfig, into object: inout [String: JSONValue]) {
        Bert.writeConfig(config, into: &object)
    }

    static func adopt(_ config: inout ModelConfig) { Bert.adopt(&config) }

    /// The projections of a BERT layer whose matrices this layout stores transposed.
    static var projections: [String] {
        ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
         "intermediate.dense", "output.dense"]
    }

    static func storage(ofParameter name: String) -> StoredParameter {
        guard name.contains("encoder.layer."), projections.contains(where: { name.hasSuffix(".\($0).weight") }) else {
            return StoredParameter(name: name)
        }
        return StoredParameter(name: name.dropLast("weight".count) + "kernel", isTransposed: true)
    }

    static func makeLayer(shape: TransformerLayerShape, generator: RandomGenerator) -> any TransformerBlock {
        Bert.makeLayer(shape: shape, generator: generator)
    }

    static var layerPrefix: String { Bert.layerPrefix }
    static var hasPooler: Bool { Bert.hasPooler }
    static var usesPreClassifier: Bool { Bert.usesPreClassifier }
    static var maskedLanguageModelNames: MaskedLanguageModelNames { Bert.maskedLanguageModelNames }

    static func maskedLanguageModelActivation(_ config: ModelConfig) -> FeedForwardActivation {
        Bert.maskedLanguageModelActivation(config)
    }

    static func questionAnsweringDropout(_ config: ModelConfig) -> Double { Bert.questionAnsweringDropout(config) }
}
