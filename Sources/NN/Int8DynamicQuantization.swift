import Tensors

/// Dynamic int8 quantization (see `Int8Linear`): weights `s8`, symmetric, one scale per output feature, stored
/// as `<layer>.weight` (I8) and `<layer>.weight_scale` (F32); inputs `u8` per token at run time.
public struct Int8DynamicQuantization: QuantizationScheme {
    public init() {}

    public var name: String { "int8_dynamic" }
    public var summary: String {
        "weights int8 symmetric per output channel (scale in <layer>.weight_scale); inputs uint8 asymmetric per token, quantized at run time"
    }
    public var productTypes: (input: ElementType, weight: ElementType) { (.u8, .s8) }
    public var otherMatricesType: ElementType { .f32 }

    public var attentionProductPrecision: MatmulPrecision { .f32 }

    public func emptyWeights(outputSize: Int, inputSize: Int) -> any QuantizedLinear {
        Int8Linear(outputSize: outputSize, inputSize: inputSize)
    }

    public func quantized(_ weight: Tensor) -> any QuantizedLinear { Int8Linear(quantizing: weight) }
}
