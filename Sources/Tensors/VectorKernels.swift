import CKernels

/// The engine's transcendental and row kernels (exp, erf, tanh, GELU, SiLU, softmax, layer norm), written in C
/// once and compiled for three instruction sets; `best` is the widest one this CPU has.
///
/// They live in C because a C function can carry its own target (AVX2, AVX-512) and be chosen at run time,
/// while a Swift library target could only get wider vectors from `unsafeFlags`, which a package used as a
/// dependency may not have.
public struct VectorKernels: @unchecked Sendable {
    public enum InstructionSet: CaseIterable, Sendable {
        /// x86-64's SSE2 (or the architecture's baseline elsewhere).
        case baseline
        /// AVX2.
        case avx2
        /// AVX-512F.
        case avx512
    }

    public let instructionSet: InstructionSet
    private let table: UnsafePointer<ck_vector_kernels>

    /// The kernels for `instructionSet`, or nil when `cpu` lacks it.
    public init?(_ instructionSet: InstructionSet, cpu: CPUFeatures = .current) {
        switch instructionSet {
        case .baseline: self = .baseline
        case .avx2 where cpu.avx2: self.init(instructionSet, ck_avx2)
        case .avx512 where cpu.avx512f: self.init(instructionSet, ck_avx512)
        default: return nil
        }
    }

    private init(_ instructionSet: InstructionSet, _ set: ck_instruction_set) {
        self.instructionSet = instructionSet
        table = ck_vector_kernels_for(set)
    }

    /// The kernels every CPU of the architecture runs.
    public static let baseline = VectorKernels(.baseline, ck_baseline)

    /// The widest kernels this CPU runs.
    public static let best = [InstructionSet.avx512, .avx2].lazy.compactMap { VectorKernels($0) }.first ?? .baseline

    /// `y = e^x` for `count` elements; relative error about 2e-7 (Cephes' `expf`).
    public func exp(_ count: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) { table.pointee.exp(count, x, y) }
    /// `y = erf(x)`; absolute error below 1e-7.
    public func erf(_ count: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) { table.pointee.erf(count, x, y) }
    /// `y = tanh(x)`; absolute error about 1e-7.
    public func tanh(_ count: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) { table.pointee.tanh(count, x, y) }
    /// `y = x Φ(x)` (GELU, erf form).
    public func gelu(_ count: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) { table.pointee.gelu(count, x, y) }
    /// `dx = g (Φ(x) + x φ(x))`.
    public func geluBackward(_ count: Int, _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>) {
        table.pointee.gelu_backward(count, g, x, dx)
    }
    /// GELU with the tanh approximation.
    public func geluTanh(_ count: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) { table.pointee.gelu_tanh(count, x, y) }
    public func geluTanhBackward(_ count: Int, _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>) {
        table.pointee.gelu_tanh_backward(count, g, x, dx)
    }
    /// `y = x · sigmoid(x)`.
    public func silu(_ count: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) { table.pointee.silu(count, x, y) }
    public func siluBackward(_ count: Int, _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>) {
        table.pointee.silu_backward(count, g, x, dx)
    }

    /// softmax(x + mask) over `rows` rows of `n`; row `r` adds mask row `(firstRow + r) / rowsPerMask`.
    func softmaxRows(_ rows: Int, _ n: Int, _ x: UnsafePointer<Float>, mask: UnsafePointer<Float>?, firstRow: Int,
                     rowsPerMask: Int, _ y: UnsafeMutablePointer<Float>) {
        table.pointee.softmax_rows(rows, n, x, mask, firstRow, rowsPerMask, y)
    }

    /// `softmaxRows` rounded to bfloat16 bits; `scratch` holds `n` floats (one row at a time).
    func softmaxRowsBFloat16(_ rows: Int, _ n: Int, _ x: UnsafePointer<Float>, mask: UnsafePointer<Float>?, firstRow: Int,
                             rowsPerMask: Int, scratch: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<UInt16>) {
        table.pointee.softmax_rows_bf16(rows, n, x, mask, firstRow, rowsPerMask, scratch, y)
    }

    func softmaxBackwardRows(_ rows: Int, _ n: Int, _ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>) {
        table.pointee.softmax_backward_rows(rows, n, g, y, dx)
    }

