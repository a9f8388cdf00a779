import NN
import Tensors

/// The base model of an encoder family (`BertModel`, `DistilBertModel`): embeddings, a stack of layers that the
/// config's family builds and names (`encoder.layer.N.attention.self.query`, `transformer.layer.N.attention.q_lin`,
/// ...), and a pooler when the family has one.
public final class TransformerEncoder: Module {
    public let config: ModelConfig
    public let embeddings: Embeddings
    public let layers: ModuleList<any TransformerBlock>
    public let pooler: Pooler?

    /// A fresh encoder of `config`'s family and shape; `withPooler` asks for the pooler if the family has one.
    public init(config: ModelConfig, withPooler: Bool, generator: RandomGenerator) {
        let family = config.modelType.family
        self.config = config
        embeddings = Embeddings(config: config, generator: generator)
        layers = ModuleList((0..<config.layerCount).map { index in
            family.makeLayer(shape: config.layerShape(ofLayer: index), generator: generator)
        }, asModule: { $0 })
        pooler = withPooler && family.hasPooler ? Pooler(config: config, generator: generator) : nil
    }

    public override var children: [(name: String, module: Module)] {
        [("embeddings", embeddings), (config.modelType.family.layerPrefix, layers)]
            + (pooler.map { [("pooler", $0)] } ?? [])
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

extension ModelConfig {
    /// The sizes and options of layer `index` (its own heads and feed-forward width in a pruned model).
    public func layerShape(ofLayer index: Int) -> TransformerLayerShape {
        let dimensions = dimensions(ofLayer: index)
        return TransformerLayerShape(
            hiddenSize: hiddenSize, headCount: dimensions.headCount, headSize: dimensions.headSize,
            intermediateSize: dimensions.intermediateSize, activation: activation.feedForward,
            layerNormEps: Float(layerNormEps), hiddenDropout: Float(hiddenDropout),
            attentionDropout: Float(attentionDropout))
    }

    /// Number of output labels of a classification head (1 means regression).
    public var labelCount: Int { problemType == .regression ? 1 : max(id2label.count, 1) }

    /// A fresh encoder of this config's family.
    public func makeEncoder(withPooler: Bool = true, generator: RandomGenerator) -> TransformerEncoder {
        TransformerEncoder(config: self, withPooler: withPooler, generator: generator)
    }
}

extension Activation {
    /// The feed-forward nonlinearity this `hidden_act` names.
    public var feedForward: FeedForwardActivation {
        switch self {
        case .gelu: .gelu
        case .geluNew, .geluPytorchTanh: .geluTanh
        case .relu: .relu
        case .silu: .silu
        }
    }
}
