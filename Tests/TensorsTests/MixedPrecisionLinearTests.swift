import Testing
import Tensors

/// `linear` and the attention products with bf16 products (mixed-precision training): gradients against finite differences, and forward and
/// backward against f32 within what rounding the operands to bf16 explains.
@Suite(.enabled(if: MatmulPrecision.bf16.missingSupport() == nil, "this CPU (as oneDNN sees it) has no bf16 matmul"))
struct MixedPrecisionLinearTests {
    /// Values on a grid of 1/16 in [-2, 2]: bf16 (8 significant bits) holds them, and them moved by the check's
    /// step of 1/8, exactly.
    static func gridTensor(_ shape: [Int], _ generator: RandomGenerator) -> Tensor {
        Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in Float(generator.below(65)) / 16 - 2 })
    }

    /// With every operand (and every perturbed one) exact in bf16, the finite differences see no rounding; the
    /// autograd gradients differ from the true ones only by the upstream gradient (the check's weights, uniform in
    /// [-1, 1]) rounded to bf16, a relative 2⁻⁹ per term: at most 2⁻⁹ · Σ|g||w| ≤ 2⁻⁹ · 5 · 1 · 2 ≈ 0.02 for
    /// the 5 outputs here (and x the same). A wrong transpose or operand would be off by O(1).
    @Test func gradientsMatchFiniteDifferences() {
        let generator = RandomGenerator(seed: 61)
        let x = Self.gridTensor([2, 3, 4], generator)
        let weight = Self.gridTensor([5, 4], generator), bias = Self.gridTensor([5], generator)
        let check = GradientCheck(step: 0.125, relativeTolerance: 1e-2, absoluteTolerance: 2e-2)
        expectGradientsMatch([x, weight, bias], check: check) { $0[0].linear(weight: $0[1], bias: $0[2], precision: .bf16) }
        expectGradientsMatch([x, weight], check: check) { $0[0].linear(weight: $0[1], bias: nil, precision: .bf16) }
    }

    /// Each product of two operands rounded to bf16 is off by a relative (1 + 2⁻⁹)² - 1 < 2⁻⁸ + 2⁻¹⁸, so an
    /// element of a bf16 product is within 2⁻⁸ · Σ|a||b| (plus f32 summation noise) of the f32 one. The bias
    /// gradient, a sum of the f32 upstream gradient, is the same bits.
    @Test func forwardAndBackwardStayWithinBF16RoundingOfF32() {
        let generator = RandomGenerator(seed: 62)
        let (rows, inputs, outputs) = (10, 48, 7)
        let x = randomTensor([2, rows / 2, inputs], generator), weight = randomTensor([outputs, inputs], generator)
        let bias = randomTensor([outputs], generator), upstream = randomTensor([2, rows / 2, outputs], generator)
        func run(_ precision: MatmulPrecision) -> (y: [Float], dx: [Float], dw: [Float], db: [Float]) {
            for tensor in [x, weight, bias] {
                tensor.requiresGrad = true
                tensor.zeroGrad()
            }
            let y = x.linear(weight: weight, bias: bias, precision: precision)
            (y * upstream).sum().backward()
            return (y.scalars, x.grad?.scalars ?? [], weight.grad?.scalars ?? [], bias.grad?.scalars ?? [])
        }
        let (exact, mixed) = (run(.f32), run(.bf16))
        #expect(mixed.db == exact.db)

        let (xs, ws, gs) = (x.scalars, weight.scalars, upstream.scalars)
        /// Σₖ |a[i, k]| |b[k, j]| for `a` `[m, K]` and `b` `[K, n]` given by element accessors.
        func absoluteProduct(_ m: Int, _ n: Int, _ depth: Int, _ a: (Int, Int) -> Float, _ b: (Int, Int) -> Float) -> [Float] {
            (0..<m).flatMap { i in (0..<n).map { j in (0..<depth).reduce(0) { $0 + abs(a(i, $1)) * abs(b($1, j)) } } }
        }
        let bounds = [
            ("y", exact.y, mixed.y, absoluteProduct(rows, outputs, inputs, { xs[$0 * inputs + $1] }, { ws[$1 * inputs + $0] })),
            ("dx", exact.dx, mixed.dx, absoluteProduct(rows, inputs, outputs, { gs[$0 * outputs + $1] }, { ws[$0 * inputs + $1] })),
            ("dw", exact.dw, mixed.dw, absoluteProduct(outputs, inputs, rows, { gs[$1 * outputs + $0] }, { xs[$0 * inputs + $1] })),
        ]
        for (name, reference, actual, magnitudes) in bounds {
            #expect(actual.count == reference.count && !actual.isEmpty)
            let excess = zip(zip(actual, reference), magnitudes).map { abs($0.0 - $0.1) - (0x1p-8 * $1 + 1e-5) }
            #expect(excess.allSatisfy { $0 <= 0 }, "\(name): worst excess over the bound \(excess.max() ?? 0)")
            #expect(zip(actual, reference).contains { $0 != $1 }, "\(name): bf16 rounding changed nothing")
        }
    }

    /// The attention products in bf16, as the linear layer above: operands on the grid, so only the upstream
    /// gradient's rounding (2⁻⁹ per term) separates autograd from finite differences; the largest sums here have
    /// 3 terms of at most 1 · 2 (times the scale 0.5 for the scores), within 0.02.
    @Test func attentionProductGradientsMatchFiniteDifferences() {
        let generator = RandomGenerator(seed: 64)
        let (q, k, v) = (Self.gridTensor([2, 3, 4], generator), Self.gridTensor([2, 3, 4], generator), Self.gridTensor([2, 3, 4], generator))
        let p = Self.gridTensor([2, 2, 3, 3], generator)
        let check = GradientCheck(step: 0.125, relativeTolerance: 1e-2, absoluteTolerance: 2e-2)
        expectGradientsMatch([q, k], check: check) { Tensor.attentionScores(query: $0[0], key: $0[1], heads: 2, scale: 0.5, precision: .bf16) }
        expectGradientsMatch([p, v], check: check) { Tensor.attentionContext(probabilities: $0[0], value: $0[1], heads: 2, precision: .bf16) }
    }

    /// Off the grid, bf16 attention products differ from f32's, within the rounding bound of the linear layer's
    /// test: 2⁻⁸ · Σ|a||b| per element (plus f32 summation noise).
    @Test func attentionProductsStayWithinBF16RoundingOfF32() {
        let generator = RandomGenerator(seed: 65)
        let (q, k) = (randomTensor([2, 5, 8], generator), randomTensor([2, 5, 8], generator))
        let (exact, mixed) = (Tensor.attentionScores(query: q, key: k, heads: 2, scale: 1),
                              Tensor.attentionScores(query: q, key: k, heads: 2, scale: 1, precision: .bf16))
        let (qAbs, kAbs) = (Tensor(shape: q.shape, values: q.scalars.map(abs)), Tensor(shape: k.shape, values: k.scalars.map(abs)))
        let magnitudes = Tensor.attentionScores(query: qAbs, key: kAbs, heads: 2, scale: 1).scalars
        let excess = zip(zip(mixed.scalars, exact.scalars), magnitudes).map { abs($0.0 - $0.1) - (0x1p-8 * $1 + 1e-5) }
        #expect(excess.allSatisfy { $0 <= 0 }, "worst excess over the bound \(excess.max() ?? 0)")
        #expect(mixed.scalars != exact.scalars, "bf16 rounding changed nothing")
    }

    /// Without a precision the product is f32's, and bf16 changes it.
    @Test func f32IsTheDefault() {
        let generator = RandomGenerator(seed: 63)
        let x = randomTensor([3, 8], generator), weight = randomTensor([4, 8], generator)
        #expect(x.linear(weight: weight, bias: nil).scalars == x.linear(weight: weight, bias: nil, precision: .f32).scalars)
        #expect(x.linear(weight: weight, bias: nil).scalars != x.linear(weight: weight, bias: nil, precision: .bf16).scalars)
    }
}
