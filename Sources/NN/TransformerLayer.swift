import Tensors

/// Sizes and options of one post-LN transformer encoder layer.
public struct TransformerLayerShape: Sendable, Equatable {
    public var hiddenSize: Int
    public var headCount: Int
    /// The width of one head; the attention projections are `headCount · headSize` wide (`hiddenSize` unless the
    /// layer was pruned).
    public var headSize: Int
    public var intermediateSize: Int
    public var activation: FeedForwardActivation
    public var layerNormEps: Float
    public var hiddenDropout: Float
    public var attentionDropout: Float

    /// `headSize` defaults to `hiddenSize / headCount`.
    public init(hiddenSize: Int, headCount: Int, headSize: Int? = nil, intermediateSize: Int,
                activation: FeedForwardActivation = .gelu, layerNormEps: Float = 1e-12, hiddenDropout: Float = 0.1,
                attentionDropout: Float = 0.1) {
        self.hiddenSize = hiddenSize
        self.headCount = headCount
        self.headSize = headSize ?? hiddenSize / Swift.max(headCount, 1)
        self.intermediateSize = intermediateSize
        self.activation = activation
        self.layerNormEps = layerNormEps
        self.hiddenDropout = hiddenDropout
        self.attentionDropout = attentionDropout
    }

    /// The width of the queries, keys and values: `headCount · headSize`.
    public var attentionWidth: Int { headCount * headSize }
}

/// One layer of a transformer stack, whatever its inner layout (post-LN BERT, pre-LN GPT-2, ...): a family
/// builds its own and the encoder runs them in turn.
public protocol TransformerBlock: Module {
    /// `x` is `[batch, seq, hidden]`; `maskBias` is `[batch, seq]` (0 for tokens, a large negative for padding).
    func callAsFunction(_ x: Tensor, maskBias: Tensor?, keepAttention: Bool) -> TransformerLayerOutput
    /// The queries, keys and values, each `[batch, seq, attention width]`, that the block's self-attention
    /// computes from its input `x` (MiniLMv2's relation loss compares them across models).
    func selfAttentionProjections(_ x: Tensor) -> (query: Tensor, key: Tensor, value: Tensor)
}

/// The nonlinearity between the two feed-forward projections.
public enum FeedForwardActivation: String, Sendable {
    /// Exact GELU (erf), BERT's `gelu`.
    case gelu
    /// Tanh-approximated GELU, `gelu_new` / `gelu_pytorch_tanh`.
    case geluTanh
    case relu
    case silu
}

/// Where each weight of a layer lives under the layer's prefix. BERT and DistilBERT compute the same thing and
/// differ only in these names; this is the one translation the toolkit has.
public struct TransformerLayerNaming: Sendable {
    public var query, key, value, attentionOutput, attentionLayerNorm, intermediate, output, outputLayerNorm: String

    /// `BertLayer`: `attention.self.query`, `attention.output.dense`, `intermediate.dense`, `output.LayerNorm`, ...
    public static let bert = TransformerLayerNaming(
        query: "attention.self.query", key: "attention.self.key", value: "attention.self.value",
        attentionOutput: "attention.output.dense", attentionLayerNorm: "attention.output.LayerNorm",
        intermediate: "intermediate.dense", output: "output.dense", outputLayerNorm: "output.LayerNorm")

    /// DistilBERT's `TransformerBlock`: `attention.q_lin`, `sa_layer_norm`, `ffn.lin1`, `output_layer_norm`, ...
    public static let distilBert = TransformerLayerNaming(
        query: "attention.q_lin", key: "attention.k_lin", value: "attention.v_lin",
        attentionOutput: "attention.out_lin", attentionLayerNorm: "sa_layer_norm",
        intermediate: "ffn.lin1", output: "ffn.lin2", outputLayerNorm: "output_layer_norm")
}

