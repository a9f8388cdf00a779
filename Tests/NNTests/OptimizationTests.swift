import Foundation
import NN
import TestSupport
import Testing
import Tensors

/// torch.optim.AdamW's update written out in Double.
struct ReferenceAdamW {
    var parameters: [Double]
    var m: [Double], v: [Double]
    var step = 0
    let beta1 = 0.9, beta2 = 0.999, eps = 1e-8

    init(_ parameters: [Float]) {
        self.parameters = parameters.map(Double.init)
        m = Array(repeating: 0, count: parameters.count)
        v = m
    }

    mutating func update(gradient: [Float], learningRate: Double, weightDecay: Double) {
        step += 1
        let bias1 = 1 - pow(beta1, Double(step)), bias2 = 1 - pow(beta2, Double(step))
        for i in parameters.indices {
            let g = Double(gradient[i])
            parameters[i] *= 1 - learningRate * weightDecay
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g * g
            parameters[i] -= learningRate / bias1 * m[i] / (v[i].squareRoot() / bias2.squareRoot() + eps)
        }
    }
}

@Suite struct AdamWTests {
    /// Gradients of very different sizes, so that eps, the bias corrections and the decay all show.
    static func gradient(step: Int, count: Int) -> [Float] {
        let generator = RandomGenerator(seed: UInt64(100 + step))
        return (0..<count).map { i in generator.normal() * [1, 1e-3, 1e-6, 10][i % 4] }
    }

    @Test(arguments: [1, 3])
    func matchesTorchFormula(steps: Int) {
        let generator = RandomGenerator(seed: 30)
        let decayed = Tensor.normal([3, 4], std: 1, generator: generator)
        let exempt = Tensor.normal([5], std: 1, generator: generator)
        var referenceDecayed = ReferenceAdamW(decayed.scalars), referenceExempt = ReferenceAdamW(exempt.scalars)
        let optimizer = AdamW(groups: [
            AdamW.Group(parameters: [("w", decayed)], weightDecay: 0.1),
            AdamW.Group(parameters: [("b", exempt)], weightDecay: 0),
        ], learningRate: 0)
        for step in 1...steps {
            let rate = 0.01 * Double(step)  // a changing rate, as under a schedule
            optimizer.learningRate = Float(rate)
            let gradients = (Self.gradient(step: step, count: 12), Self.gradient(step: step + 50, count: 5))
            decayed.grad = Tensor(shape: [3, 4], values: gradients.0)
            exempt.grad = Tensor(shape: [5], values: gradients.1)
            optimizer.update()
            referenceDecayed.update(gradient: gradients.0, learningRate: rate, weightDecay: 0.1)
            referenceExempt.update(gradient: gradients.1, learningRate: rate, weightDecay: 0)
        }
        #expect(optimizer.step == steps)
        expectClose(decayed.scalars, referenceDecayed.parameters, relative: 1e-5, absolute: 1e-6, "decayed group")
        expectClose(exempt.scalars, referenceExempt.parameters, relative: 1e-5, absolute: 1e-6, "exempt group")
        expectClose(optimizer.firstMoments["w"]?.scalars ?? [], referenceDecayed.m, relative: 1e-5, absolute: 1e-12, "m")
        // β₂ = 0.999 is 0.99900001 in Float, so 1 − β₂ is 1.3e-5 small; the bias correction 1 − β₂ᵗ shares the
        // error, which is why the parameters above still match to 1e-5.
        expectClose(optimizer.secondMoments["w"]?.scalars ?? [], referenceDecayed.v, relative: 3e-5, absolute: 1e-14, "v")
    }

    @Test func parametersWithoutGradientsAreLeftAlone() {
        let p = Tensor(shape: [2], values: [1, 2]), q = Tensor(shape: [2], values: [3, 4])
        q.grad = Tensor(shape: [2], values: [1, 1])
        let optimizer = AdamW(groups: [AdamW.Group(parameters: [("p", p), ("q", q)], weightDecay: 0.5)], learningRate: 0.1)
        optimizer.update()
        #expect(p.scalars == [1, 2])
        #expect(optimizer.firstMoments["p"] == nil)
        #expect(q.scalars != [3, 4])
    }

    /// A tied weight listed under two names (the MLM decoder and the word embeddings) moves once per step.
    @Test func tiedWeightIsUpdatedOnce() {
        let tied = Tensor(shape: [2], values: [1, 1]), alone = Tensor(shape: [2], values: [1, 1])
        for t in [tied, alone] { t.grad = Tensor(shape: [2], repeating: 1) }
        let groups = [AdamW.Group(parameters: [("embeddings", tied), ("decoder", tied)], weightDecay: 0),
                      AdamW.Group(parameters: [("decoder.again", tied), ("alone", alone)], weightDecay: 0)]
        AdamW(groups: groups, learningRate: 1e-3).update()
        #expect(tied.scalars == alone.scalars)
        #expect(clipGradientNorm([tied, tied, alone], maxNorm: 100) == Float(4).squareRoot())
    }

    /// Restoring the moments and the step count continues exactly where an uninterrupted run would be.
    @Test func restoreResumes() {
        let initial: [Float] = [0.5, -1, 2]
        let straight = Tensor(shape: [3], values: initial), resumed = Tensor(shape: [3], values: initial)
        let first = AdamW(groups: [AdamW.Group(parameters: [("p", straight)], weightDecay: 0.01)], learningRate: 0.05)
        for step in 1...2 {
            straight.grad = Tensor(shape: [3], values: Self.gradient(step: step, count: 3))
            first.update()
        }
        resumed.copy(from: straight)
        let second = AdamW(groups: [AdamW.Group(parameters: [("p", resumed)], weightDecay: 0.01)], learningRate: 0.05)
        second.restore(step: first.step, firstMoments: first.firstMoments.mapValues { $0.clone() },
                       secondMoments: first.secondMoments.mapValues { $0.clone() })
        for optimizer in [first, second] {
            for parameter in [straight, resumed] { parameter.grad = Tensor(shape: [3], values: Self.gradient(step: 3, count: 3)) }
            optimizer.update()
        }
        #expect(resumed.scalars == straight.scalars)
        #expect(second.step == 3)
    }

