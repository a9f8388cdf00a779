/// A linear layer's weight in bfloat16: the input rows, rounded to bfloat16 unless they already are, are
/// multiplied on oneDNN's bf16 kernels (AMX or AVX512-BF16) into `f32` or, for a next bf16 product, into `bf16`,
/// with the bias and GELU fused into the product.
public final class BF16Linear: QuantizedLinear, @unchecked Sendable {
    /// `[out, in]` bf16, filled before `prepare`.
    public let weight: Tensor
    private var packed: PackedMatmulWeights?

    /// An all-zero weight of `[outputSize, inputSize]`, to be filled by loading.
    public init(outputSize: Int, inputSize: Int) {
        weight = Tensor(shape: [outputSize, inputSize], elementType: .bf16)
    }

    /// `weight` (`f32 [out, in]`) rounded to bfloat16, ties to even.
    public init(converting weight: Tensor) {
        precondition(weight.shape.count == 2 && weight.elementType == .f32, "a bf16 weight from \(weight.elementType) \(weight.shape)")
        // f32 converts to bf16 by value, so this cannot throw.
        self.weight = (try? weight.converted(to: .bf16)) ?? Tensor(shape: weight.shape, elementType: .bf16)
    }

    public var storedTensors: [(name: String, tensor: Tensor)] { [("weight", weight)] }

    public func prepare(checkpointName: (String) -> String) throws {
        packed = try PackedMatmulWeights(weight: weight, sourceType: .bf16, destinationType: .f32)
    }

    public func dequantizedWeight() -> Tensor { (try? weight.converted(to: .f32)) ?? Tensor(shape: weight.shape, elementType: .f32) }

    public var activationType: ElementType { .bf16 }

    public func apply(_ x: Tensor, bias: Tensor?, gelu: Bool, outputType: ElementType) -> Tensor {
        guard let packed else { preconditionFailure("BF16Linear used before prepare") }
        precondition(x.lastDimension == packed.inputSize && [.f32, .bf16].contains(x.elementType) && [.f32, .bf16].contains(outputType),
                     "bf16 linear: input \(x.elementType) \(x.shape) into \(outputType), weight \(weight.shape)")
        let rounded = x.activation(in: .bf16)
        let result = Tensor(uninitializedShape: Self.outputShape(of: x, outputSize: packed.outputSize), elementType: outputType)
        rounded.withUnsafeBytes { input in
            result.withUnsafeMutableBytes { output in
                OneDNN.validated { () throws(OneDNNError) in
                    guard let a = input.baseAddress, let c = output.baseAddress else { return }
                    try packed.multiply(a, rows: x.rowCount, into: c, bias: bias.map { UnsafeRawPointer($0.pointer) },
                                        epilogue: MatmulEpilogue(bias: bias != nil, gelu: gelu), outputType: outputType)
                }
            }
        }
        return result
    }
}
