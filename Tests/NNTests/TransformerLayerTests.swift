import Foundation
import NN
import TestSupport
import Testing
import Tensors

/// A post-LN encoder layer written out with plain loops in Double, reading the weights of a `TransformerLayer`.
struct ReferenceLayer {
    let layer: TransformerLayer
    let batch: Int, seq: Int, hidden: Int, heads: Int

    func linear(_ x: [Double], _ module: Linear) -> [Double] {
        let (inputs, outputs) = (module.inputSize, module.outputSize)
        let w = module.weight.scalars, b = module.bias?.scalars
        return (0..<(x.count / inputs)).flatMap { row in
            (0..<outputs).map { o in
                (0..<inputs).reduce(Double(b?[o] ?? 0)) { $0 + x[row * inputs + $1] * Double(w[o * inputs + $1]) }
            }
        }
    }

    func layerNorm(_ x: [Double], _ module: LayerNorm) -> [Double] {
        let n = module.weight.count, w = module.weight.scalars, b = module.bias.scalars
        return (0..<(x.count / n)).flatMap { row in
            let values = x[(row * n)..<(row * n + n)]
            let mean = values.reduce(0, +) / Double(n)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
            return values.indices.map { (x[$0] - mean) / (variance + Double(module.eps)).squareRoot() * Double(w[$0 - row * n]) + Double(b[$0 - row * n]) }
        }
    }

    func activation(_ x: Double) -> Double {
        switch layer.feedForward.activation {
        case .gelu: 0.5 * x * (1 + Foundation.erf(x / 2.squareRoot()))
        case .geluTanh: 0.5 * x * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
        case .relu: max(0, x)
        case .silu: x / (1 + Foundation.exp(-x))
        }
    }

    /// Output hidden states and post-softmax probabilities `[batch, heads, seq, seq]`.
    func callAsFunction(_ x: [Double], mask: [Float]?) -> (hidden: [Double], probabilities: [Double]) {
        let attention = layer.attention
        let q = linear(x, attention.query), k = linear(x, attention.key), v = linear(x, attention.value)
        let d = attention.headSize, width = heads * d
        var context = [Double](repeating: 0, count: batch * seq * width)
        var probabilities = [Double](repeating: 0, count: batch * heads * seq * seq)
        for b in 0..<batch { for h in 0..<heads { for i in 0..<seq {
            let scores = (0..<seq).map { j in
                (0..<d).reduce(0.0) { $0 + q[(b * seq + i) * width + h * d + $1] * k[(b * seq + j) * width + h * d + $1] }
                    / Double(d).squareRoot() + Double(mask?[b * seq + j] ?? 0)
            }
            let top = scores.max() ?? 0
            let exps = scores.map { Foundation.exp($0 - top) }
            let total = exps.reduce(0, +)
            for j in 0..<seq {
                let p = exps[j] / total
                probabilities[((b * heads + h) * seq + i) * seq + j] = p
                for e in 0..<d { context[(b * seq + i) * width + h * d + e] += p * v[(b * seq + j) * width + h * d + e] }
            }
        } } }
        let attended = layerNorm(zip(x, linear(context, attention.output)).map(+), layer.attentionLayerNorm)
        let inner = linear(attended, layer.feedForward.intermediate).map(activation)
        let output = layerNorm(zip(attended, linear(inner, layer.feedForward.output)).map(+), layer.outputLayerNorm)
        return (output, probabilities)
    }
}

@Suite struct TransformerLayerTests {
    static let (batch, seq, hidden) = (2, 4, 8)

    static func makeLayer(activation: FeedForwardActivation = .gelu, naming: TransformerLayerNaming = .bert) -> TransformerLayer {
        let layer = TransformerLayer(shape: smallLayerShape(activation: activation), naming: naming,
                                     generator: RandomGenerator(seed: 10))
        randomizeParameters(of: layer, seed: 11)
        layer.setTraining(false)
        return layer
    }

    static func input(requiresGrad: Bool = false) -> Tensor {
        let x = Tensor.normal([batch, seq, hidden], std: 1, generator: RandomGenerator(seed: 12))
        x.requiresGrad = requiresGrad
        return x
    }

    @Test(arguments: [FeedForwardActivation.gelu, .geluTanh, .relu, .silu])
    func forwardMatchesReference(activation: FeedForwardActivation) {
        let layer = Self.makeLayer(activation: activation)
        let x = Self.input(), mask = paddingMask(sequenceLength: Self.seq, padding: [0, 2])
        let reference = ReferenceLayer(layer: layer, batch: Self.batch, seq: Self.seq, hidden: Self.hidden, heads: 2)
        let expected = reference(x.scalars.map(Double.init), mask: mask.scalars)
        let output = layer(x, maskBias: mask, keepAttention: true)
        #expect(output.hidden.shape == [Self.batch, Self.seq, Self.hidden])
        expectClose(output.hidden.scalars, expected.hidden, relative: 1e-4, absolute: 1e-4, "hidden")
        expectClose(output.attentionProbabilities?.scalars ?? [], expected.probabilities, relative: 1e-4,
                    absolute: 1e-6, "probabilities")
        // Without gradient recording the GELU layer takes the fused oneDNN path; the result must not change.
        let inference = withoutGrad { layer(x, maskBias: mask).hidden }
        expectClose(inference.scalars, expected.hidden, relative: 1e-4, absolute: 1e-4, "inference")
    }

