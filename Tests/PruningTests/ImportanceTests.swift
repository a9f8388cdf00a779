import Datasets
import Models
import NN
import Pruning
import Tensors
import Testing

/// A 2-layer BERT classifier (hidden 16, 2 heads of 8, 32 neurons, 3 classes, no dropout) with random weights,
/// in which head 0 of layer 1 and neuron 5 of layer 0 are dead: their output weights are zero, so nothing they
/// compute reaches the logits and every importance measure but random must give them exactly zero.
func toyClassifier(labels: Int = 3) -> SequenceClassifier {
    var config = ModelConfig(modelType: .bert, hiddenSize: 16, layerCount: 2, headCount: 2, intermediateSize: 32,
                             vocabSize: 50)
    config.maxPositions = 24
    config.id2label = Dictionary(uniqueKeysWithValues: (0..<labels).map { ($0, "class\($0)") })
    if labels == 1 { config.problemType = .regression }
    (config.hiddenDropout, config.attentionDropout, config.classifierDropout) = (0, 0, 0)
    let model = SequenceClassifier(config: config, generator: RandomGenerator(seed: 60))
    let generator = RandomGenerator(seed: 61)
    for (_, tensor) in model.namedParameters() {
        tensor.copy(from: Tensor.normal(tensor.shape, std: 0.5, generator: generator))
    }
    let layers = model.encoder.layers.items.compactMap { $0 as? any PrunableBlock }
    zeroColumns(0..<8, of: layers[1].attention.output.weight)
    zeroColumns(5..<6, of: layers[0].feedForward.output.weight)
    return model
}

/// Sets columns `columns` of a `[rows, columns]` matrix to zero.
func zeroColumns(_ columns: Range<Int>, of matrix: Tensor) {
    let width = matrix.shape[1]
    matrix.withUnsafeMutableBufferPointer { values in
        for row in 0..<matrix.shape[0] { for column in columns { values[row * width + column] = 0 } }
    }
}

/// Eight short sequences over the toy vocabulary, labelled (classes 0-2) or not.
func toyBatcher(labelled: Bool = true, batchSize: Int = 3) throws -> Batcher {
    let examples = (0..<8).map { index in
        let ids = [2] + (0..<(3 + index % 4)).map { Int32(5 + (index * 7 + $0 * 3) % 40) } + [3]
        return TokenizedExample(ids: ids, typeIds: Array(repeating: 0, count: ids.count),
                                label: labelled ? .classIndex(index % 3) : nil, index: index)
    }
    return try Batcher(examples: examples, batchSize: batchSize, padId: 0, maxLength: 24)
}

@Suite struct ImportanceTests {
    /// Dead parts score exactly zero, live ones do not, with and without labels.
    @Test(arguments: ["gradient", "kl"])
    func deadHeadsAndNeuronsScoreZero(measureName: String) throws {
        let model = toyClassifier()
        let measure: any ImportanceMeasure = measureName == "gradient" ? GradientImportance() : KLImportance(reference: toyClassifier())
        let scores = try measure.scores(of: model, on: try toyBatcher(labelled: measure.needsLabels)) { _ in }
        #expect(scores.heads[1][0] == 0 && scores.neurons[0][5] == 0, "\(scores.heads)")
        #expect(scores.heads[0].allSatisfy { $0 > 0 } && scores.heads[1][1] > 0)
        #expect(scores.neurons[0].enumerated().allSatisfy { $0.offset == 5 || $0.element > 0 })
        #expect(scores.neurons[1].allSatisfy { $0 > 0 })
    }

    /// On one example a neuron's gate gradient is Σᵢ Wᵢⱼ ∂L/∂Wᵢⱼ over its output weights (the definition).
    @Test func neuronScoreIsWeightTimesGradientOverItsOutputWeights() throws {
        let model = toyClassifier()
        let batcher = try toyBatcher(batchSize: 1)
        let oneExample = try Batcher(examples: [batcher.examples[2]], batchSize: 1, padId: 0, maxLength: 24)
        let scores = try GradientImportance().scores(of: model, on: oneExample) { _ in }

        model.setTraining(false)
        model.zeroGrad()
        let example = oneExample.examples[0]
        let input = EncoderInput(ids: example.ids, typeIds: example.typeIds,
                                 attentionMask: Array(repeating: 1, count: example.ids.count), batchSize: 1,
                                 sequenceLength: example.ids.count)
        model(input).logits.crossEntropy(targets: [2]).backward()
        for (layer, block) in model.encoder.layers.items.compactMap({ $0 as? any PrunableBlock }).enumerated() {
            let weight = block.feedForward.output.weight
            let (values, gradients) = (weight.scalars, try #require(weight.grad).scalars)
            let width = weight.shape[1]
            for neuron in 0..<width {
                let expected = abs((0..<weight.shape[0]).reduce(0.0) { sum, row in
                    sum + Double(values[row * width + neuron]) * Double(gradients[row * width + neuron])
                })
                // Two float32 backward passes summing in different orders.
                #expect(abs(scores.neurons[layer][neuron] - expected) <= 1e-5 + 1e-3 * expected,
                        "layer \(layer) neuron \(neuron): \(scores.neurons[layer][neuron]) vs \(expected)")
            }
        }
    }

    @Test func randomScoresDependOnTheSeedOnly() throws {
        let batcher = try toyBatcher(labelled: false)
        let first = try RandomImportance(seed: 3).scores(of: toyClassifier(), on: batcher) { _ in }
        #expect(try RandomImportance(seed: 3).scores(of: toyClassifier(), on: batcher) { _ in } == first)
        #expect(try RandomImportance(seed: 4).scores(of: toyClassifier(), on: batcher) { _ in } != first)
        #expect(first.heads.map(\.count) == [2, 2] && first.neurons.map(\.count) == [32, 32])
    }

    @Test func measuresRefuseDataOrHeadsTheyCannotUse() throws {
        #expect(throws: ImportanceError.unlabelledData(measure: "gradient")) {
            try GradientImportance().scores(of: toyClassifier(), on: try toyBatcher(labelled: false)) { _ in }
        }
        let regressor = toyClassifier(labels: 1)
        #expect(throws: ImportanceError.needsClassifier(measure: "kl")) {
            try KLImportance(reference: regressor).scores(of: regressor, on: try toyBatcher(labelled: false)) { _ in }
        }
    }

    @Test func headScoresAreNormalisedPerLayer() {
        let scores = ImportanceScores(heads: [[3, 4], [0, 0]], neurons: [[1]]).normalizingHeadsPerLayer
        #expect(scores.heads == [[0.6, 0.8], [0, 0]] && scores.neurons == [[1]])
    }
}
