import Testing
import Tensors

/// Softmax, log-softmax and layer normalisation.
@Suite struct NormalizationGradientTests {
    @Test func softmax() {
        let x = randomTensor([2, 3, 5], RandomGenerator(seed: 40), in: -2...2)
        expectGradientsMatch([x]) { $0[0].softmax() }
    }

    /// A `[groups, n]` mask: rows 0–2 use mask row 0 and rows 3–5 mask row 1, with one key hidden in each group.
    @Test func softmaxWithAdditiveMask() {
        let generator = RandomGenerator(seed: 41)
        let x = randomTensor([2, 3, 5], generator, in: -2...2)
        var maskValues = randomTensor([2, 5], generator).scalars
        maskValues[1] = -10_000
        maskValues[8] = -10_000
        let mask = Tensor(shape: [2, 5], values: maskValues)
        let probabilities = x.softmax(additiveMask: mask)
        for row in 0..<6 {
            #expect(probabilities.scalars[row * 5 + (row < 3 ? 1 : 3)] < 1e-30, "masked key in row \(row)")
        }
        expectGradientsMatch([x]) { $0[0].softmax(additiveMask: mask) }
    }

    @Test func logSoftmax() {
        let x = randomTensor([4, 6], RandomGenerator(seed: 42), in: -3...3)
        expectGradientsMatch([x]) { $0[0].logSoftmax() }
    }

    @Test(arguments: [[3, 8], [2, 2, 20]])
    func layerNorm(shape: [Int]) {
        let generator = RandomGenerator(seed: 43)
        let n = shape.last ?? 1
        let x = randomTensor(shape, generator, in: -2...2)
        let weight = randomTensor([n], generator, in: 0.5...1.5), bias = randomTensor([n], generator)
        expectGradientsMatch([x, weight, bias]) { $0[0].layerNorm(weight: $0[1], bias: $0[2], eps: 1e-5) }
    }

    /// Enough rows (more than 64 per thread) for the backward pass to split the weight and bias sums over threads.
    @Test func layerNormOverManyRows() {
        let generator = RandomGenerator(seed: 44)
        let x = randomTensor([150, 4], generator, in: -2...2)
        let weight = randomTensor([4], generator, in: 0.5...1.5), bias = randomTensor([4], generator)
        expectGradientsMatch([x, weight, bias]) { $0[0].layerNorm(weight: $0[1], bias: $0[2], eps: 1e-5) }
    }
}
