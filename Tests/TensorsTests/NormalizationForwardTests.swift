import Foundation
import TestSupport
import Testing
import Tensors

@Suite struct NormalizationForwardTests {
    /// Rows of 37 values (two SIMD vectors and a tail), with large values that would overflow a naive exp.
    @Test func softmax() {
        let x = randomTensor([3, 37], RandomGenerator(seed: 80), in: -50...100)
        let y = x.softmax()
        expectClose(y.scalars, Reference.softmax(x.scalars, n: 37), relative: 1e-5, absolute: 1e-7)
        expectClose(x.logSoftmax().scalars, Reference.softmax(x.scalars, n: 37).map { Foundation.log($0) },
                    relative: 1e-5, absolute: 1e-4, "logSoftmax")
    }

    /// Attention-shaped scores `[batch, heads, seq, seq]` with a `[batch, seq]` padding mask.
    @Test func softmaxWithAttentionMask() {
        let generator = RandomGenerator(seed: 81)
        let scores = randomTensor([2, 3, 4, 4], generator, in: -3...3)
        let mask = Tensor(shape: [2, 4], values: [0, 0, -10_000, -10_000, 0, 0, 0, -10_000])
        let y = scores.softmax(additiveMask: mask)
        expectClose(y.scalars, Reference.softmax(scores.scalars, n: 4, mask: mask.scalars, rowsPerMask: 12),
                    relative: 1e-5, absolute: 1e-7)
    }

    /// Without gradients the residual add is fused into the layer norm: the same values as adding first, bit for
    /// bit; with them the sum is recorded and gradients reach both inputs.
    @Test(arguments: [5, 37, 384])
    func layerNormOfASum(n: Int) {
        let generator = RandomGenerator(seed: 83)
        let x = randomTensor([2, 7, n], generator, in: -3...5), residual = randomTensor([2, 7, n], generator)
        let w = randomTensor([n], generator), b = randomTensor([n], generator)
        let expected = (x + residual).layerNorm(weight: w, bias: b, eps: 1e-5).scalars
        #expect(x.layerNorm(adding: residual, weight: w, bias: b, eps: 1e-5).scalars == expected)
        residual.requiresGrad = true
        let recorded = x.layerNorm(adding: residual, weight: w, bias: b, eps: 1e-5)
        #expect(recorded.scalars == expected)
        recorded.sum().backward()
        #expect(residual.grad != nil)
    }

    @Test(arguments: [5, 16, 40])
    func layerNorm(n: Int) {
        let generator = RandomGenerator(seed: 82)
        let x = randomTensor([3, n], generator, in: -3...5)
        let w = randomTensor([n], generator), b = randomTensor([n], generator)
        let y = x.layerNorm(weight: w, bias: b, eps: 1e-5)
        expectClose(y.scalars, Reference.layerNorm(x.scalars, w.scalars, b.scalars, n: n, eps: 1e-5), relative: 1e-4,
                    absolute: 1e-5)
    }
}
