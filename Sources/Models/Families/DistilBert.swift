import JSON
import NN
import Tensors

/// DistilBERT (`model_type` "distilbert"): the BERT computation under other names (`transformer.layer.N.attention.q_lin`,
/// `sa_layer_norm`, `ffn.lin1`, ...) and other config keys (`dim`, `n_layers`, `n_heads`, `hidden_dim`), with no
/// token types and no pooler: sequence classification puts `pre_classifier` + ReLU over h[CLS], the masked-LM head
/// is `vocab_transform` → `activation` → `vocab_layer_norm` → `vocab_projector`, and question answering applies `qa_dropout`.
/// Its LayerNorm epsilon is always 1e-12.
public enum DistilBert: ModelFamily {
    public static let modelType = "distilbert"
    public static let classPrefix = "DistilBert"
    public static let basePrefix = "distilbert"

    public static let keys = ConfigKeys(
        hiddenSize: "dim", layerCount: "n_layers", headCount: "n_heads", intermediateSize: "hidden_dim",
        activation: "activation", hiddenDropout: "dropout", attentionDropout: "attention_dropout",
        classifierDropout: "seq_classif_dropout", maxPositions: "max_position_embeddings")

    /// No token types; `seq_classif_dropout` 0.2.
    public static func applyDefaults(to config: inout ModelConfig) {
        config.typeVocabSize = 0
        config.classifierDropout = 0.2
    }

    public static func readConfig(_ reader: inout ConfigReader) throws -> ModelConfig {
        var config = try keys.read(&reader, as: .distilbert)
        config.qaDropout = try reader.probability("qa_dropout") ?? config.qaDropout
        config.sinusoidalPositions = try reader.optional("sinusoidal_pos_embds", as: Bool.self) ?? config.sinusoidalPositions
        // The legacy spelling; `tie_word_embeddings`, read after the family's keys, takes precedence.
        config.tieWordEmbeddings = try reader.optional("tie_weights_", as: Bool.self) ?? config.tieWordEmbeddings
        return config
    }

    public static func writeConfig(_ config: ModelConfig, into object: inout [String: JSONValue]) {
        keys.write(config, into: &object)
        object["qa_dropout"] = .pythonNumber(config.qaDropout)
        object["sinusoidal_pos_embds"] = .bool(config.sinusoidalPositions)
    }

    /// No token types; the classifier dropout becomes the one BERT used (its own, else the hidden dropout).
    public static func adopt(_ config: inout ModelConfig) {
        config.typeVocabSize = 0
        config.classifierDropout = config.classifierDropout ?? config.hiddenDropout
    }

    public static func makeLayer(shape: TransformerLayerShape, generator: RandomGenerator) -> any TransformerBlock {
        TransformerLayer(shape: shape, naming: .distilBert, generator: generator)
    }

    public static let layerPrefix = "transformer.layer"
    public static let hasPooler = false
    public static let usesPreClassifier = true

    public static let maskedLanguageModelNames = MaskedLanguageModelNames(
        transform: "vocab_transform", layerNorm: "vocab_layer_norm", decoderWeight: "vocab_projector.weight",
        decoderBias: "vocab_projector.bias")

    /// `DistilBertForMaskedLM` applies `get_activation(config.activation)`, the feed-forward's activation.
    public static func maskedLanguageModelActivation(_ config: ModelConfig) -> FeedForwardActivation {
        config.activation.feedForward
    }

    public static func questionAnsweringDropout(_ config: ModelConfig) -> Double { config.qaDropout }
}

extension ModelType {
    /// DistilBERT.
    public static let distilbert = ModelType(DistilBert.self)
}
