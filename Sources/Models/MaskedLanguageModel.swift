import NN
import Tensors

/// `BertForMaskedLM` / `DistilBertForMaskedLM`: the encoder and a vocabulary head whose output matrix is the word
/// embedding matrix itself (tied, as in both releases).
///
/// transform → activation → LayerNorm → decoder (+ bias), under the family's names: BERT's
/// `cls.predictions.transform.dense` → `hidden_act` → `cls.predictions.transform.LayerNorm` →
/// `cls.predictions.decoder` (+ `cls.predictions.bias`); DistilBERT's `vocab_transform` → `activation` →
/// `vocab_layer_norm` → `vocab_projector`. The two compute the same function of the last hidden state when their
/// activations and LayerNorm epsilons agree, so the head carries from one layout to the other.
public final class MaskedLanguageModel: Module {
    public let encoder: TransformerEncoder
    public let transform: Linear
    public let layerNorm: LayerNorm
    /// The decoder bias, one per vocabulary entry.
    public let vocabularyBias: Tensor
    /// The activation between the transform and the LayerNorm (``headActivation(_:)`` of the config).
    public let activation: FeedForwardActivation
    private let projection: VocabularyProjection

    public init(config: ModelConfig, generator: RandomGenerator) {
        let family = config.modelType.family
        encoder = config.makeEncoder(withPooler: false, generator: generator)
        transform = Linear(inputSize: config.hiddenSize, outputSize: config.hiddenSize,
                           std: Float(config.initializerRange), generator: generator)
        layerNorm = LayerNorm(size: config.hiddenSize, eps: Float(config.layerNormEps))
        vocabularyBias = Tensor.zeros([config.vocabSize], requiresGrad: true)
        projection = VocabularyProjection(names: family.maskedLanguageModelNames, words: encoder.embeddings.words,
                                          bias: vocabularyBias)
        activation = Self.headActivation(config)
    }

    /// The head's activation in a model of `config`, as its family defines it (`hidden_act` / `activation`).
    public static func headActivation(_ config: ModelConfig) -> FeedForwardActivation {
        config.modelType.family.maskedLanguageModelActivation(config)
    }

    public var config: ModelConfig { encoder.config }

    public override var children: [(name: String, module: Module)] {
        let names = config.modelType.family.maskedLanguageModelNames
        return [(config.modelType.basePrefix, encoder), (names.transform, transform), (names.layerNorm, layerNorm),
                ("", projection)]
    }

    /// Vocabulary logits `[batch, seq, vocab]` and the encoder's outputs.
    public func callAsFunction(_ input: EncoderInput, options: EncoderOutputOptions = EncoderOutputOptions())
        -> (logits: Tensor, encoder: EncoderOutput)
    {
        let output = encoder(input, options: options)
        return (vocabularyLogits(output.lastHidden), output)
    }

    /// The head alone: vocabulary logits `[..., vocab]` of hidden states `[..., hidden]` (for example only the
    /// rows of masked positions, sparing the vocabulary projection of every other token).
    public func vocabularyLogits(_ hidden: Tensor) -> Tensor {
        layerNorm(activate(transform(hidden))).linear(weight: encoder.embeddings.words.weight, bias: vocabularyBias, precision: matmulPrecision)
    }

    private func activate(_ x: Tensor) -> Tensor {
        switch activation {
        case .gelu: x.gelu()
        case .geluTanh: x.geluTanh()
        case .relu: x.relu()
        case .silu: x.silu()
        }
    }
}

/// The decoder's weight (the word embedding matrix) and bias under their checkpoint names.
///
/// It is the model's last child so that the tied matrix is listed first under the word embedding's name: saving
/// keeps a tied tensor's first name only, and transformers saves (and expects) `….embeddings.word_embeddings.weight`
/// and leaves the decoder's copy out.
private final class VocabularyProjection: Module {
    let names: MaskedLanguageModelNames
    let words: Embedding
    let bias: Tensor

    init(names: MaskedLanguageModelNames, words: Embedding, bias: Tensor) {
        self.names = names
        self.words = words
        self.bias = bias
    }

    override var ownParameters: [(name: String, tensor: Tensor)] {
        [(names.decoderWeight, words.weight), (names.decoderBias, bias)]
    }

    override var ownParametersExemptFromDecay: [Tensor] { [bias] }
}
