import Testing
import Tensors

/// The four broadcasting arithmetic operators, as test arguments.
enum BinaryOperator: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case add, subtract, multiply, divide

    func apply(_ a: Tensor, _ b: Tensor) -> Tensor {
        switch self {
        case .add: a + b
        case .subtract: a - b
        case .multiply: a * b
        case .divide: a / b
        }
    }

    var testDescription: String { rawValue }
}

@Suite struct ElementwiseGradientTests {
    /// Same shapes, suffix broadcasts either way, size-1 axes, scalars, and a broadcast of both operands.
    static let shapePairs: [([Int], [Int])] = [
        ([2, 3, 4], [2, 3, 4]), ([2, 3, 4], [4]), ([4], [2, 3, 4]), ([2, 1, 4], [2, 3, 4]), ([2, 3, 4], [2, 3, 1]),
        ([2, 3, 4], []), ([], [2, 3, 4]), ([3, 1], [1, 4]), ([], []),
    ]

    @Test(arguments: BinaryOperator.allCases, shapePairs)
    func broadcastingArithmetic(op: BinaryOperator, shapes: ([Int], [Int])) {
        let generator = RandomGenerator(seed: 1)
        let a = randomTensorAwayFromZero(shapes.0, generator)
        let b = randomTensorAwayFromZero(shapes.1, generator)
        expectGradientsMatch([a, b]) { op.apply($0[0], $0[1]) }
    }

    @Test(arguments: BinaryOperator.allCases)
    func broadcastResultShape(op: BinaryOperator) {
        let a = Tensor(shape: [2, 1, 4], repeating: 2), b = Tensor(shape: [3, 1], repeating: 1)
        #expect(op.apply(a, b).shape == [2, 3, 4])
        #expect(op.apply(b, a).shape == [2, 3, 4])
    }

    @Test func broadcastValues() {
        let a = Tensor(shape: [2, 1, 3], values: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [2, 1], values: [10, 20])
        #expect((a + b).scalars == [11, 12, 13, 21, 22, 23, 14, 15, 16, 24, 25, 26])
        #expect((b - a).scalars == [9, 8, 7, 19, 18, 17, 6, 5, 4, 16, 15, 14])
    }

    @Test func sameTensorOnBothSides() {
        let x = randomTensorAwayFromZero([3, 4], RandomGenerator(seed: 2))
        expectGradientsMatch([x]) { $0[0] * $0[0] + $0[0] / ($0[0] * $0[0] + 1) }
    }

    @Test func scalarOperands() {
        let x = randomTensor([2, 5], RandomGenerator(seed: 3))
        expectGradientsMatch([x]) { ($0[0] * 3 + 2) }
        expectGradientsMatch([x]) { ($0[0] - 0.5) / 4 }
        expectGradientsMatch([x]) { -$0[0] }
    }

    @Test func exp() {
        expectGradientsMatch([randomTensor([3, 7], RandomGenerator(seed: 4), in: -2...2)]) { $0[0].exp() }
    }

    @Test func log() {
        expectGradientsMatch([randomTensor([3, 7], RandomGenerator(seed: 5), in: 0.5...2)]) { $0[0].log() }
    }

    @Test func squareRoot() {
        expectGradientsMatch([randomTensor([3, 7], RandomGenerator(seed: 6), in: 0.5...2)]) { $0[0].squareRoot() }
    }

    @Test func tanh() {
        expectGradientsMatch([randomTensor([3, 7], RandomGenerator(seed: 7), in: -2...2)]) { $0[0].tanh() }
    }

    @Test func relu() {
        let x = randomTensorAwayFromZero([3, 7], RandomGenerator(seed: 8), magnitudes: 0.1...1.5)
        expectGradientsMatch([x]) { $0[0].relu() }
    }

    @Test func silu() {
        expectGradientsMatch([randomTensor([37], RandomGenerator(seed: 13), in: -4...4)]) { $0[0].silu() }
    }

    /// 37 elements: two full SIMD vectors and a tail, over the range where GELU bends.
    @Test func gelu() {
        expectGradientsMatch([randomTensor([37], RandomGenerator(seed: 9), in: -4...4)]) { $0[0].gelu() }
    }

    @Test func geluTanh() {
        expectGradientsMatch([randomTensor([37], RandomGenerator(seed: 10), in: -4...4)]) { $0[0].geluTanh() }
    }

    /// Given the same seed the mask is fixed, so the gradient is exactly the mask scaled by 1/(1 − p).
    @Test func dropout() {
        let p: Float = 0.4
        let x = randomTensor([6, 10], RandomGenerator(seed: 11), requiresGrad: true)
        let mask = Tensor(shape: x.shape, repeating: 1).dropout(p, generator: RandomGenerator(seed: 77))
        #expect(Set(mask.scalars) == [0, 1 / (1 - p)])
        x.dropout(p, generator: RandomGenerator(seed: 77)).sum().backward()
        #expect(x.grad?.scalars == mask.scalars)
        expectGradientsMatch([x]) { $0[0].dropout(p, generator: RandomGenerator(seed: 77)) }
    }

    @Test func dropoutDropsAboutTheRequestedFraction() {
        let generator = RandomGenerator(seed: 12)
        let y = Tensor(shape: [100_000], repeating: 1).dropout(0.25, generator: generator)
        let dropped = Double(y.scalars.filter { $0 == 0 }.count) / 100_000
        #expect(abs(dropped - 0.25) < 0.01)
        #expect(y.scalars.allSatisfy { $0 == 0 || $0 == 1 / Float(0.75) })
        let again = Tensor(shape: [100_000], repeating: 1).dropout(0.25, generator: generator)
        #expect(again.scalars != y.scalars, "the generator advances between calls")
    }

    /// A process holding rows 3..<5 of an 8-row batch drops exactly what one process drops on those rows.
    @Test func dropoutOfABatchShareMatchesTheWholeBatchRows() {
        let whole = Tensor(shape: [8, 3, 5], repeating: 1).dropout(0.5, generator: RandomGenerator(seed: 13))
        let generator = RandomGenerator(seed: 13)
        generator.batchShare = (firstRow: 3, rows: 2)
        let share = Tensor(shape: [2, 3, 5], repeating: 1).dropout(0.5, generator: generator)
        #expect(share.scalars == Array(whole.scalars[(3 * 15)..<(5 * 15)]))
        #expect(share.scalars != Array(whole.scalars[0..<(2 * 15)]), "not the first rows' mask")
    }
}
