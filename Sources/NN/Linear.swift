import Tensors

/// y = x · Wᵀ + b with PyTorch's `[out, in]` weight layout, multiplied in the module's `matmulPrecision`.
public final class Linear: Module {
    public var weight: Tensor
    public var bias: Tensor?
    /// The weight in a narrower type for inference (see `QuantizationScheme`), or `nil` when the layer
    /// multiplies by `weight` in `f32` and can be trained.
    public private(set) var quantized: (any QuantizedLinear)?

    /// Weights drawn from Normal(0, `std`) (BERT's `initializer_range`, 0.02), bias zero.
    public init(inputSize: Int, outputSize: Int, bias: Bool = true, std: Float = 0.02, generator: RandomGenerator) {
        weight = Tensor.normal([outputSize, inputSize], std: std, generator: generator)
        weight.requiresGrad = true
        self.bias = bias ? Tensor.zeros([outputSize], requiresGrad: true) : nil
    }

    public var inputSize: Int { weight.shape[1] }
    public var outputSize: Int { weight.shape[0] }

    /// The stored tensors of the quantized weight in place of `weight` when quantized.
    public override var ownParameters: [(name: String, tensor: Tensor)] {
        (quantized?.storedTensors ?? [("weight", weight)]) + (bias.map { [("bias", $0)] } ?? [])
    }

    public override var ownParametersExemptFromDecay: [Tensor] { bias.map { [$0] } ?? [] }

    /// Makes the layer multiply by `storage` (unprepared: its tensors are to be loaded, then `prepared`), for
    /// inference only: the bias stops taking gradients.
    public func quantize(into storage: any QuantizedLinear) {
        quantized = storage
        weight.requiresGrad = false
        bias?.requiresGrad = false
    }

    /// Prepares the quantized kernel (see `QuantizedLinear.prepare`), and sets `weight` to the values it
    /// multiplies by; `name` is this layer's name in the checkpoint, for errors.
    public func prepareQuantized(name: String) throws {
        guard let quantized else { return }
        try quantized.prepare { "\(name).\($0)" }
        weight = quantized.dequantizedWeight()
    }

    /// The element type the layer reads and writes without a conversion pass (`QuantizedLinear.activationType`):
    /// `f32` unless its weights are bf16.
    public var activationType: ElementType { quantized?.activationType ?? .f32 }

    /// The type to write an output in that `next` reads: this layer's activation type when the two share it, else
    /// `f32`.
    public func outputType(feeding next: Linear) -> ElementType { activationType == next.activationType ? activationType : .f32 }

    /// `x · Wᵀ + b`; `x` is f32 or `activationType`, and so is `outputType`.
    public func callAsFunction(_ x: Tensor, outputType: ElementType = .f32) -> Tensor {
        if let quantized { return quantized.apply(x, bias: bias, gelu: false, outputType: outputType) }
        precondition(outputType == .f32, "an f32 linear layer writes f32, not \(outputType)")
        return x.linear(weight: weight, bias: bias, precision: matmulPrecision)
    }

    /// GELU(x · Wᵀ + b) in one kernel when nothing needs a gradient, else the two steps; `outputType` as for
    /// `callAsFunction`.
    public func withGELU(_ x: Tensor, outputType: ElementType = .f32) -> Tensor {
        if let quantized { return quantized.apply(x, bias: bias, gelu: true, outputType: outputType) }
        precondition(outputType == .f32, "an f32 linear layer writes f32, not \(outputType)")
        let needsGrad = GradMode.isEnabled && (x.requiresGrad || weight.requiresGrad || bias?.requiresGrad == true)
        return needsGrad ? self(x).gelu() : x.linear(weight: weight, bias: bias, fusedGELU: true, precision: matmulPrecision)
    }
}

/// A lookup table of vectors: row `i` of `weight` for token `i`.
public final class Embedding: Module {
    public var weight: Tensor
    /// The row of the padding token, which lookups read but never train (PyTorch's `padding_idx`: transformers'
    /// BERT and DistilBERT word embeddings give the padding row no gradient).
    public let paddingIndex: Int32?

    public init(count: Int, dimension: Int, std: Float = 0.02, paddingIndex: Int32? = nil, generator: RandomGenerator) {
        weight = Tensor.normal([count, dimension], std: std, generator: generator)
        weight.requiresGrad = true
        self.paddingIndex = paddingIndex
    }

    public override var ownParameters: [(name: String, tensor: Tensor)] { [("weight", weight)] }

    /// Rows for `ids`, shaped `shape + [dimension]`.
    public func callAsFunction(_ ids: [Int32], shape: [Int]) -> Tensor {
        let rows = weight.gatherRows(ids)
        let outputShape = shape + [weight.shape[1]]
        guard let paddingIndex, rows.requiresGrad, ids.contains(paddingIndex) else { return rows.reshaped(outputShape) }
        // Padding positions take their row from a detached copy of the table, so no gradient reaches it.
        let isPadding = ids.map { Float($0 == paddingIndex ? 1 : 0) }
        let trained = rows * Tensor(shape: [ids.count, 1], values: isPadding.map { 1 - $0 })
        let frozen = weight.detached().gatherRows(ids) * Tensor(shape: [ids.count, 1], values: isPadding)
        return (trained + frozen).reshaped(outputShape)
    }
}

/// Layer normalisation over the last axis with a learned scale and shift.
public final class LayerNorm: Module {
    public var weight: Tensor
    public var bias: Tensor
    public let eps: Float

    public init(size: Int, eps: Float) {
        weight = Tensor(shape: [size], repeating: 1, requiresGrad: true)
        bias = Tensor.zeros([size], requiresGrad: true)
        self.eps = eps
    }

    public override var ownParameters: [(name: String, tensor: Tensor)] { [("weight", weight), ("bias", bias)] }

    public override var ownParametersExemptFromDecay: [Tensor] { [weight, bias] }

    public func callAsFunction(_ x: Tensor) -> Tensor { x.layerNorm(weight: weight, bias: bias, eps: eps) }

    /// LayerNorm(x + residual), the residual add fused in when nothing records a gradient.
    public func callAsFunction(_ x: Tensor, adding residual: Tensor) -> Tensor {
        x.layerNorm(adding: residual, weight: weight, bias: bias, eps: eps)
    }
}

/// Inverted dropout, active in training mode only.
public final class Dropout: Module {
    public let probability: Float
    let generator: RandomGenerator

    public init(probability: Float, generator: RandomGenerator) {
        self.probability = probability
        self.generator = generator
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        isTraining && probability > 0 ? x.dropout(probability, generator: generator) : x
    }
}
