import Foundation
import TestSupport
import Testing
import Tensors

/// Accuracy of the vector kernels against libm in Double, for every instruction set this CPU runs (the
/// baseline always, so the SSE2 build is checked on an AVX-512 machine too).
@Suite struct VectorMathTests {
    typealias Kernel = (Int, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void

    static let instructionSets = VectorKernels.InstructionSet.allCases.filter { VectorKernels($0) != nil }

    /// `kernel` applied to `count` evenly spaced points of `range`.
    static func sweep(_ range: ClosedRange<Float>, count: Int, _ kernel: Kernel) -> [(x: Float, y: Float)] {
        let step = (range.upperBound - range.lowerBound) / Float(count - 1)
        let inputs = (0..<count).map { Swift.min(range.lowerBound + Float($0) * step, range.upperBound) }
        return Array(zip(inputs, apply(kernel, inputs)))
    }

    static func apply(_ kernel: Kernel, _ inputs: [Float]) -> [Float] {
        var outputs = [Float](repeating: 0, count: inputs.count)
        inputs.withUnsafeBufferPointer { x in
            outputs.withUnsafeMutableBufferPointer { y in
                if let x = x.baseAddress, let y = y.baseAddress { kernel(inputs.count, x, y) }
            }
        }
        return outputs
    }

    /// Relative error at most 1e-6 wherever e^x is a normal `Float`.
    @Test(arguments: instructionSets)
    func expIsAccurateOverTheNormalRange(set: VectorKernels.InstructionSet) throws {
        let kernels = try #require(VectorKernels(set))
        var worst = (x: Float(0), error: 0.0)
        for (x, y) in Self.sweep(-87.3...88.3, count: 200_003, kernels.exp) {
            let exact = Foundation.exp(Double(x))
            let error = abs(Double(y) - exact) / exact
            if !(error <= worst.error) { worst = (x, error) }
        }
        #expect(worst.error <= 1e-6, "exp(\(worst.x)) relative error \(worst.error)")
    }

    /// Beyond the normal range: zero (or within a denormal of the truth) below, huge and finite or infinite above,
    /// never NaN.
    @Test(arguments: instructionSets)
    func expSaturatesOutsideTheNormalRange(set: VectorKernels.InstructionSet) throws {
        let kernels = try #require(VectorKernels(set))
        for (x, y) in Self.sweep(-200 ... -87.3, count: 1_000, kernels.exp) {
            #expect(y >= 0 && Double(y) <= Foundation.exp(Double(x)) + 1.2e-38, "exp(\(x)) = \(y)")
        }
        for (x, y) in Self.sweep(88.3...200, count: 1_000, kernels.exp) {
            #expect(!y.isNaN && y >= 2e38, "exp(\(x)) = \(y)")
        }
        #expect(Self.apply(kernels.exp, [-.infinity, 0]) == [0, 1])
    }

    @Test(arguments: instructionSets)
    func erfIsAccurate(set: VectorKernels.InstructionSet) throws {
        let kernels = try #require(VectorKernels(set))
        var worst = (x: Float(0), error: 0.0)
        for (x, y) in Self.sweep(-10...10, count: 200_003, kernels.erf) {
            let error = abs(Double(y) - Foundation.erf(Double(x)))
            if !(error <= worst.error) { worst = (x, error) }
        }
        #expect(worst.error <= 2e-7, "erf(\(worst.x)) absolute error \(worst.error)")
    }

    @Test(arguments: instructionSets)
    func tanhIsAccurate(set: VectorKernels.InstructionSet) throws {
        let kernels = try #require(VectorKernels(set))
        var worst = (x: Float(0), error: 0.0)
        for (x, y) in Self.sweep(-30...30, count: 200_003, kernels.tanh) {
            let error = abs(Double(y) - Foundation.tanh(Double(x)))
            if !(error <= worst.error) { worst = (x, error) }
        }
        #expect(worst.error <= 2e-7, "tanh(\(worst.x)) absolute error \(worst.error)")
        #expect(Self.apply(kernels.tanh, [1e4, -1e4]) == [1, -1])
    }

    /// GELU (erf form) against x Φ(x) from libm's erf, and the tanh form against its own formula in Double.
    /// Once through the tensor ops (the best kernels) and once through each instruction set's kernels.
    @Test(arguments: [nil] + instructionSets.map { Optional($0) })
    func geluMatchesFoundation(set: VectorKernels.InstructionSet?) throws {
        var worstGELU = (x: Float(0), error: 0.0), worstTanh = (x: Float(0), error: 0.0)
        let inputs = Self.sweep(-8...8, count: 40_003) { count, x, y in y.update(from: x, count: count) }.map(\.x)
        let x = Tensor(shape: [inputs.count], values: inputs)
        let kernels = try set.map { try #require(VectorKernels($0)) }
        let gelu = kernels.map { Self.apply($0.gelu, inputs) } ?? x.gelu().scalars
        let geluTanh = kernels.map { Self.apply($0.geluTanh, inputs) } ?? x.geluTanh().scalars
        for (input, y) in zip(inputs, gelu) {
            let error = abs(Double(y) - Reference.gelu(Double(input)))
            if !(error <= worstGELU.error) { worstGELU = (input, error) }
        }
        for (input, y) in zip(inputs, geluTanh) {
            let v = Double(input)
            let exact = 0.5 * v * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (v + 0.044715 * v * v * v)))
            let error = abs(Double(y) - exact)
            if !(error <= worstTanh.error) { worstTanh = (input, error) }
        }
        #expect(worstGELU.error <= 1e-6, "gelu(\(worstGELU.x)) absolute error \(worstGELU.error)")
        #expect(worstTanh.error <= 1e-6, "geluTanh(\(worstTanh.x)) absolute error \(worstTanh.error)")
    }

