import Foundation
import TestSupport
import Testing
import Tensors

@Suite struct LossGradientTests {
    static let targets: [Int32] = [1, -100, 3, 0, -100]

    @Test func crossEntropyIgnoresRows() {
        let logits = randomTensor([5, 4], RandomGenerator(seed: 60), in: -2...2)
        expectGradientsMatch([logits]) { $0[0].crossEntropy(targets: Self.targets) }
        logits.zeroGrad()
        logits.crossEntropy(targets: Self.targets).backward()
        let grad = logits.grad?.scalars ?? []
        #expect(grad.count == 20 && grad[4..<8].allSatisfy { $0 == 0 } && grad[16..<20].allSatisfy { $0 == 0 })
    }

    @Test func crossEntropyValue() {
        let logits = randomTensor([5, 4], RandomGenerator(seed: 61), in: -2...2)
        let values = logits.scalars.map(Double.init)
        var total = 0.0
        for (row, target) in Self.targets.enumerated() where target >= 0 {
            let rowValues = values[(row * 4)..<(row * 4 + 4)]
            total += Foundation.log(rowValues.map { Foundation.exp($0) }.reduce(0, +)) - rowValues[row * 4 + Int(target)]
        }
        expectClose([logits.crossEntropy(targets: Self.targets).item], [total / 3], "mean over the 3 counted rows")
    }

    /// With respect to the log-probabilities directly, and through a log-softmax; one target probability is 0.
    @Test func klDivergence() {
        let generator = RandomGenerator(seed: 62)
        var target = randomTensor([3, 5], generator, in: -2...2).softmax().scalars
        target[2] = 0
        let probabilities = Tensor(shape: [3, 5], values: target)
        let logProbabilities = randomTensor([3, 5], generator, in: -3...0)
        expectGradientsMatch([logProbabilities]) { $0[0].klDivergence(targetProbabilities: probabilities) }
        let logits = randomTensor([3, 5], generator, in: -2...2)
        expectGradientsMatch([logits]) { $0[0].logSoftmax().klDivergence(targetProbabilities: probabilities) }

        let kl = logProbabilities.klDivergence(targetProbabilities: probabilities)
        var expected: [Double] = []
        for row in 0..<3 {
            var sum = 0.0
            for i in (row * 5)..<(row * 5 + 5) where target[i] > 0 {
                sum += Double(target[i]) * (Foundation.log(Double(target[i])) - Double(logProbabilities.scalars[i]))
            }
            expected.append(sum)
        }
        expectClose(kl.scalars, expected, "KL per row")
    }

    /// The fused soft-target KL against the unfused ops it replaces, and its gradient, at T = 1 and T = 2.
    @Test func softTargetKL() {
        let generator = RandomGenerator(seed: 64)
        let teacher = randomTensor([4, 37], generator, in: -6...6)  // 37: a 16-lane tail in every row
        for t: Float in [1, 2] {
            let student = randomTensor([4, 37], generator, in: -6...6)
            expectGradientsMatch([student]) { $0[0].softTargetKL(teacher: teacher, temperature: t) }
            let unfused = (student / t).logSoftmax().klDivergence(targetProbabilities: (teacher / t).softmax()) * (t * t)
            expectClose(student.softTargetKL(teacher: teacher, temperature: t).scalars, unfused.scalars.map(Double.init),
                        "T = \(t)")
        }
    }

    @Test func meanSquaredError() {
        let generator = RandomGenerator(seed: 63)
        let a = randomTensor([3, 4], generator), b = randomTensor([3, 4], generator)
        expectGradientsMatch([a, b]) { $0[0].meanSquaredError($0[1]) }
        let expected = zip(a.scalars, b.scalars).reduce(0.0) { $0 + pow(Double($1.0 - $1.1), 2) } / 12
        expectClose([a.meanSquaredError(b).item], [expected])
    }

    @Test func cosineSimilarity() {
        let generator = RandomGenerator(seed: 64)
        let a = randomTensor([2, 3, 5], generator), b = randomTensor([2, 3, 5], generator)
        expectGradientsMatch([a, b]) { $0[0].cosineSimilarity($0[1]) }
        let cosine = a.cosineSimilarity(b)
        #expect(cosine.shape == [2, 3])
        var expected: [Double] = []
        for row in 0..<6 {
            let x = a.scalars[(row * 5)..<(row * 5 + 5)].map(Double.init), y = b.scalars[(row * 5)..<(row * 5 + 5)].map(Double.init)
            let dot = zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }
            expected.append(dot / (x.reduce(0) { $0 + $1 * $1 }.squareRoot() * y.reduce(0) { $0 + $1 * $1 }.squareRoot()))
        }
        expectClose(cosine.scalars, expected)
    }
}
