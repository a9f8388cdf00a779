import NN
import Tensors

/// A BERT-family encoder body: embeddings, a stack of post-LN layers, and (BERT only) a pooler.
/// `BertModel` and `DistilBertModel` differ only in their names and in token types/pooler, so the forward pass
/// lives here once.
public class TransformerEncoder: Module {
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

/// `BertModel`: word, position and token-type embeddings, `encoder.layer.N`, optional pooler.
public final class BertModel: TransformerEncoder {
    public init(config: ModelConfig, withPooler: Bool = true, generator: RandomGenerator) {
        super.init(config: config, naming: .bert, layerPrefix: "encoder.layer", withPooler: withPooler, generator: generator)
    }
}

/// `DistilBertModel`: no token types, no pooler, `transformer.layer.N` with DistilBERT's names.
public final class DistilBertModel: TransformerEncoder {
    public init(config: ModelConfig, generator: RandomGenerator) {
        super.init(config: config, naming: .distilBert, layerPrefix: "transformer.layer", withPooler: false, generator: generator)
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
        switch modelType {
        case .bert: BertModel(config: self, withPooler: withPooler, generator: generator)
        case .distilbert: DistilBertModel(config: self, generator: generator)
        }
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