/// What a layer returns: its output and, when asked, the attention it computed (TinyBERT distils both).
public struct TransformerLayerOutput {
    public var hidden: Tensor
    /// Pre-softmax scores with the mask added, `[batch, heads, seq, seq]` (what TinyBERT matches).
    public var attentionScores: Tensor?
    /// Post-softmax probabilities, `[batch, heads, seq, seq]` (what Hugging Face returns as `attentions`).
    public var attentionProbabilities: Tensor?
}

/// Multi-head self-attention: softmax(Q Kᵀ / sqrt(d) + mask) V per head, then an output projection.
public final class MultiHeadSelfAttention: Module {
    public let query, key, value, output: Linear
    public let headCount: Int
    /// The width of one head (from the shape, not from the input: a pruned layer keeps its original head size).
    public let headSize: Int
    /// When set, each head's output is multiplied by its gate, `[batch or 1, headCount]` (see
    /// `Tensor.scaledByGroups`): importance scoring differentiates through it. `nil` (no gate) normally.
    public var headGate: Tensor?
    /// The precision of the two attention products, `Q Kᵀ` and `P V` (f32 unless set; see
    /// `Module.setAttentionProductPrecision`).
    public var productPrecision = MatmulPrecision.f32
    let dropout: Dropout
    let naming: TransformerLayerNaming

    public init(shape: TransformerLayerShape, naming: TransformerLayerNaming, generator: RandomGenerator) {
        let (h, width) = (shape.hiddenSize, shape.attentionWidth)
        query = Linear(inputSize: h, outputSize: width, generator: generator)
        key = Linear(inputSize: h, outputSize: width, generator: generator)
        value = Linear(inputSize: h, outputSize: width, generator: generator)
        output = Linear(inputSize: width, outputSize: h, generator: generator)
        headCount = shape.headCount
        headSize = shape.headSize
        dropout = Dropout(probability: shape.attentionDropout, generator: generator)
        self.naming = naming
    }

    public override var children: [(name: String, module: Module)] {
        [(naming.query, query), (naming.key, key), (naming.value, value), (naming.attentionOutput, output), ("", dropout)]
    }

    /// `x` is `[batch, seq, hidden]`; `maskBias` is `[batch, seq]` (0 for tokens, a large negative for padding).
    ///
    /// For inference the attention runs a few sequences at a time (`Tensor.attention`), and with bf16 projections
    /// and bf16 products the activations pass between them in bf16 with no conversion pass: `x` is rounded once for
    /// the three projections, which write Q, K and V in bf16, and the attention writes a bf16 context for the
    /// output projection (the scores, softmax and sums stay f32).
    public func callAsFunction(_ x: Tensor, maskBias: Tensor?, keepAttention: Bool = false) -> TransformerLayerOutput {
        let operandType = productPrecision.operandType
        let projected = query.activationType == operandType ? operandType : .f32
        let input = x.activation(in: query.activationType)
        let (q, k, v) = (query(input, outputType: projected), key(input, outputType: projected), value(input, outputType: projected))
        let scale = 1 / Float(headSize).squareRoot()
        if !keepAttention && !isTraining && headGate == nil && ![q, k, v].contains(where: \.tracksGrad) {
            let contextType = output.activationType == operandType ? operandType : .f32
            return TransformerLayerOutput(hidden: output(Tensor.attention(
                query: q, key: k, value: v, maskBias: maskBias, heads: headCount, scale: scale, precision: productPrecision,
                outputType: contextType)))
        }
        let scores = Tensor.attentionScores(query: q, key: k, heads: headCount, scale: scale, precision: productPrecision)
        let probabilities = scores.softmax(additiveMask: maskBias)
        var context = Tensor.attentionContext(probabilities: dropout(probabilities), value: v, heads: headCount,
                                              precision: productPrecision)
        if let headGate { context = context.scaledByGroups(headGate) }
        return TransformerLayerOutput(
            hidden: output(context),
            attentionScores: keepAttention ? maskBias.map { scores + $0.reshaped([scores.shape[0], 1, 1, -1]) } ?? scores : nil,
            attentionProbabilities: keepAttention ? probabilities : nil)
    }
}

