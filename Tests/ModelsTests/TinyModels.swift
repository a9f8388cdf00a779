import Models
import NN
import Tensors

/// A small config of either family: 2 layers, hidden 16, 2 heads, FFN 32, 50 words, 24 positions, 3 labels,
/// no dropout.
func tinyConfig(_ type: ModelType) -> ModelConfig {
    var config = ModelConfig(modelType: type, hiddenSize: 16, layerCount: 2, headCount: 2, intermediateSize: 32,
                             vocabSize: 50)
    config.maxPositions = 24
    config.id2label = [0: "negative", 1: "neutral", 2: "positive"]
    config.hiddenDropout = 0
    config.attentionDropout = 0
    config.classifierDropout = 0
    return config
}

/// Gives every parameter random values (fresh biases are zero and layer-norm weights one, which would hide a
/// weight that was not saved or not loaded).
func randomizeParameters(_ model: Module, seed: UInt64) {
    let generator = RandomGenerator(seed: seed)
    for (_, tensor) in model.namedParameters() {
        tensor.copy(from: Tensor.normal(tensor.shape, std: 0.5, generator: generator))
    }
}

/// A padded batch of two sequences over a 50-word vocabulary, the second with two padding positions.
let tinyInput = EncoderInput(ids: [2, 7, 19, 33, 41, 3, 2, 11, 48, 3, 0, 0],
                             typeIds: [0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0],
                             attentionMask: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0], batchSize: 2, sequenceLength: 6)