    func logSoftmaxRows(_ rows: Int, _ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        table.pointee.log_softmax_rows(rows, n, x, y)
    }

    func logSoftmaxBackwardRows(_ rows: Int, _ n: Int, _ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>) {
        table.pointee.log_softmax_backward_rows(rows, n, g, y, dx)
    }

    /// Layer norm of `rows` rows of `n`, writing each row's mean and 1 / sqrt(var + eps).
    func layerNormRows(_ rows: Int, _ n: Int, _ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                       eps: Float, _ y: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
                       inverseDeviation: UnsafeMutablePointer<Float>) {
        table.pointee.layer_norm_rows(rows, n, x, weight, bias, eps, y, mean, inverseDeviation)
    }

    /// Layer norm of `x + residual`, `rows` rows of `n` (inference: no means or deviations kept).
    func addLayerNormRows(_ rows: Int, _ n: Int, _ x: UnsafePointer<Float>, adding residual: UnsafePointer<Float>,
                          weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, eps: Float, _ y: UnsafeMutablePointer<Float>) {
        table.pointee.add_layer_norm_rows(rows, n, x, residual, weight, bias, eps, y)
    }

    /// Layer norm's input gradient for `rows` rows, adding the weight and bias gradients into the two sums.
    func layerNormBackwardRows(_ rows: Int, _ n: Int, _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                               mean: UnsafePointer<Float>, inverseDeviation: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                               weightGradientSum: UnsafeMutablePointer<Float>, biasGradientSum: UnsafeMutablePointer<Float>) {
        table.pointee.layer_norm_backward_rows(rows, n, g, x, weight, mean, inverseDeviation, dx, weightGradientSum, biasGradientSum)
    }

    /// Each of `rows` rows of `n` to u8 codes with its own scale and zero point (see `Int8Linear`).
    public func quantizeRowsU8(_ rows: Int, _ n: Int, _ x: UnsafePointer<Float>, codes: UnsafeMutablePointer<UInt8>,
                        scales: UnsafeMutablePointer<Float>, zeroPoints: UnsafeMutablePointer<Int32>) {
        table.pointee.quantize_rows_u8(rows, n, x, codes, scales, zeroPoints)
    }

    /// `y = rowScale · columnScale · (sum − zeroPoint · columnSum) + bias` per element of `rows` rows of `n`
    /// s32 sums, then GELU (erf) when `gelu` is set.
    func dequantizeRowsS32(_ rows: Int, _ n: Int, _ sums: UnsafePointer<Int32>, rowScales: UnsafePointer<Float>,
                           zeroPoints: UnsafePointer<Int32>, columnScales: UnsafePointer<Float>, columnSums: UnsafePointer<Int32>,
                           bias: UnsafePointer<Float>, gelu: Bool, _ y: UnsafeMutablePointer<Float>) {
        table.pointee.dequantize_rows_s32(rows, n, sums, rowScales, zeroPoints, columnScales, columnSums, bias, gelu ? 1 : 0, y)
    }

    /// One AdamW step over `count` parameters, updated in place with their moments: p ← p·decay;
    /// m ← m + (1 − β₁)(g − m); v ← v·β₂ + (1 − β₂)·g²; p ← p − stepSize · m / (sqrt(v) / correction2Root + eps).
    public func adamW(_ count: Int, parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
                      firstMoments m: UnsafeMutablePointer<Float>, secondMoments v: UnsafeMutablePointer<Float>,
                      decay: Float, beta1: Float, beta2: Float, stepSize: Float, correction2Root: Float, eps: Float) {
        var coefficients = ck_adamw_coefficients(decay: decay, one_minus_beta1: 1 - beta1, beta2: beta2, one_minus_beta2: 1 - beta2,
                                                 step_size: stepSize, correction2_root: correction2Root, eps: eps)
        table.pointee.adamw(count, p, g, m, v, &coefficients)
    }

    /// `y` = `x` rounded to bfloat16 (ties to even, NaN kept quiet), bit for bit as `BFloat16.init(_:)` rounds.
    public func roundToBFloat16(_ count: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<UInt16>) {
        table.pointee.round_to_bf16(count, x, y)
    }
}
