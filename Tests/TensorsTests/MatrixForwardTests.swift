import Foundation
import TestSupport
import Testing
import Tensors

/// Plain-loop references, in Double.
enum Reference {
    /// `[batch, m, k] · [batch or 1, k, n]`.
    static func matmul(_ a: [Float], _ b: [Float], batch: Int, bBatch: Int, m: Int, k: Int, n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: batch * m * n)
        for t in 0..<batch {
            let bt = bBatch == 1 ? 0 : t
            for i in 0..<m { for j in 0..<n {
                var sum = 0.0
                for p in 0..<k { sum += Double(a[(t * m + i) * k + p]) * Double(b[(bt * k + p) * n + j]) }
                c[(t * m + i) * n + j] = sum
            } }
        }
        return c
    }

    /// `x · Wᵀ + b` over rows of `x`.
    static func linear(_ x: [Float], _ w: [Float], _ b: [Float]?, rows: Int, inputs: Int, outputs: Int) -> [Double] {
        var y = [Double](repeating: 0, count: rows * outputs)
        for r in 0..<rows { for o in 0..<outputs {
            var sum = b.map { Double($0[o]) } ?? 0
            for i in 0..<inputs { sum += Double(x[r * inputs + i]) * Double(w[o * inputs + i]) }
            y[r * outputs + o] = sum
        } }
        return y
    }

    static func gelu(_ x: Double) -> Double { 0.5 * x * (1 + Foundation.erf(x / 2.squareRoot())) }

    /// Scores `[batch, heads, seq, seq]` from `[batch, seq, hidden]` query and key, one head at a time.
    static func attentionScores(_ q: [Float], _ k: [Float], batch: Int, seq: Int, hidden: Int, heads: Int,
                                scale: Double) -> [Double] {
        let d = hidden / heads
        var scores = [Double](repeating: 0, count: batch * heads * seq * seq)
        for b in 0..<batch { for h in 0..<heads { for i in 0..<seq { for j in 0..<seq {
            var sum = 0.0
            for e in 0..<d { sum += Double(q[(b * seq + i) * hidden + h * d + e]) * Double(k[(b * seq + j) * hidden + h * d + e]) }
            scores[((b * heads + h) * seq + i) * seq + j] = scale * sum
        } } } }
        return scores
    }

    /// Context `[batch, seq, hidden]` from probabilities `[batch, heads, seq, seq]` and value `[batch, seq, hidden]`.
    static func attentionContext(_ p: [Float], _ v: [Float], batch: Int, seq: Int, hidden: Int, heads: Int) -> [Double] {
        let d = hidden / heads
        var context = [Double](repeating: 0, count: batch * seq * hidden)
        for b in 0..<batch { for h in 0..<heads { for i in 0..<seq { for e in 0..<d {
            var sum = 0.0
            for j in 0..<seq { sum += Double(p[((b * heads + h) * seq + i) * seq + j]) * Double(v[(b * seq + j) * hidden + h * d + e]) }
            context[(b * seq + i) * hidden + h * d + e] = sum
        } } } }
        return context
    }

    /// Softmax of each row of `n` values after adding mask row `row / rowsPerMask`.
    static func softmax(_ x: [Float], n: Int, mask: [Float]? = nil, rowsPerMask: Int = 1) -> [Double] {
        var y = [Double](repeating: 0, count: x.count)
        for row in 0..<(x.count / n) {
            let values = (0..<n).map { Double(x[row * n + $0]) + Double(mask?[(row / rowsPerMask) * n + $0] ?? 0) }
            let top = values.max() ?? 0
            let exps = values.map { Foundation.exp($0 - top) }
            let total = exps.reduce(0, +)
            for i in 0..<n { y[row * n + i] = exps[i] / total }
        }
        return y
    }

    static func layerNorm(_ x: [Float], _ w: [Float], _ b: [Float], n: Int, eps: Double) -> [Double] {
        var y = [Double](repeating: 0, count: x.count)
        for row in 0..<(x.count / n) {
            let values = (0..<n).map { Double(x[row * n + $0]) }
            let mean = values.reduce(0, +) / Double(n)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
            for i in 0..<n { y[row * n + i] = (values[i] - mean) / (variance + eps).squareRoot() * Double(w[i]) + Double(b[i]) }
        }
        return y
    }
}

@Suite struct MatrixForwardTests {
    @Test(arguments: [
        ([3, 4], [4, 5]), ([2, 3, 17], [2, 17, 5]), ([2, 3, 4], [4, 5]), ([2, 2, 3, 4], [2, 2, 4, 5]), ([2, 7, 33], [33, 19]),
    ])
    func matmul(shapes: ([Int], [Int])) {
        let generator = RandomGenerator(seed: 70)
        let a = randomTensor(shapes.0, generator), b = randomTensor(shapes.1, generator)
        let (m, k, n) = (shapes.0[shapes.0.count - 2], shapes.0.last ?? 0, shapes.1.last ?? 0)
        let batch = a.count / (m * k), bBatch = b.count / (k * n)
        let c = a.matmul(b)
        #expect(c.shape == Array(shapes.0.dropLast()) + [n])
        expectClose(c.scalars, Reference.matmul(a.scalars, b.scalars, batch: batch, bBatch: bBatch, m: m, k: k, n: n))
    }

    @Test func linear() {
        let generator = RandomGenerator(seed: 71)
        let x = randomTensor([2, 3, 20], generator), w = randomTensor([7, 20], generator), b = randomTensor([7], generator)
        let y = x.linear(weight: w, bias: b)
        #expect(y.shape == [2, 3, 7])
        expectClose(y.scalars, Reference.linear(x.scalars, w.scalars, b.scalars, rows: 6, inputs: 20, outputs: 7))
        expectClose(x.linear(weight: w, bias: nil).scalars,
                    Reference.linear(x.scalars, w.scalars, nil, rows: 6, inputs: 20, outputs: 7))
    }

    @Test func linearWithFusedGELU() {
        let generator = RandomGenerator(seed: 72)
        let x = randomTensor([5, 24], generator, in: -2...2), w = randomTensor([40, 24], generator)
        let b = randomTensor([40], generator)
        let fused = x.linear(weight: w, bias: b, fusedGELU: true)
        expectClose(fused.scalars, x.linear(weight: w, bias: b).gelu().scalars.map(Double.init), relative: 1e-5,
                    absolute: 2e-6, "fused vs linear + gelu")
        let reference = Reference.linear(x.scalars, w.scalars, b.scalars, rows: 5, inputs: 24, outputs: 40).map(Reference.gelu)
        expectClose(fused.scalars, reference, "fused vs reference")
    }

    @Test func attentionScores() {
        let generator = RandomGenerator(seed: 73)
        let q = randomTensor([2, 5, 12], generator), k = randomTensor([2, 5, 12], generator)
        let scores = Tensor.attentionScores(query: q, key: k, heads: 3, scale: 0.5)
        #expect(scores.shape == [2, 3, 5, 5])
        expectClose(scores.scalars, Reference.attentionScores(q.scalars, k.scalars, batch: 2, seq: 5, hidden: 12,
                                                              heads: 3, scale: 0.5))
    }

    @Test func attentionContext() {
        let generator = RandomGenerator(seed: 74)
        let p = randomTensor([2, 3, 5, 5], generator, in: 0...1), v = randomTensor([2, 5, 12], generator)
        let context = Tensor.attentionContext(probabilities: p, value: v, heads: 3)
        #expect(context.shape == [2, 5, 12])
        expectClose(context.scalars, Reference.attentionContext(p.scalars, v.scalars, batch: 2, seq: 5, hidden: 12, heads: 3))
    }
}
