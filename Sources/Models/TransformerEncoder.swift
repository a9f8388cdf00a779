import NN
import Tensors

/// `BertModel` and `DistilBertModel`: embeddings, a stack of post-LN layers, and (BERT only) a pooler.
/// The two differ only in their names (`encoder.layer.N.attention.self.query` vs `transformer.layer.N.attention.q_lin`)
/// and in token types and pooler, so one class serves both, its layout chosen by the config's `model_type`.
public final class TransformerEncoder: Module {
    public let config: ModelConfig
    public let embeddings: Embeddings
    public let layers: ModuleList<TransformerLayer>
    public let pooler: Pooler?
    /// `encoder.layer` (BERT) or `transformer.layer` (DistilBERT).
    let layerPrefix: String

    init(config: ModelConfig, naming: TransformerLayerNaming, layerPrefix: String, withPooler: Bool, generator: RandomGenerator) {
        self.config = config
        embeddings = Embeddings(config: config, generator: generator)
        layers = ModuleList((0..<config.layerCount).map { _ in
            TransformerLayer(shape: config.layerShape, naming: naming, generator: generator)
        })
        pooler = withPooler ? Pooler(config: config, generator: generator) : nil
        self.layerPrefix = layerPrefix
    }

    public override var children: [(name: String, module: Module)] {
        [("embeddings", embeddings), (layerPrefix, layers)] + (pooler.map { [("pooler", $0)] } ?? [])
    }

    /// Runs the encoder on a padded batch.
    public func callAsFunction(_ input: EncoderInput, options: EncoderOutputOptions = EncoderOutputOptions()) -> EncoderOutput {
        let maskBias = input.attentionMask.contains(0) ? input.maskBias : nil
        var hidden = embeddings(input)
        var output = EncoderOutput(lastHidden: hidden)
        if options.hiddenStates { output.hiddenStates.append(hidden) }
        for layer in layers.items {
            let result = layer(hidden, maskBias: maskBias, keepAttention: options.attentions)
            hidden = result.hidden
            if options.hiddenStates { output.hiddenStates.append(hidden) }
            if let probabilities = result.attentionProbabilities { output.attentionProbabilities.append(probabilities) }
            if let scores = result.attentionScores { output.attentionScores.append(scores) }
        }
        output.lastHidden = hidden
        output.pooled = pooler?(hidden)
        return output
    }
}

extension TransformerEncoder {
    /// An encoder with this config's layout: BERT's names, token types and pooler, or DistilBERT's.
    convenience init(encoderFor config: ModelConfig, withPooler: Bool = true, generator: RandomGenerator) {
        let isBert = config.modelType == .bert
        self.init(config: config, naming: isBert ? .bert : .distilBert, layerPrefix: isBert ? "encoder.layer" : "transformer.layer",
                  withPooler: isBert && withPooler, generator: generator)
    }
}

extension ModelConfig {
    /// The per-layer sizes and options this config describes.
    public var layerShape: TransformerLayerShape {
        TransformerLayerShape(hiddenSize: hiddenSize, headCount: headCount, intermediateSize: intermediateSize,
                              activation: activation.feedForward, layerNormEps: Float(layerNormEps),
                              hiddenDropout: Float(hiddenDropout), attentionDropout: Float(attentionDropout))
    }

    /// Number of output labels of a classification head (1 means regression).
    public var labelCount: Int { problemType == .regression ? 1 : max(id2label.count, 1) }

    /// A fresh encoder of this config's type.
    public func makeEncoder(withPooler: Bool = true, generator: RandomGenerator) -> TransformerEncoder {
        TransformerEncoder(encoderFor: self, withPooler: withPooler, generator: generator)
    }
}

extension Activation {
    /// The feed-forward nonlinearity this `hidden_act` names.
    var feedForward: FeedForwardActivation {
        switch self {
        case .gelu: .gelu
        case .geluNew, .geluPytorchTanh: .geluTanh
        case .relu: .relu
        case .silu: .silu
        }
    }
}