    /// A pruned layer: 3 heads of width 2 (6 wide, not the hidden 8) and 5 feed-forward features. The head size
    /// comes from the shape, not from the input width.
    @Test func prunedShapeMatchesReference() {
        var shape = smallLayerShape()
        (shape.headCount, shape.headSize, shape.intermediateSize) = (3, 2, 5)
        let layer = TransformerLayer(shape: shape, naming: .bert, generator: RandomGenerator(seed: 13))
        randomizeParameters(of: layer, seed: 14)
        layer.setTraining(false)
        #expect(layer.attention.query.weight.shape == [6, 8] && layer.attention.output.weight.shape == [8, 6])
        #expect(layer.feedForward.intermediate.weight.shape == [5, 8])
        let x = Self.input(), mask = paddingMask(sequenceLength: Self.seq, padding: [0, 2])
        let reference = ReferenceLayer(layer: layer, batch: Self.batch, seq: Self.seq, hidden: Self.hidden, heads: 3)
        let expected = reference(x.scalars.map(Double.init), mask: mask.scalars)
        let output = layer(x, maskBias: mask, keepAttention: true)
        #expect(output.attentionProbabilities?.shape == [Self.batch, 3, Self.seq, Self.seq])
        expectClose(output.hidden.scalars, expected.hidden, relative: 1e-4, absolute: 1e-4, "hidden")
        expectClose(output.attentionProbabilities?.scalars ?? [], expected.probabilities, relative: 1e-4,
                    absolute: 1e-6, "probabilities")
    }

    @Test func forwardWithoutMask() {
        let layer = Self.makeLayer(naming: .distilBert)
        let x = Self.input()
        let reference = ReferenceLayer(layer: layer, batch: Self.batch, seq: Self.seq, hidden: Self.hidden, heads: 2)
        expectClose(layer(x, maskBias: nil).hidden.scalars, reference(x.scalars.map(Double.init), mask: nil).hidden,
                    relative: 1e-4, absolute: 1e-4)
    }

    /// `attentionScores` are the pre-softmax scores with the mask added; padded keys get no probability.
    @Test func keptAttention() throws {
        let layer = Self.makeLayer()
        let mask = paddingMask(sequenceLength: Self.seq, padding: [1, 3])
        let output = layer(Self.input(), maskBias: mask, keepAttention: true)
        let scores = try #require(output.attentionScores), probabilities = try #require(output.attentionProbabilities)
        #expect(scores.shape == [2, 2, 4, 4] && probabilities.shape == [2, 2, 4, 4])
        let recomputed = scores.softmax()
        expectClose(recomputed.scalars, probabilities.scalars.map(Double.init), relative: 1e-5, absolute: 1e-7)
        let p = probabilities.scalars
        for row in 0..<16 {
            let values = p[(row * 4)..<(row * 4 + 4)]
            #expect(abs(values.reduce(0, +) - 1) < 1e-5)
            let padded = row < 8 ? 1 : 3
            #expect(values.suffix(padded).allSatisfy { $0 < 1e-6 }, "row \(row) attends to padding")
        }
        #expect(layer(Self.input(), maskBias: mask).attentionScores == nil)
    }

    /// Every parameter's gradient (and the input's) through the whole layer, including the masked softmax.
    @Test(arguments: [FeedForwardActivation.gelu, .geluTanh, .relu, .silu])
    func gradientsOfEveryParameter(activation: FeedForwardActivation) {
        let layer = Self.makeLayer(activation: activation)
        let x = Self.input(requiresGrad: true), mask = paddingMask(sequenceLength: Self.seq, padding: [0, 1])
        // A step small enough that no ReLU input crosses zero along the way.
        let checks = directionalDerivatives(of: layer.namedParameters() + [("input", x)], step: 1e-3) {
            layer(x, maskBias: mask).hidden
        }
        #expect(checks.count == 17)
        for check in checks {
            #expect(isClose(check.autograd, check.finiteDifference, relative: 3e-3, absolute: 1e-3), "\(check)")
        }
    }

    /// With bf16 weights and bf16 attention products, Q, K, V, the probabilities and the context pass between the
    /// products in bf16. That changes no value: the output is exactly that of rounding the f32 probabilities and
    /// context when they are read (the path `keepAttention` keeps, which returns f32 probabilities), and within
    /// bf16 rounding of the f32 reference.
    @Test(.enabled(if: MatmulPrecision.bf16.missingSupport() == nil, "this CPU lacks AVX512-BF16"))
    func bf16ActivationsBetweenProducts() throws {
        let layer = Self.makeLayer()
        let x = Self.input(), mask = paddingMask(sequenceLength: Self.seq, padding: [0, 2])
        let expected = ReferenceLayer(layer: layer, batch: Self.batch, seq: Self.seq, hidden: Self.hidden, heads: 2)(
            x.scalars.map(Double.init), mask: mask.scalars).hidden
        for case (let name, let linear as Linear) in layer.namedModules() {
            linear.quantize(into: BF16Linear(converting: linear.weight))
            try linear.prepareQuantized(name: name)
        }
        layer.setAttentionProductPrecision(.bf16)
        let chained = layer(x, maskBias: mask).hidden
        #expect(chained.elementType == .f32)
        #expect(chained.scalars == layer(x, maskBias: mask, keepAttention: true).hidden.scalars)
        // Outputs of LayerNorm are O(1) and every product reads operands rounded by up to 2⁻⁹: 0.007 observed.
        expectClose(chained.scalars, expected, relative: 0, absolute: 0.02, "bf16 layer")
    }
}
