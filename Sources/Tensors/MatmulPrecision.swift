/// The element type that the operands of a differentiable matrix product are rounded to before oneDNN multiplies
/// them; the products accumulate in f32 and the result is f32 either way (mixed-precision training).
public enum MatmulPrecision: String, Sendable, CaseIterable, CustomStringConvertible {
    /// The f32 operands as they are.
    case f32
    /// Operands rounded to bfloat16 (ties to even), multiplied on oneDNN's AVX512-BF16 or AMX kernels: about
    /// 3 significant digits per operand (relative error at most 2⁻⁹), exact products, f32 sums.
    case bf16

    /// The type the operands are rounded to.
    public var operandType: ElementType {
        switch self {
        case .f32: .f32
        case .bf16: .bf16
        }
    }

    /// nil when `cpu` can multiply in this precision, otherwise what it lacks (see
    /// `CPUFeatures.missingSupport(forMatmul:_:)`).
    public func missingSupport(on cpu: CPUFeatures = .oneDNN) -> String? {
        cpu.missingSupport(forMatmul: operandType, operandType)
    }

    public var description: String { rawValue }
}

extension Tensor {
    /// This tensor as a matmul operand of `precision` (see `activation(in:)`).
    func matmulOperand(_ precision: MatmulPrecision) -> Tensor { activation(in: precision.operandType) }
}

extension Tensor {
    /// This tensor as the input of layers that read `type` (`QuantizedLinear.activationType`, `f32` or `bf16`):
    /// itself when it already is, else an f32 tensor rounded to bf16 (ties to even), so that several layers
    /// reading the same input share one conversion.
    public func activation(in type: ElementType) -> Tensor {
        if elementType == type { return self }
        precondition(elementType == .f32 && type == .bf16, "activations in \(type) from \(elementType)")
        return roundedToBFloat16()
    }
}
