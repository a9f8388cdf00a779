import JSON
import NN
import Tensors

/// BERT (`model_type` "bert"; `BertModel`, `BertForSequenceClassification`, ...): post-LN layers named
/// `encoder.layer.N.attention.self.query`, ..., token-type embeddings, a pooler over [CLS] that sequence
/// classification reads, and the `cls.predictions` masked-LM head with the config's activation. Public, so that a
/// family built on BERT's keys and layers can delegate to it.
public enum Bert: ModelFamily {
    public static let modelType = "bert"
    public static let classPrefix = "Bert"
    public static let basePrefix = "bert"

    public static let keys = ConfigKeys(
        hiddenSize: "hidden_size", layerCount: "num_hidden_layers", headCount: "num_attention_heads",
        intermediateSize: "intermediate_size", activation: "hidden_act", hiddenDropout: "hidden_dropout_prob",
        attentionDropout: "attention_probs_dropout_prob", classifierDropout: "classifier_dropout",
        maxPositions: "max_position_embeddings")

    /// Two token types; `classifier_dropout` unset (the hidden dropout is used).
    public static func applyDefaults(to config: inout ModelConfig) {
        config.typeVocabSize = 2
    }

    public static func readConfig(_ reader: inout ConfigReader) throws -> ModelConfig {
        var config = try keys.read(&reader, as: .bert)
        config.layerNormEps = try reader.finite("layer_norm_eps") ?? config.layerNormEps
        guard config.layerNormEps > 0 else { throw reader.invalid("layer_norm_eps", "must be positive") }
        config.typeVocabSize = try reader.optional("type_vocab_size", as: Int.self) ?? config.typeVocabSize
        guard config.typeVocabSize >= 0 else { throw reader.invalid("type_vocab_size", "must not be negative") }
        return config
    }

    public static func writeConfig(_ config: ModelConfig, into object: inout [String: JSONValue]) {
        keys.write(config, into: &object)
        object["layer_norm_eps"] = .pythonNumber(config.layerNormEps)
        object["type_vocab_size"] = JSONValue(config.typeVocabSize)
    }

    public static func adopt(_ config: inout ModelConfig) {
        config.typeVocabSize = 2
        config.sinusoidalPositions = false
    }

    public static func makeLayer(shape: TransformerLayerShape, generator: RandomGenerator) -> any TransformerBlock {
        TransformerLayer(shape: shape, naming: .bert, generator: generator)
    }

    public static let layerPrefix = "encoder.layer"
    public static let hasPooler = true
    public static let usesPreClassifier = false

    public static let maskedLanguageModelNames = MaskedLanguageModelNames(
        transform: "cls.predictions.transform.dense", layerNorm: "cls.predictions.transform.LayerNorm",
        decoderWeight: "cls.predictions.decoder.weight", decoderBias: "cls.predictions.bias")

    public static func maskedLanguageModelActivation(_ config: ModelConfig) -> FeedForwardActivation {
        config.activation.feedForward
    }

    /// `BertForQuestionAnswering` has no dropout before `qa_outputs`.
    public static func questionAnsweringDropout(_ config: ModelConfig) -> Double { 0 }
}

extension ModelType {
    /// BERT, and every model saved as `model_type` "bert" (MiniLM, TinyBERT, ...).
    public static let bert = ModelType(Bert.self)
}
