/// What a matmul primitive computes besides the product, fused into the same kernel.
public struct MatmulEpilogue: Hashable, Sendable, CustomStringConvertible {
    /// Multiplies the product (e.g. 1/sqrt(d) in attention scores, or dequantisation scales of 8-bit operands).
    public var outputScales: OutputScales = .constant(1)
    /// Adds a bias vector along the output columns.
    public var bias = false
    /// Applies GELU (erf form) after the bias.
    public var gelu = false
    /// Adds the product into the existing destination instead of overwriting it.
    public var accumulate = false

    public init(outputScales: OutputScales = .constant(1), bias: Bool = false, gelu: Bool = false, accumulate: Bool = false) {
        self.outputScales = outputScales
        self.bias = bias
        self.gelu = gelu
        self.accumulate = accumulate
    }

    public var description: String {
        let scales: String? = switch outputScales {
        case .constant(1): nil
        case .constant(let scale): "scale \(scale)"
        case .perTensorAtRunTime: "one run-time scale"
        case .perColumnAtRunTime: "run-time scales per column"
        }
        let parts = [scales, bias ? "bias" : nil, gelu ? "GELU" : nil, accumulate ? "accumulate" : nil].compactMap { $0 }
        return parts.isEmpty ? "plain product" : parts.joined(separator: ", ")
    }
}

/// How the product is scaled before the bias: by a constant fixed when the primitive is created, or by values
/// passed with every call (one primitive then serves every scale, as quantised weights need).
public enum OutputScales: Hashable, Sendable {
    case constant(Float)
    /// One `Float` given at each call.
    case perTensorAtRunTime
    /// One `Float` per output column given at each call.
    case perColumnAtRunTime
}
