import Foundation
import Tensors
import Testing

/// The int8 and bf16 linear kernels against an f32 reference on tiny shapes, with tolerances from the
/// quantization steps; the weight and input quantization; the checks of stored scales and of the CPU.
@Suite(.enabled(if: CPUFeatures.oneDNN.missingSupport(forMatmul: .u8, .s8) == nil
                    && CPUFeatures.oneDNN.missingSupport(forMatmul: .bf16, .bf16) == nil,
                "this CPU lacks VNNI or AVX512-BF16 (the unsupported path is tested in CPUSupportTests)"))
struct QuantizedLinearTests {
    /// Skewed inputs (as after GELU: mostly positive, a small negative tail), a weight and a bias.
    static func operands(rows: Int, inputs: Int, outputs: Int) -> (x: Tensor, weight: Tensor, bias: Tensor) {
        let generator = RandomGenerator(seed: 7)
        let x = Tensor.normal([rows, inputs], std: 1, generator: generator).scalars.map { max($0 * 1.5 + 0.4, -0.17) }
        return (Tensor(shape: [rows, inputs], values: x), Tensor.normal([outputs, inputs], std: 0.2, generator: generator),
                Tensor.normal([outputs], std: 0.1, generator: generator))
    }

    static func prepared<L: QuantizedLinear>(_ layer: L) throws -> L {
        try layer.prepare { "layer.\($0)" }
        return layer
    }

    /// Every output of the int8 product is within the error that rounding both operands to their steps can
    /// make: |Σₖ x w − Σₖ x̂ ŵ| ≤ Σₖ (|x| Δw/2 + |w| Δx/2 + Δx Δw/4), with Δw = the output's weight scale and
    /// Δx = the row's input scale; plus 1e-5 for f32 rounding of sums of this size.
    @Test(arguments: [1, 5, 33]) func int8ProductIsWithinTheQuantizationError(rows: Int) throws {
        // Widths that are not multiples of the kernels' 16 lanes, so the row tails are exercised.
        let (inputs, outputs) = (37, 21)
        let (x, weight, bias) = Self.operands(rows: rows, inputs: inputs, outputs: outputs)
        let layer = try Self.prepared(Int8Linear(quantizing: weight))
        let actual = layer.apply(x, bias: bias, gelu: false).scalars
        let reference = withoutGrad { x.linear(weight: weight, bias: bias) }.scalars
        let (xs, ws, weightSteps) = (x.scalars, weight.scalars, layer.scales.scalars)
        var worstShare: Float = 0
        for m in 0..<rows {
            let row = xs[(m * inputs)..<((m + 1) * inputs)]
            let inputStep = (max(row.max() ?? 0, 0) - min(row.min() ?? 0, 0)) / 255
            for n in 0..<outputs {
                var bound: Float = 1e-5
                for k in 0..<inputs {
                    let (xv, wv) = (xs[m * inputs + k], ws[n * inputs + k])
                    bound += abs(xv) * weightSteps[n] / 2 + abs(wv) * inputStep / 2 + inputStep * weightSteps[n] / 4
                }
                let error = abs(actual[m * outputs + n] - reference[m * outputs + n])
                #expect(error <= bound, "row \(m), output \(n): error \(error) above the bound \(bound)")
                worstShare = max(worstShare, error / bound)
            }
        }
        // The bound is a worst case; rounding errors mostly cancel, so the real error is a fraction of it.
        #expect(worstShare < 0.6, "worst error \(worstShare) of the bound")
    }

    /// The fused GELU is GELU of the plain product; a 3-D input keeps its leading axes.
    @Test func int8GELUAndLeadingAxes() throws {
        let (x, weight, bias) = Self.operands(rows: 6, inputs: 32, outputs: 19)
        let layer = try Self.prepared(Int8Linear(quantizing: weight))
        let batched = x.reshaped([2, 3, 32])
        let plain = layer.apply(batched, bias: bias, gelu: false)
        let fused = layer.apply(batched, bias: bias, gelu: true)
        #expect(fused.shape == [2, 3, 19])
        let expected = withoutGrad { plain.gelu() }
        // The same erf kernel on the same values: only the order of float operations may differ.
        #expect(zip(fused.scalars, expected.scalars).allSatisfy { abs($0 - $1) <= 1e-6 })
    }

    /// Each product of bf16-rounded operands is off by at most 2⁻⁸ of its size (each operand by 2⁻⁹), so the
    /// output is within Σₖ |x w| · 2⁻⁸ (plus 1e-5 for the f32 sums) of f32.
    @Test func bf16ProductIsWithinTheRoundingError() throws {
        let (rows, inputs, outputs) = (7, 40, 24)
        let (x, weight, bias) = Self.operands(rows: rows, inputs: inputs, outputs: outputs)
        let layer = try Self.prepared(BF16Linear(converting: weight))
        let actual = layer.apply(x, bias: bias, gelu: true).scalars
        let reference = withoutGrad { x.linear(weight: weight, bias: bias) }
        let (xs, ws, plain) = (x.scalars, weight.scalars, reference.scalars)
        let expected = withoutGrad { reference.gelu() }.scalars
        for m in 0..<rows {
            for n in 0..<outputs {
                let size = (0..<inputs).reduce(Float(0)) { $0 + abs(xs[m * inputs + $1] * ws[n * inputs + $1]) }
                // GELU's slope is below 1.13, so it enlarges the error by at most that.
                let bound = 1.13 * (size / 256 + 1e-5)
                let error = abs(actual[m * outputs + n] - expected[m * outputs + n])
                #expect(error <= bound, "row \(m), output \(n) (pre-GELU \(plain[m * outputs + n])): error \(error) above \(bound)")
            }
        }
    }