/// The position-wise feed-forward block: Linear → activation → Linear.
public final class FeedForward: Module {
    public let intermediate, output: Linear
    public let activation: FeedForwardActivation
    /// When set, each intermediate feature (neuron) is multiplied by its gate after the activation,
    /// `[batch or 1, intermediateSize]`; `nil` (no gate) normally.
    public var neuronGate: Tensor?
    let naming: TransformerLayerNaming

    public init(shape: TransformerLayerShape, naming: TransformerLayerNaming, generator: RandomGenerator) {
        intermediate = Linear(inputSize: shape.hiddenSize, outputSize: shape.intermediateSize, generator: generator)
        output = Linear(inputSize: shape.intermediateSize, outputSize: shape.hiddenSize, generator: generator)
        activation = shape.activation
        self.naming = naming
    }

    public override var children: [(name: String, module: Module)] {
        [(naming.intermediate, intermediate), (naming.output, output)]
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let inner: Tensor
        switch activation {
        case .gelu: inner = intermediate.withGELU(x, outputType: neuronGate == nil ? intermediate.outputType(feeding: output) : .f32)
        case .geluTanh: inner = intermediate(x).geluTanh()
        case .relu: inner = intermediate(x).relu()
        case .silu: inner = intermediate(x).silu()
        }
        return output(neuronGate.map { inner.scaledByGroups($0) } ?? inner)
    }
}

/// A post-LN encoder layer (BERT, DistilBERT):
/// h = LN(x + Dropout(Attention(x))); out = LN(h + Dropout(FFN(h))).
public final class TransformerLayer: Module, TransformerBlock {
    public let attention: MultiHeadSelfAttention
    public let attentionLayerNorm: LayerNorm
    public let feedForward: FeedForward
    public let outputLayerNorm: LayerNorm
    let dropout: Dropout
    let naming: TransformerLayerNaming

    public init(shape: TransformerLayerShape, naming: TransformerLayerNaming, generator: RandomGenerator) {
        attention = MultiHeadSelfAttention(shape: shape, naming: naming, generator: generator)
        attentionLayerNorm = LayerNorm(size: shape.hiddenSize, eps: shape.layerNormEps)
        feedForward = FeedForward(shape: shape, naming: naming, generator: generator)
        outputLayerNorm = LayerNorm(size: shape.hiddenSize, eps: shape.layerNormEps)
        dropout = Dropout(probability: shape.hiddenDropout, generator: generator)
        self.naming = naming
    }

    public override var children: [(name: String, module: Module)] {
        [("", attention), (naming.attentionLayerNorm, attentionLayerNorm), ("", feedForward),
         (naming.outputLayerNorm, outputLayerNorm), ("", dropout)]
    }

    public func callAsFunction(_ x: Tensor, maskBias: Tensor?, keepAttention: Bool = false) -> TransformerLayerOutput {
        var result = attention(x, maskBias: maskBias, keepAttention: keepAttention)
        let attended = attentionLayerNorm(x, adding: dropout(result.hidden))
        result.hidden = outputLayerNorm(attended, adding: dropout(feedForward(attended)))
        return result
    }

    public func selfAttentionProjections(_ x: Tensor) -> (query: Tensor, key: Tensor, value: Tensor) {
        (attention.query(x), attention.key(x), attention.value(x))
    }
}

extension Module {
    /// Sets the precision of every self-attention's two products (`MultiHeadSelfAttention.productPrecision`); the
    /// linear layers keep theirs. bf16 rounds Q, K, V and the probabilities once per call.
    public func setAttentionProductPrecision(_ precision: MatmulPrecision) {
        for case (_, let attention as MultiHeadSelfAttention) in namedModules() { attention.productPrecision = precision }
    }
}
