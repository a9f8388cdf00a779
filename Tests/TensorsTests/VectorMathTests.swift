import Foundation
import TestSupport
import Testing
import Tensors

/// Accuracy of the SIMD transcendental functions against libm in Double.
@Suite struct VectorMathTests {
    /// `count` evenly spaced points of `range`, fed through `f` sixteen at a time.
    static func sweep(_ range: ClosedRange<Float>, count: Int, _ f: (Vector) -> Vector) -> [(x: Float, y: Float)] {
        let step = (range.upperBound - range.lowerBound) / Float(count - 1)
        var result: [(x: Float, y: Float)] = []
        result.reserveCapacity(count + 16)
        var start = 0
        while start < count {
            var lanes = Vector(repeating: range.upperBound)
            for lane in 0..<Swift.min(16, count - start) { lanes[lane] = range.lowerBound + Float(start + lane) * step }
            let y = f(lanes)
            for lane in 0..<Swift.min(16, count - start) { result.append((lanes[lane], y[lane])) }
            start += 16
        }
        return result
    }

    /// Relative error at most 1e-6 wherever e^x is a normal `Float`.
    @Test func expIsAccurateOverTheNormalRange() {
        var worst = (x: Float(0), error: 0.0)
        for (x, y) in Self.sweep(-87.3...88.3, count: 200_003, VectorMath.exp) {
            let exact = Foundation.exp(Double(x))
            let error = abs(Double(y) - exact) / exact
            if !(error <= worst.error) { worst = (x, error) }
        }
        #expect(worst.error <= 1e-6, "exp(\(worst.x)) relative error \(worst.error)")
    }

    /// Beyond the normal range: zero (or within a denormal of the truth) below, huge and finite or infinite above,
    /// never NaN.
    @Test func expSaturatesOutsideTheNormalRange() {
        for (x, y) in Self.sweep(-200 ... -87.3, count: 1_000, VectorMath.exp) {
            #expect(y >= 0 && Double(y) <= Foundation.exp(Double(x)) + 1.2e-38, "exp(\(x)) = \(y)")
        }
        for (x, y) in Self.sweep(88.3...200, count: 1_000, VectorMath.exp) {
            #expect(!y.isNaN && y >= 2e38, "exp(\(x)) = \(y)")
        }
        #expect(VectorMath.exp(Vector(repeating: -.infinity))[0] == 0)
        #expect(VectorMath.exp(Vector(repeating: 0))[0] == 1)
    }

    @Test func erfIsAccurate() {
        var worst = (x: Float(0), error: 0.0)
        for (x, y) in Self.sweep(-10...10, count: 200_003, VectorMath.erf) {
            let error = abs(Double(y) - Foundation.erf(Double(x)))
            if !(error <= worst.error) { worst = (x, error) }
        }
        #expect(worst.error <= 2e-7, "erf(\(worst.x)) absolute error \(worst.error)")
    }

    @Test func tanhIsAccurate() {
        var worst = (x: Float(0), error: 0.0)
        for (x, y) in Self.sweep(-30...30, count: 200_003, VectorMath.tanh) {
            let error = abs(Double(y) - Foundation.tanh(Double(x)))
            if !(error <= worst.error) { worst = (x, error) }
        }
        #expect(worst.error <= 2e-7, "tanh(\(worst.x)) absolute error \(worst.error)")
        #expect(VectorMath.tanh(Vector(repeating: 1e4))[0] == 1)
        #expect(VectorMath.tanh(Vector(repeating: -1e4))[0] == -1)
    }

    /// GELU (erf form) against x Φ(x) from libm's erf, and the tanh form against its own formula in Double.
    @Test func geluMatchesFoundation() {
        var worstGELU = (x: Float(0), error: 0.0), worstTanh = (x: Float(0), error: 0.0)
        let inputs = Self.sweep(-8...8, count: 40_003) { $0 }.map(\.x)
        let x = Tensor(shape: [inputs.count], values: inputs)
        for (input, y) in zip(inputs, x.gelu().scalars) {
            let error = abs(Double(y) - Reference.gelu(Double(input)))
            if !(error <= worstGELU.error) { worstGELU = (input, error) }
        }
        for (input, y) in zip(inputs, x.geluTanh().scalars) {
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
}
