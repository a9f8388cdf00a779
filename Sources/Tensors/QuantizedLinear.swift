/// The weight of a linear layer stored for inference in a narrower type than `f32`, and the kernel that
/// multiplies by it: the seam between a layer and its weight format (`Int8Linear`, `BF16Linear`).
///
/// A stored form is made empty (to be filled by loading a checkpoint) or from trained `f32` weights, then
/// `prepare`d once, which checks the stored tensors and reorders the weight for oneDNN. It is for inference
/// only: its products record no gradient.
public protocol QuantizedLinear: AnyObject, Sendable {
    /// The tensors a checkpoint stores for the weight, by their names under the layer (`weight`,
    /// `weight_scale`), in the order they are written.
    var storedTensors: [(name: String, tensor: Tensor)] { get }
    /// Checks the stored tensors and makes the kernel; `checkpointName` gives a stored tensor's full name for
    /// errors. Throws `QuantizedWeightsError` or, when this CPU lacks the instructions, `OneDNNError`.
    func prepare(checkpointName: (String) -> String) throws
    /// The weight as the kernel multiplies by it, `[out, in]` in `f32`.
    func dequantizedWeight() -> Tensor
    /// The element type the kernel reads its input in without a conversion pass, and can write its output in:
    /// layers that share it hand activations to each other in it (`bf16` for bf16 weights, `f32` for int8,
    /// whose per-call input codes depend on the reading layer's scales).
    var activationType: ElementType { get }
    /// `x · Wᵀ + bias` over the last axis of `x` (`f32` or `activationType`), then GELU (erf form) when `gelu`
    /// is set, written as `outputType` (`f32` or `activationType`). Needs `prepare` first.
    func apply(_ x: Tensor, bias: Tensor?, gelu: Bool, outputType: ElementType) -> Tensor
}

/// Stored weights that a quantized layer cannot use, naming the checkpoint tensor.
public enum QuantizedWeightsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A scale is not a positive finite number (a scale of 0 or NaN would zero or poison its output).
    case invalidScale(tensor: String, index: Int, value: Float)

    public var description: String {
        switch self {
        case .invalidScale(let tensor, let index, let value):
            "tensor '\(tensor)': scale \(index) is \(value); scales must be positive and finite"
        }
    }
}

extension QuantizedLinear {
    /// The output tensor of `apply` for input `x` and `outputSize` features.
    static func outputShape(of x: Tensor, outputSize: Int) -> [Int] { Array(x.shape.dropLast()) + [outputSize] }
}

extension OneDNN {
    /// A product by prepared weights inside a layer's forward pass. The weights were checked when prepared
    /// (types, this CPU), so a failure here is out of memory or a bug: it stops with oneDNN's description.
    static func validated(_ body: () throws(OneDNNError) -> Void) {
        do { try body() } catch { preconditionFailure("internal error in a quantized product: \(error)") }
    }
}

extension QuantizedLinear {
    /// `apply` into `f32`.
    public func apply(_ x: Tensor, bias: Tensor?, gelu: Bool) -> Tensor { apply(x, bias: bias, gelu: gelu, outputType: .f32) }
}