    /// Counts that are not a multiple of 16 go through the scalar tail of `map`, `map2`, `sum`, `dot` and `max`.
    @Test(arguments: [1, 15, 16, 17, 33])
    func tailsAreHandled(count: Int) {
        let generator = RandomGenerator(seed: 90)
        let a = randomTensor([count], generator), b = randomTensor([count], generator)
        let (av, bv) = (a.scalars.map(Double.init), b.scalars.map(Double.init))
        expectClose(a.exp().scalars, av.map { Foundation.exp($0) }, relative: 1e-6, absolute: 0, "map")
        expectClose((a * b).scalars, zip(av, bv).map { $0 * $1 }, relative: 1e-7, absolute: 0, "map2")
        a.withUnsafeBufferPointer { aBuffer in
            b.withUnsafeBufferPointer { bBuffer in
                let (a, b) = (aBuffer.baseAddress!, bBuffer.baseAddress!)
                #expect(abs(Double(VectorMath.sum(count, a)) - av.reduce(0, +)) < 1e-5)
                #expect(abs(Double(VectorMath.dot(count, a, b)) - zip(av, bv).reduce(0) { $0 + $1.0 * $1.1 }) < 1e-5)
                #expect(VectorMath.max(count, a) == av.max().map(Float.init))
            }
        }
    }

    /// Row quantization to u8 gives, on every instruction set, the codes of its formula computed one element at a
    /// time: scale = (max(high, 0) − min(low, 0)) / 255, zero = round(−low / scale), code = round(x / scale +
    /// zero) clamped to 0...255 (ties to even). Rows of 37 cover the 16-lane tail; a zero row gets scale 1.
    @Test(arguments: instructionSets)
    func rowQuantizationMatchesItsFormula(set: VectorKernels.InstructionSet) throws {
        let kernels = try #require(VectorKernels(set))
        let (rows, width) = (4, 37)
        let x = Tensor.normal([rows, width], std: 2, generator: RandomGenerator(seed: 3)).scalars.enumerated()
            .map { $0.offset < width ? 0 : $0.offset < 2 * width ? abs($0.element) : $0.element }
        var codes = [UInt8](repeating: 0, count: rows * width)
        var scales = [Float](repeating: 0, count: rows), zeroPoints = [Int32](repeating: 0, count: rows)
        x.withUnsafeBufferPointer { x in
            codes.withUnsafeMutableBufferPointer { codes in
                scales.withUnsafeMutableBufferPointer { scales in
                    zeroPoints.withUnsafeMutableBufferPointer { zeroPoints in
                        guard let x = x.baseAddress, let c = codes.baseAddress, let s = scales.baseAddress,
                              let z = zeroPoints.baseAddress else { return }
                        kernels.quantizeRowsU8(rows, width, x, codes: c, scales: s, zeroPoints: z)
                    }
                }
            }
        }
        #expect(scales[0] == 1 && zeroPoints[0] == 0 && codes[0..<width].allSatisfy { $0 == 0 })
        for row in 0..<rows {
            let values = x[(row * width)..<((row + 1) * width)]
            let (low, high) = (min(values.min() ?? 0, 0), max(values.max() ?? 0, 0))
            let scale: Float = high > low ? (high - low) / 255 : 1
            let zero = min(max((-low / scale).rounded(.toNearestOrEven), 0), 255)
            #expect(scales[row] == scale && zeroPoints[row] == Int32(zero), "row \(row)")
            for (k, value) in values.enumerated() {
                let expected = UInt8(min(max((value * (1 / scale) + zero).rounded(.toNearestOrEven), 0), 255))
                #expect(codes[row * width + k] == expected, "row \(row), element \(k)")
            }
        }
    }

    /// The AdamW kernel gives, on every instruction set, the bits of the plain Swift loop it replaced (the same
    /// operations in the same order; division and square root are correctly rounded everywhere): 37 values, so
    /// two vectors and a tail, over three steps.
    @Test(arguments: instructionSets)
    func adamWMatchesTheScalarLoop(set: VectorKernels.InstructionSet) throws {
        let kernels = try #require(VectorKernels(set))
        let generator = RandomGenerator(seed: 21)
        let count = 37
        var (p, m, v) = ((0..<count).map { _ in generator.uniform() - 0.5 }, [Float](repeating: 0, count: count),
                         [Float](repeating: 0, count: count))
        var (expectedP, expectedM, expectedV) = (p, m, v)
        let (b1, b2, eps, decay, correction2Root): (Float, Float, Float, Float, Float) = (0.9, 0.999, 1e-6, 0.99999, 0.0447)
        for step in 1...3 {
            let g = (0..<count).map { _ in (generator.uniform() - 0.5) * 1e-2 }
            let stepSize = Float(1e-3) / Float(step)
            for i in 0..<count {
                expectedP[i] *= decay
                expectedM[i] += (1 - b1) * (g[i] - expectedM[i])
                expectedV[i] = expectedV[i] * b2 + (1 - b2) * g[i] * g[i]
                expectedP[i] -= stepSize * expectedM[i] / (expectedV[i].squareRoot() / correction2Root + eps)
            }
            kernels.adamW(count, parameters: &p, gradients: g, firstMoments: &m, secondMoments: &v, decay: decay, beta1: b1,
                          beta2: b2, stepSize: stepSize, correction2Root: correction2Root, eps: eps)
        }
        #expect(p.map(\.bitPattern) == expectedP.map(\.bitPattern))
        #expect(m.map(\.bitPattern) == expectedM.map(\.bitPattern) && v.map(\.bitPattern) == expectedV.map(\.bitPattern))
    }
}