    static func bits(_ x: Tensor) -> [UInt16] { x.withUnsafeBufferPointer(as: BFloat16.self) { $0.map(\.bitPattern) } }

    /// A bf16 input is read as it is (the same result as its f32 original), and a bf16 output is the f32 output
    /// rounded by the product itself, with and without the fused GELU.
    @Test(arguments: [false, true]) func linearReadsAndWritesBF16(gelu: Bool) throws {
        let generator = RandomGenerator(seed: 5)
        let (x, weight, bias) = (Tensor.normal([9, 3, 40], std: 1, generator: generator),
                                 Tensor.normal([24, 40], std: 0.2, generator: generator), Tensor.normal([24], std: 0.1, generator: generator))
        let layer = BF16Linear(converting: weight)
        try layer.prepare { $0 }
        let fromF32 = layer.apply(x, bias: bias, gelu: gelu)
        let bf16Input = try x.converted(to: .bf16)
        #expect(layer.apply(bf16Input, bias: bias, gelu: gelu).scalars == fromF32.scalars)
        let bf16Output = layer.apply(x, bias: bias, gelu: gelu, outputType: .bf16)
        #expect(bf16Output.elementType == .bf16 && bf16Output.shape == [9, 3, 24])
        let expected = Self.bits(try fromF32.converted(to: .bf16))
        #expect(Self.bits(bf16Output) == expected)
    }

    /// Rows beyond a block (512) run in blocks, and beyond four blocks the first calls try blocks and one
    /// product before keeping the faster: every call gives exactly the outputs of its rows multiplied apart
    /// (rows are quantized one by one, so splitting them must change nothing).
    @Test(arguments: ["int8", "bf16"]) func rowBlocksGiveTheSameOutputsAsOneProduct(format: String) throws {
        let (rows, inputs, outputs) = (2_100, 24, 20)
        let (x, weight, bias) = Self.operands(rows: rows, inputs: inputs, outputs: outputs)
        let layer: any QuantizedLinear = format == "int8"
            ? try Self.prepared(Int8Linear(quantizing: weight)) : try Self.prepared(BF16Linear(converting: weight))
        let apart = stride(from: 0, to: rows, by: 300).flatMap { first in
            layer.apply(x.slice(axis: 0, first..<min(first + 300, rows)), bias: bias, gelu: true).scalars
        }
        for call in 1...5 {  // blocks, one product, and (when that was faster) blocks, one product, the choice
            let together = layer.apply(x, bias: bias, gelu: true).scalars
            #expect(together == apart, "call \(call): \(zip(together, apart).filter { $0 != $1 }.count) outputs differ")
        }
    }

    /// Weights round to within half a step of their scale, the largest of each row to ±127; a zero row gets
    /// scale 1 and zero codes.
    @Test func weightQuantizationPerOutputChannel() {
        let weight = Tensor(shape: [3, 4], values: [0.5, -1.0, 0.25, 0.0, 0, 0, 0, 0, 3, 2, 1, -0.001])
        let layer = Int8Linear(quantizing: weight)
        #expect(layer.scales.scalars == [1.0 / 127, 1, 3.0 / 127])
        let codes = layer.weight.withUnsafeBufferPointer(as: Int8.self) { Array($0) }
        #expect(codes[0..<4] == [64, -127, 32, 0])  // 63.5 rounds to even: 64
        #expect(codes[4..<8] == [0, 0, 0, 0])
        #expect(codes[8] == 127)
        let dequantized = layer.dequantizedWeight().scalars
        for (index, (value, original)) in zip(dequantized, weight.scalars).enumerated() {
            #expect(abs(value - original) <= layer.scales.scalars[index / 4] / 2 + 1e-7)
        }
    }

    /// A scale that is zero, negative or not finite is refused with the tensor's name.
    @Test(arguments: [Float(0), -1, .nan, .infinity]) func badScalesAreRefused(scale: Float) throws {
        let layer = Int8Linear(outputSize: 2, inputSize: 4)
        layer.scales.withUnsafeMutableBufferPointer(as: Float.self) { $0[0] = 0.5; $0[1] = scale }
        #expect {
            try layer.prepare { "encoder.layer.0.output.dense.\($0)" }
        } throws: { error in
            guard case .invalidScale(let tensor, let index, _) = error as? QuantizedWeightsError else { return false }
            return tensor == "encoder.layer.0.output.dense.weight_scale" && index == 1
        }
    }
}

/// What the CPU must have for each element type of a product, and the message when it lacks it.
@Suite struct CPUSupportTests {
    @Test func aCPUWithoutTheExtensionsSaysWhatItNeeds() throws {
        let bare = CPUFeatures()
        let int8 = try #require(bare.missingSupport(forMatmul: .u8, .s8))
        #expect(int8.contains("AVX512-VNNI") && int8.contains("AMX-INT8"), "\(int8)")
        let bf16 = try #require(bare.missingSupport(forMatmul: .bf16, .bf16))
        #expect(bf16.contains("AVX512-BF16"), "\(bf16)")
        #expect(bare.missingSupport(forMatmul: .f32, .f32) == nil)
        var vnni = CPUFeatures()
        vnni.avx512VNNI = true
        #expect(vnni.missingSupport(forMatmul: .u8, .s8) == nil)
        #expect(vnni.missingSupport(forMatmul: .bf16, .bf16) != nil)
    }

    /// oneDNN never sees more than the CPU has.
    @Test func oneDNNSeesASubsetOfTheCPU() {
        let (cpu, seen) = (CPUFeatures.current, CPUFeatures.oneDNN)
        #expect(!seen.avx512VNNI || cpu.avx512VNNI)
        #expect(!seen.avx512BF16 || cpu.avx512BF16)
        #expect(!seen.amxInt8 || cpu.amxInt8)
    }
}
