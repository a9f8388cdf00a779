/// A linear layer's weight in 8-bit integers with dynamic quantization of its inputs, on oneDNN's VNNI/AMX
/// kernels.
///
/// **Weights**: `s8`, symmetric, one scale per output feature: `W[n, k] ≈ scale[n] · q[n, k]` with `q` in
/// -127...127 (`scale[n] = max |W[n, :]| / 127`), quantized once.
///
/// **Inputs**: `u8`, asymmetric, one scale and zero point per row (token), quantized at every call:
/// `x[m, k] ≈ s[m] · (p[m, k] - z[m])` over the row's range widened to contain 0. `u8` because the VNNI
/// instruction multiplies `u8` by `s8` (an `s8` input costs oneDNN a +128 shift and a compensation pass);
/// asymmetric because inputs after GELU or LayerNorm are far from symmetric, and per row because token rows
/// differ in range by an order of magnitude, which one scale per tensor would spend bits on.
///
/// **Product**: oneDNN computes the exact integer sums `Σₖ p q` into `s32` with no scales or zero points (those
/// would keep it off the brgemm kernels: per-row scales and a per-row zero point have no fast path, and the bias
/// would be added before the scales). One fused pass then gives
/// `y[m, n] = s[m] · scale[n] · (Σₖ p q − z[m] · Σₖ q[n, k]) + bias[n]`, and GELU when asked.
public final class Int8Linear: QuantizedLinear, @unchecked Sendable {
    /// `[out, in]` s8.
    public let weight: Tensor
    /// `[out]` f32, one per output feature.
    public let scales: Tensor
    private var packed: PackedMatmulWeights?
    /// `Σₖ q[n, k]` per output feature, for the zero-point correction.
    private var columnSums: [Int32] = []
    private var scaleValues: [Float] = []

    /// All-zero weights and scales for `[outputSize, inputSize]`, to be filled by loading.
    public init(outputSize: Int, inputSize: Int) {
        weight = Tensor(shape: [outputSize, inputSize], elementType: .s8)
        scales = Tensor(shape: [outputSize], elementType: .f32)
    }

    /// `weight` (`f32 [out, in]`) quantized per output feature; an all-zero row gets scale 1.
    public init(quantizing weight: Tensor) {
        precondition(weight.shape.count == 2 && weight.elementType == .f32, "an int8 weight from \(weight.elementType) \(weight.shape)")
        let (outputs, inputs) = (weight.shape[0], weight.shape[1])
        let values = weight.scalars
        var rowScales = [Float](repeating: 1, count: outputs)
        var quantized = [Int8](repeating: 0, count: values.count)
        for row in 0..<outputs {
            let slice = values[(row * inputs)..<((row + 1) * inputs)]
            let largest = slice.reduce(0) { max($0, abs($1)) }
            if largest > 0 { rowScales[row] = largest / 127 }
            let inverse = 1 / rowScales[row]
            for (k, value) in slice.enumerated() {
                quantized[row * inputs + k] = Int8(min(max((value * inverse).rounded(.toNearestOrEven), -127), 127))
            }
        }
        self.weight = Tensor(shape: [outputs, inputs], elements: quantized)
        scales = Tensor(shape: [outputs], elements: rowScales)
    }

    public var storedTensors: [(name: String, tensor: Tensor)] { [("weight", weight), ("weight_scale", scales)] }

    public func prepare(checkpointName: (String) -> String) throws {
        let values = scales.scalars
        if let bad = values.firstIndex(where: { !($0 > 0 && $0.isFinite) }) {
            throw QuantizedWeightsError.invalidScale(tensor: checkpointName("weight_scale"), index: bad, value: values[bad])
        }
        packed = try PackedMatmulWeights(weight: weight, sourceType: .u8, destinationType: .s32)
        let inputs = weight.shape[1]
        columnSums = weight.withUnsafeBufferPointer(as: Int8.self) { q in
            (0..<weight.shape[0]).map { row in q[(row * inputs)..<((row + 1) * inputs)].reduce(Int32(0)) { $0 + Int32($1) } }
        }
        scaleValues = values
    }

