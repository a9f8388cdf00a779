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
    /// This f32 tensor as a matmul operand of `precision`: itself for f32, else a copy rounded to its type.
    func matmulOperand(_ precision: MatmulPrecision) -> Tensor {
        switch precision {
        case .f32: self
        case .bf16: roundedToBFloat16()
        }
    }
}
