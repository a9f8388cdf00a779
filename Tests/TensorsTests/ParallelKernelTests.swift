import Foundation
import TestSupport
import Testing
import Tensors

/// Tensors larger than 1 << 16 elements, so the kernels split the work over threads and the chunk edges are
/// exercised; counts are deliberately not multiples of 16.
@Suite struct ParallelKernelTests {
    static let count = (1 << 17) + 37

    @Test func elementwise() {
        let generator = RandomGenerator(seed: 100)
        let a = randomTensor([Self.count], generator), b = randomTensor([Self.count], generator)
        let (av, bv) = (a.scalars, b.scalars)
        #expect((a * b).scalars == zip(av, bv).map { $0 * $1 })
        #expect((a + 1).scalars == av.map { $0 + 1 })
        expectClose(a.exp().scalars, av.map { Foundation.exp(Double($0)) }, relative: 1e-6, absolute: 0, "exp")
        let copy = a.clone()
        copy.addInPlace(b, scale: 2)
        #expect(copy.scalars == zip(av, bv).map { $0 + 2 * $1 })
    }

    /// Every index is visited exactly once, also when a parallel loop runs inside another one (where a thread
    /// pool may hand the inner loop fewer threads than it asked for).
    @Test(arguments: [1, 1000, Self.count])
    func parallelForCoversEveryIndexOnce(count: Int) {
        let outer = 3
        var visits = [Int32](repeating: 0, count: outer * count)
        visits.withUnsafeMutableBufferPointer { buffer in
            let visits = buffer
            parallelFor(outer, grain: 1) { rows in
                for row in rows {
                    parallelFor(count, grain: 1_000) { range in
                        for i in range { visits[row * count + i] += 1 }
                    }
                }
            }
        }
        #expect(visits.allSatisfy { $0 == 1 })
        var flat = [Int32](repeating: 0, count: count)
        flat.withUnsafeMutableBufferPointer { buffer in
            let flat = buffer
            parallelFor(count, grain: 1_000) { range in for i in range { flat[i] += 1 } }
        }
        #expect(flat.allSatisfy { $0 == 1 })
    }

    /// Large buffers are recycled, so an op that leaves part of its output unwritten would show old values:
    /// each output below is allocated right after a NaN-filled buffer of its size has been released.
    @Test func outputsAreFullyWrittenOverRecycledBuffers() {
        func afterReleasingNaNs(_ shape: [Int], _ op: () -> Tensor) -> Tensor {
            _ = Tensor(shape: shape, repeating: .nan)
            return op()
        }
        let generator = RandomGenerator(seed: 105)
        let x = randomTensor([128, 256], generator), y = randomTensor([256, 128], generator)
        let q = randomTensor([2, 128, 128], generator)
        let outputs: [(String, Tensor)] = [
            ("permuted", afterReleasingNaNs([256, 128]) { x.transposed() }),
            ("slice", afterReleasingNaNs([128, 200]) { x.slice(axis: 1, 0..<200) }),
            ("concat", afterReleasingNaNs([128, 512]) { Tensor.concat([x, x], axis: 1) }),
            ("gatherRows", afterReleasingNaNs([200, 256]) { x.gatherRows((0..<200).map { Int32($0 % 128) }) }),
            ("matmul", afterReleasingNaNs([128, 128]) { x.matmul(y) }),
            ("linear", afterReleasingNaNs([128, 256]) { x.linear(weight: randomTensor([256, 256], generator), bias: nil) }),
            ("attentionScores", afterReleasingNaNs([2, 2, 128, 128]) { Tensor.attentionScores(query: q, key: q, heads: 2, scale: 1) }),
            ("softmax", afterReleasingNaNs([128, 256]) { x.softmax() }),
        ]
        for (name, output) in outputs {
            let finite = output.scalars.allSatisfy { $0.isFinite }
            #expect(finite, "\(name)")
        }
    }

    @Test func broadcast() {
        let generator = RandomGenerator(seed: 101)
        let a = randomTensor([2049, 67], generator), row = randomTensor([67], generator)
        let (av, rv) = (a.scalars, row.scalars)
        #expect((a - row).scalars == av.indices.map { av[$0] - rv[$0 % 67] })
    }

    @Test func sum() {
        let x = randomTensor([Self.count], RandomGenerator(seed: 102), in: 0...1)
        let exact = x.scalars.reduce(0.0) { $0 + Double($1) }
        #expect(abs(Double(x.sum().item) - exact) <= 1e-5 * exact)
        let matrix = x.slice(axis: 0, 0..<(2048 * 64)).reshaped([2048, 64])
        let columns = matrix.sum(axis: 0).scalars, rows = matrix.sum(axis: 1).scalars
        let values = matrix.scalars
        var columnSums = [Double](repeating: 0, count: 64), rowSums = [Double](repeating: 0, count: 2048)
        for r in 0..<2048 { for c in 0..<64 { columnSums[c] += Double(values[r * 64 + c]); rowSums[r] += Double(values[r * 64 + c]) } }
        expectClose(columns, columnSums, relative: 1e-5, absolute: 0, "column sums")
        expectClose(rows, rowSums, relative: 1e-5, absolute: 0, "row sums")
    }

    @Test func softmaxAndLayerNorm() {
        let generator = RandomGenerator(seed: 103)
        let x = randomTensor([2100, 64], generator, in: -4...4)
        expectClose(x.softmax().scalars, Reference.softmax(x.scalars, n: 64), relative: 1e-5, absolute: 1e-8, "softmax")
        let w = randomTensor([64], generator), b = randomTensor([64], generator)
        expectClose(x.layerNorm(weight: w, bias: b, eps: 1e-12).scalars,
                    Reference.layerNorm(x.scalars, w.scalars, b.scalars, n: 64, eps: 1e-12), relative: 1e-4,
                    absolute: 1e-5, "layerNorm")
    }

    /// The backward kernels of the same ops, on the same large shapes, against their small-shape formulas.
    @Test func backwardOfLargeTensors() {
        let generator = RandomGenerator(seed: 104)
        let x = randomTensor([2100, 64], generator, in: -4...4, requiresGrad: true)
        let w = randomTensor([2100, 64], generator)
        (x.softmax() * w).sum().backward()
        let y = Reference.softmax(x.scalars, n: 64), weights = w.scalars
        var expected = [Double](repeating: 0, count: y.count)
        for row in 0..<2100 {
            let dot = (0..<64).reduce(0.0) { $0 + y[row * 64 + $1] * Double(weights[row * 64 + $1]) }
            for i in 0..<64 { expected[row * 64 + i] = y[row * 64 + i] * (Double(weights[row * 64 + i]) - dot) }
        }
        expectClose(x.grad?.scalars ?? [], expected, relative: 1e-4, absolute: 1e-7, "softmax backward")
    }
}
