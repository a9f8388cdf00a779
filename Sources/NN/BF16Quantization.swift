import Tensors

/// bfloat16 weights (see `BF16Linear`): the linear layers' weights and the other matrices stored as BF16,
/// vectors (biases, LayerNorm) as F32; inputs rounded to bfloat16 per call, products into `f32`.
public struct BF16Quantization: QuantizationScheme {
    public init() {}

    public var name: String { "bf16" }
    public var summary: String {
        "weights and embedding tables bfloat16, biases and LayerNorm float32; products bfloat16 x bfloat16 into float32"
    }
    public var productTypes: (input: ElementType, weight: ElementType) { (.bf16, .bf16) }
    public var otherMatricesType: ElementType { .bf16 }

    public var attentionProductPrecision: MatmulPrecision { .bf16 }

    public func emptyWeights(outputSize: Int, inputSize: Int) -> any QuantizedLinear {
        BF16Linear(outputSize: outputSize, inputSize: inputSize)
    }

    public func quantized(_ weight: Tensor) -> any QuantizedLinear { BF16Linear(converting: weight) }
}
