import NN
import Tensors

/// Word + position (+ token type) embeddings, then LayerNorm and dropout (BERT's and DistilBERT's input layer;
/// token types when the config has any).
public final class Embeddings: Module {
    public let words: Embedding
    public let positions: Embedding
    /// Absent in DistilBERT.
    public let tokenTypes: Embedding?
    public let layerNorm: LayerNorm
    let dropout: Dropout

    public init(config: ModelConfig, generator: RandomGenerator) {
        // transformers gives the padding token's row no gradient (`padding_idx`).
        let padding = config.padTokenId.flatMap { (0..<config.vocabSize).contains($0) ? Int32($0) : nil }
        words = Embedding(count: config.vocabSize, dimension: config.hiddenSize, std: Float(config.initializerRange),
                          paddingIndex: padding, generator: generator)
        positions = Embedding(count: config.maxPositions, dimension: config.hiddenSize, std: Float(config.initializerRange), generator: generator)
        tokenTypes = config.typeVocabSize > 0
            ? Embedding(count: config.typeVocabSize, dimension: config.hiddenSize, std: Float(config.initializerRange), generator: generator)
            : nil
        layerNorm = LayerNorm(size: config.hiddenSize, eps: Float(config.layerNormEps))
        dropout = Dropout(probability: Float(config.hiddenDropout), generator: generator)
    }

    public override var children: [(name: String, module: Module)] {
        [("word_embeddings", words), ("position_embeddings", positions)]
            + (tokenTypes.map { [("token_type_embeddings", $0)] } ?? [])
            + [("LayerNorm", layerNorm), ("", dropout)]
    }

    public func callAsFunction(_ input: EncoderInput) -> Tensor {
        let shape = [input.batchSize, input.sequenceLength]
        precondition(input.sequenceLength <= positions.weight.shape[0],
                     "sequence of \(input.sequenceLength) tokens exceeds the model's \(positions.weight.shape[0]) positions")
        var sum = words(input.ids, shape: shape)
            + positions(Array(0..<Int32(input.sequenceLength)), shape: [1, input.sequenceLength])
        if let tokenTypes {
            sum = sum + tokenTypes(input.typeIds ?? Array(repeating: 0, count: input.ids.count), shape: shape)
        }
        return dropout(layerNorm(sum))
    }
}

/// BERT's pooler: tanh(W · h[CLS] + b).
public final class Pooler: Module {
    public let dense: Linear

    public init(config: ModelConfig, generator: RandomGenerator) {
        dense = Linear(inputSize: config.hiddenSize, outputSize: config.hiddenSize, std: Float(config.initializerRange), generator: generator)
    }

    public override var children: [(name: String, module: Module)] { [("dense", dense)] }

    /// `hidden` is `[batch, seq, hidden]`; the result is `[batch, hidden]`.
    public func callAsFunction(_ hidden: Tensor) -> Tensor {
        dense(hidden.slice(axis: 1, 0..<1).reshaped([hidden.shape[0], hidden.shape[2]])).tanh()
    }
}
