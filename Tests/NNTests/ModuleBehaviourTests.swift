import NN
import TestSupport
import Testing
import Tensors

@Suite struct ModuleBehaviourTests {
    static func makeLayer() -> TransformerLayer {
        TransformerLayer(shape: smallLayerShape(dropout: 0.3), naming: .bert, generator: RandomGenerator(seed: 20))
    }

    static let input = Tensor.normal([2, 3, 8], std: 1, generator: RandomGenerator(seed: 21))

    @Test func setTrainingReachesEveryModule() {
        let layer = Self.makeLayer()
        #expect(layer.namedModules().allSatisfy { $0.module.isTraining })
        layer.setTraining(false)
        #expect(layer.namedModules().allSatisfy { !$0.module.isTraining })
        layer.setTraining(true)
        #expect(layer.namedModules().allSatisfy { $0.module.isTraining })
    }

    @Test func evaluationIsDeterministicAndTrainingUsesDropout() {
        let layer = Self.makeLayer()
        layer.setTraining(false)
        let first = layer(Self.input, maskBias: nil).hidden.scalars
        #expect(layer(Self.input, maskBias: nil).hidden.scalars == first)
        layer.setTraining(true)
        let trained = layer(Self.input, maskBias: nil).hidden.scalars
        #expect(trained != first)
        #expect(layer(Self.input, maskBias: nil).hidden.scalars != trained, "a fresh mask on each call")
    }

    @Test func dropoutModule() {
        let dropout = Dropout(probability: 0.5, generator: RandomGenerator(seed: 22))
        let x = Tensor(shape: [1000], repeating: 1)
        let trained = dropout(x).scalars
        #expect(Set(trained) == [0, 2])
        dropout.setTraining(false)
        #expect(dropout(x) === x)
    }

    @Test func freezeStopsGradients() {
        let layer = Self.makeLayer()
        layer.setTraining(false)
        layer.freeze(where: { $0.contains("LayerNorm") })
        #expect(layer.trainableParameters().count == 12)
        layer(Self.input, maskBias: nil).hidden.sum().backward()
        for (name, tensor) in layer.namedParameters() {
            #expect((tensor.grad == nil) == name.contains("LayerNorm"), "\(name)")
        }
        layer.zeroGrad()
        #expect(layer.namedParameters().allSatisfy { $0.tensor.grad == nil })

        layer.freeze()
        #expect(layer.trainableParameters().isEmpty)
        let output = layer(Self.input, maskBias: nil).hidden
        #expect(!output.requiresGrad, "nothing to differentiate, nothing recorded")

        layer.freeze(false)
        #expect(layer.trainableParameters().count == 16)
    }

    @Test func parameterCount() {
        let layer = Self.makeLayer()
        let (h, i) = (8, 12)
        #expect(layer.parameterCount == 4 * (h * h + h) + 2 * 2 * h + (h * i + i) + (i * h + h))
        #expect(layer.parameterCount == layer.namedParameters().reduce(0) { $0 + $1.tensor.count })
    }

    /// A tensor reachable under two names (tied weights) is counted once.
    @Test func sharedParametersAreCountedOnce() {
        let generator = RandomGenerator(seed: 23)
        let embedding = Embedding(count: 10, dimension: 4, generator: generator)
        let decoder = Linear(inputSize: 4, outputSize: 10, bias: false, generator: generator)
        decoder.weight = embedding.weight
        let tied = ModuleList<Module>([embedding, decoder])
        #expect(tied.namedParameters().map(\.name) == ["0.weight", "1.weight"])
        #expect(tied.parameterCount == 40)
    }

    @Test func linearWithGELU() {
        let generator = RandomGenerator(seed: 24)
        let linear = Linear(inputSize: 6, outputSize: 5, std: 0.5, generator: generator)
        let x = Tensor.normal([3, 6], std: 1, generator: generator)
        let expected = linear(x).gelu().scalars.map(Double.init)
        let recorded = linear.withGELU(x)
        #expect(recorded.requiresGrad)
        expectClose(recorded.scalars, expected)
        let fused = withoutGrad { linear.withGELU(x) }
        #expect(!fused.requiresGrad)
        expectClose(fused.scalars, expected, relative: 1e-5, absolute: 2e-6)
    }

    @Test func embeddingLooksUpRows() {
        let embedding = Embedding(count: 5, dimension: 3, generator: RandomGenerator(seed: 25))
        let rows = embedding([4, 0, 4, 1], shape: [2, 2])
        #expect(rows.shape == [2, 2, 3])
        let table = embedding.weight.scalars
        let expected: [Float] = [4, 0, 4, 1].flatMap { (row: Int) in table[(row * 3)..<(row * 3 + 3)] }
        #expect(rows.scalars == expected)
        rows.sum().backward()
        #expect(embedding.weight.grad?.scalars == [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 2, 2, 2])
    }

    /// The padding row is looked up like any other but gets no gradient (PyTorch's `padding_idx`).
    @Test func paddingRowGetsNoGradient() {
        let embedding = Embedding(count: 4, dimension: 2, paddingIndex: 0, generator: RandomGenerator(seed: 26))
        let rows = embedding([2, 0, 2, 3], shape: [4])
        let table = embedding.weight.scalars
        #expect(rows.scalars == [2, 0, 2, 3].flatMap { (row: Int) in table[(row * 2)..<(row * 2 + 2)] })
        rows.sum().backward()
        #expect(embedding.weight.grad?.scalars == [0, 0, 0, 0, 2, 2, 1, 1])
        #expect(withoutGrad { embedding([0], shape: [1]) }.scalars == Array(table[0..<2]))
    }

    /// Linear biases and both LayerNorm parameters declare themselves exempt from weight decay; weights do not.
    @Test func modulesDeclareTheirDecayExemptions() {
        let layer = Self.makeLayer()
        let exempt = layer.parametersExemptFromDecay()
        for (name, tensor) in layer.namedParameters() {
            let isExempt = name.hasSuffix(".bias") || name.contains("LayerNorm")
            #expect(exempt.contains(ObjectIdentifier(tensor)) == isExempt, "\(name)")
        }
    }

    @Test func layerNormModuleStartsAsIdentityScale() {
        let norm = LayerNorm(size: 4, eps: 1e-5)
        #expect(norm.weight.scalars == [1, 1, 1, 1] && norm.bias.scalars == [0, 0, 0, 0])
        let y = norm(Tensor(shape: [1, 4], values: [1, 2, 3, 4]))
        let s = (1.25 + 1e-5).squareRoot()
        expectClose(y.scalars, [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s])
    }
}