    public func dequantizedWeight() -> Tensor {
        let inputs = weight.shape[1], rowScales = scales.scalars
        let values = weight.withUnsafeBufferPointer(as: Int8.self) { q in
            q.enumerated().map { Float($0.element) * rowScales[$0.offset / inputs] }
        }
        return Tensor(shape: weight.shape, values: values)
    }

    public var activationType: ElementType { .f32 }

    public func apply(_ x: Tensor, bias: Tensor?, gelu: Bool, outputType: ElementType) -> Tensor {
        guard let packed else { preconditionFailure("Int8Linear used before prepare") }
        precondition(x.lastDimension == packed.inputSize && x.elementType == .f32 && outputType == .f32,
                     "int8 linear: input \(x.elementType) \(x.shape) into \(outputType), weight \(weight.shape)")
        let (rows, outputs) = (x.rowCount, packed.outputSize)
        let input = QuantizedRows(x)
        let sums = Tensor(uninitializedShape: [rows, outputs], elementType: .s32)
        input.codes.withUnsafeBytes { codes in
            sums.withUnsafeMutableBytes { sums in
                OneDNN.validated { () throws(OneDNNError) in
                    guard let a = codes.baseAddress, let c = sums.baseAddress else { return }
                    try packed.multiply(a, rows: rows, into: c)
                }
            }
        }
        let result = Tensor(uninitializedShape: Self.outputShape(of: x, outputSize: outputs))
        let biasValues = bias?.scalars ?? [Float](repeating: 0, count: outputs)
        let kernels = VectorKernels.best
        input.scales.withUnsafeBufferPointer { rowScales in
            input.zeroPoints.withUnsafeBufferPointer { zeroPoints in
                sums.withUnsafeBufferPointer(as: Int32.self) { sums in
                    result.withUnsafeMutableBufferPointer(as: Float.self) { y in
                        guard let rowScales = rowScales.baseAddress, let zeroPoints = zeroPoints.baseAddress,
                              let sums = sums.baseAddress, let y = y.baseAddress else { return }
                        parallelFor(rows, grain: max(1, 16_384 / max(outputs, 1))) { range in
                            let first = range.lowerBound
                            kernels.dequantizeRowsS32(
                                range.count, outputs, sums + first * outputs, rowScales: rowScales + first,
                                zeroPoints: zeroPoints + first, columnScales: scaleValues, columnSums: columnSums,
                                bias: biasValues, gelu: gelu, y + first * outputs)
                        }
                    }
                }
            }
        }
        return result
    }
}

/// The rows of an `f32` tensor quantized to `u8` as `Int8Linear` describes: per row, a scale and zero point
/// from the row's range widened to contain 0 (so 0 is exact, as padding and ReLU zeros need).
struct QuantizedRows {
    /// `[rows, features]` u8.
    let codes: Tensor
    let scales: [Float]
    let zeroPoints: [Int32]

    init(_ x: Tensor) {
        let (rows, width) = (x.rowCount, x.lastDimension)
        let codes = Tensor(uninitializedShape: [rows, width], elementType: .u8)
        var scales = [Float](repeating: 1, count: rows), zeroPoints = [Int32](repeating: 0, count: rows)
        let kernels = VectorKernels.best
        x.withUnsafeBufferPointer(as: Float.self) { x in
            codes.withUnsafeMutableBufferPointer(as: UInt8.self) { codes in
                scales.withUnsafeMutableBufferPointer { scales in
                    zeroPoints.withUnsafeMutableBufferPointer { zeroPoints in
                        guard let x = x.baseAddress, let codes = codes.baseAddress, let scales = scales.baseAddress,
                              let zeroPoints = zeroPoints.baseAddress else { return }
                        parallelFor(rows, grain: max(1, 16_384 / max(width, 1))) { range in
                            let first = range.lowerBound
                            kernels.quantizeRowsU8(range.count, width, x + first * width, codes: codes + first * width,
                                                   scales: scales + first, zeroPoints: zeroPoints + first)
                        }
                    }
                }
            }
        }
        (self.codes, self.scales, self.zeroPoints) = (codes, scales, zeroPoints)
    }
}
