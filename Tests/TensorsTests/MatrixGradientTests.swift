import Testing
import Tensors

/// matmul, linear and the two attention products.
@Suite struct MatrixGradientTests {
    @Test(arguments: [
        ([3, 4], [4, 5]), ([2, 3, 4], [2, 4, 5]), ([2, 3, 4], [4, 5]), ([2, 2, 3, 4], [2, 2, 4, 5]),
        ([2, 2, 3, 4], [4, 5]), ([2, 3, 4], [1, 4, 5]),
    ])
    func matmul(shapes: ([Int], [Int])) {
        let generator = RandomGenerator(seed: 50)
        let a = randomTensor(shapes.0, generator), b = randomTensor(shapes.1, generator)
        expectGradientsMatch([a, b]) { $0[0].matmul($0[1]) }
    }

    @Test func linear() {
        let generator = RandomGenerator(seed: 51)
        let x = randomTensor([2, 3, 4], generator)
        let weight = randomTensor([5, 4], generator), bias = randomTensor([5], generator)
        expectGradientsMatch([x, weight, bias]) { $0[0].linear(weight: $0[1], bias: $0[2]) }
        expectGradientsMatch([x, weight]) { $0[0].linear(weight: $0[1], bias: nil) }
    }

    @Test func linearWithFrozenWeight() {
        let generator = RandomGenerator(seed: 52)
        let x = randomTensor([3, 4], generator, requiresGrad: true)
        let weight = randomTensor([2, 4], generator), bias = randomTensor([2], generator, requiresGrad: true)
        x.linear(weight: weight, bias: bias).sum().backward()
        #expect(weight.grad == nil)
        #expect(bias.grad?.scalars == [3, 3])
        #expect(x.grad != nil)
    }

    @Test func attentionScores() {
        let generator = RandomGenerator(seed: 53)
        let q = randomTensor([2, 3, 8], generator), k = randomTensor([2, 3, 8], generator)
        expectGradientsMatch([q, k]) { Tensor.attentionScores(query: $0[0], key: $0[1], heads: 2, scale: 0.5) }
    }

    @Test func attentionContext() {
        let generator = RandomGenerator(seed: 54)
        let p = randomTensor([2, 2, 3, 3], generator, in: 0...1), v = randomTensor([2, 3, 8], generator)
        expectGradientsMatch([p, v]) { Tensor.attentionContext(probabilities: $0[0], value: $0[1], heads: 2) }
    }

    /// The whole attention chain: gradients reach query, key and value through scores, masked softmax and context.
    @Test func attentionChain() {
        let generator = RandomGenerator(seed: 55)
        let q = randomTensor([2, 4, 6], generator), k = randomTensor([2, 4, 6], generator)
        let v = randomTensor([2, 4, 6], generator)
        let mask = Tensor(shape: [2, 4], values: [0, 0, 0, -10_000, 0, 0, -10_000, -10_000])
        expectGradientsMatch([q, k, v]) { inputs in
            let scores = Tensor.attentionScores(query: inputs[0], key: inputs[1], heads: 3, scale: 0.7)
            return Tensor.attentionContext(probabilities: scores.softmax(additiveMask: mask), value: inputs[2], heads: 3)
        }
    }
}
