import TestSupport
import Testing
import Tensors

@Suite struct ReductionGradientTests {
    @Test func sumAndMean() {
        let x = randomTensor([2, 3, 4], RandomGenerator(seed: 20))
        expectGradientsMatch([x]) { $0[0].sum() }
        expectGradientsMatch([x]) { $0[0].mean() }
    }

    @Test(arguments: [0, 1, 2, -1, -2], [false, true])
    func sumAlongAxis(axis: Int, keepingDimension: Bool) {
        let x = randomTensor([2, 3, 4], RandomGenerator(seed: 21))
        expectGradientsMatch([x]) { $0[0].sum(axis: axis, keepingDimension: keepingDimension) }
        expectGradientsMatch([x]) { $0[0].mean(axis: axis, keepingDimension: keepingDimension) }
    }

    @Test(arguments: [0, 1, 2], [false, true])
    func sumAlongAxisShapeAndValues(axis: Int, keepingDimension: Bool) {
        let shape = [2, 3, 4]
        let x = randomTensor(shape, RandomGenerator(seed: 22))
        var expectedShape = shape
        expectedShape[axis] = 1
        let sum = x.sum(axis: axis, keepingDimension: keepingDimension)
        #expect(sum.shape == (keepingDimension ? expectedShape : expectedShape.enumerated().filter { $0.offset != axis }.map(\.element)))
        let strides = rowMajorStrides(shape), outStrides = rowMajorStrides(expectedShape)
        var expected = [Double](repeating: 0, count: 24 / shape[axis])
        let values = x.scalars
        for i in 0..<2 { for j in 0..<3 { for k in 0..<4 {
            var index = [i, j, k]
            let source = zip(index, strides).reduce(0) { $0 + $1.0 * $1.1 }
            index[axis] = 0
            expected[zip(index, outStrides).reduce(0) { $0 + $1.0 * $1.1 }] += Double(values[source])
        } } }
        expectClose(sum.scalars, expected, "sum over axis \(axis)")
        expectClose(x.mean(axis: axis).scalars, expected.map { $0 / Double(shape[axis]) }, "mean over axis \(axis)")
    }

    /// Distinct values spaced far more than twice the step, so the maximum does not move under the perturbation.
    @Test func maxLastAxis() {
        let generator = RandomGenerator(seed: 23)
        var values: [Float] = []
        for _ in 0..<6 {
            var row = (0..<5).map { Float($0) * 0.2 }
            generator.shuffle(&row)
            values += row
        }
        let x = Tensor(shape: [2, 3, 5], values: values)
        #expect(x.maxLastAxis().shape == [2, 3])
        #expect(x.maxLastAxis().scalars == Array(repeating: 0.8, count: 6))
        expectGradientsMatch([x]) { $0[0].maxLastAxis() }
    }

    /// A diverged model's NaN logits must give NaN, not a read and a gradient write beyond the row.
    @Test func maxLastAxisOfANaNRowStaysInTheRow() throws {
        let x = Tensor(shape: [2, 20], values: Array(repeating: .nan, count: 20) + (0..<20).map(Float.init),
                       requiresGrad: true)
        let maxima = x.maxLastAxis()
        #expect(maxima.scalars[0].isNaN && maxima.scalars[1] == 19)
        maxima.sum().backward()
        let grad = try #require(x.grad).scalars
        #expect(grad[0..<20].reduce(0, +) == 1 && grad[39] == 1 && grad[20..<39].allSatisfy { $0 == 0 })
    }

    @Test func maxLastAxisGradientGoesToTheFirstMaximum() {
        let x = Tensor(shape: [2, 3], values: [1, 3, 3, 2, 2, -1], requiresGrad: true)
        x.maxLastAxis().sum().backward()
        #expect(x.grad?.scalars == [0, 1, 0, 1, 0, 0])
    }
}