    /// A model of every parameter kind under the names the old name rule knew; the modules' declarations, not
    /// the names, put the biases and LayerNorm parameters in the exempt group.
    final class Kinds: Module {
        let generator = RandomGenerator(seed: 32)
        lazy var words = Embedding(count: 3, dimension: 2, generator: generator)
        lazy var query = Linear(inputSize: 2, outputSize: 2, generator: generator)
        lazy var attentionNorm = LayerNorm(size: 2, eps: 1e-12)
        lazy var embeddingNorm = LayerNorm(size: 2, eps: 1e-12)
        lazy var classifier = Linear(inputSize: 2, outputSize: 2, generator: generator)

        override var children: [(name: String, module: Module)] {
            [("embeddings.word_embeddings", words), ("encoder.layer.0.attention.self.query", query),
             ("encoder.layer.0.attention.output.LayerNorm", attentionNorm), ("embeddings.LayerNorm", embeddingNorm),
             ("classifier", classifier)]
        }
    }

    @Test func bertGroupsExemptBiasesAndLayerNorms() {
        let model = Kinds()
        let groups = AdamW.bertGroups(of: model, weightDecay: 0.01)
        #expect(groups.count == 2)
        #expect(groups[0].weightDecay == 0.01 && groups[1].weightDecay == 0)
        #expect(groups[0].parameters.map(\.name) == ["embeddings.word_embeddings.weight",
                                                     "encoder.layer.0.attention.self.query.weight", "classifier.weight"])
        #expect(groups[1].parameters.map(\.name) == [
            "encoder.layer.0.attention.self.query.bias", "encoder.layer.0.attention.output.LayerNorm.weight",
            "encoder.layer.0.attention.output.LayerNorm.bias", "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias",
            "classifier.bias"])
    }

    /// Only the modules' declarations count: a bias named like a weight is still exempt, and parameters of
    /// modules not passed in are decayed.
    @Test func exemptionFollowsTheModuleNotTheName() {
        let norm = LayerNorm(size: 2, eps: 1e-12)
        let renamed = [("dense.weight", norm.bias), ("dense.kernel", norm.weight)]
        #expect(AdamW.bertGroups(renamed, weightDecay: 0.1, modules: [norm])[1].parameters.count == 2)
        #expect(AdamW.bertGroups(renamed, weightDecay: 0.1, modules: [])[0].parameters.count == 2)
    }

    /// The groups a whole layer gets: the 8 weights of its 4 + 2 linear maps... and no LayerNorm weight.
    @Test func bertGroupsOfALayer() {
        let layer = TransformerLayer(shape: smallLayerShape(), naming: .distilBert, generator: RandomGenerator(seed: 31))
        let groups = AdamW.bertGroups(of: layer, weightDecay: 0.01)
        #expect(groups[0].parameters.map(\.name) == ["attention.q_lin.weight", "attention.k_lin.weight", "attention.v_lin.weight",
                                                     "attention.out_lin.weight", "ffn.lin1.weight", "ffn.lin2.weight"])
        #expect(groups[1].parameters.count == 10)
    }
}

@Suite struct ScheduleAndClippingTests {
    @Test func linearWarmupSchedule() {
        let schedule = LinearWarmupSchedule(peak: 1e-3, warmupSteps: 10, totalSteps: 110)
        let expected: [(Int, Float)] = [(0, 0), (1, 1e-4), (5, 5e-4), (10, 1e-3), (11, 0.99e-3), (60, 5e-4), (109, 1e-5),
                                        (110, 0), (200, 0)]
        for (step, rate) in expected {
            #expect(abs(schedule.rate(atStep: step) - rate) <= 1e-9, "step \(step): \(schedule.rate(atStep: step))")
        }
        let noWarmup = LinearWarmupSchedule(peak: 2, warmupSteps: 0, totalSteps: 4)
        #expect([0, 1, 2, 3, 4].map(noWarmup.rate(atStep:)) == [2, 1.5, 1, 0.5, 0])
    }

    @Test func clipScalesToTheMaxNorm() {
        let a = Tensor(shape: [2], values: [0, 0]), b = Tensor(shape: [1], values: [0]), frozen = Tensor(shape: [1], values: [0])
        a.grad = Tensor(shape: [2], values: [3, 0])
        b.grad = Tensor(shape: [1], values: [-4])
        let norm = clipGradientNorm([a, b, frozen], maxNorm: 1)
        #expect(abs(norm - 5) < 1e-6)
        let scale = 1 / (5 + 1e-6)
        expectClose(a.grad?.scalars ?? [], [3 * scale, 0], relative: 1e-6, absolute: 0)
        expectClose(b.grad?.scalars ?? [], [-4 * scale], relative: 1e-6, absolute: 0)
        #expect(frozen.grad == nil)
    }

    @Test func clipLeavesSmallGradientsAlone() {
        let a = Tensor(shape: [2], values: [0, 0])
        a.grad = Tensor(shape: [2], values: [0.3, 0.4])
        #expect(abs(clipGradientNorm([a], maxNorm: 1) - 0.5) < 1e-7)
        #expect(a.grad?.scalars == [0.3, 0.4])
    }
}
