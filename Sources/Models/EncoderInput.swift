import Tensors

/// A padded batch of token ids, as a tokenizer or a data batcher produces it (row-major `[batch, seq]`).
public struct EncoderInput: Sendable {
    public var ids: [Int32]
    public var typeIds: [Int32]?
    /// 1 for tokens, 0 for padding.
    public var attentionMask: [Int32]
    public var batchSize: Int
    public var sequenceLength: Int

    public init(ids: [Int32], typeIds: [Int32]? = nil, attentionMask: [Int32]? = nil, batchSize: Int, sequenceLength: Int) {
        precondition(ids.count == batchSize * sequenceLength, "\(ids.count) ids for a \(batchSize) x \(sequenceLength) batch")
        self.ids = ids
        self.typeIds = typeIds
        self.attentionMask = attentionMask ?? Array(repeating: 1, count: ids.count)
        self.batchSize = batchSize
        self.sequenceLength = sequenceLength
    }

    /// The additive attention mask `[batch, seq]`: 0 where attended, the most negative float where padded
    /// (what Hugging Face adds to the scores, `torch.finfo(float32).min`).
    public var maskBias: Tensor {
        Tensor(shape: [batchSize, sequenceLength], values: attentionMask.map { $0 == 0 ? -Float.greatestFiniteMagnitude : 0 })
    }
}

/// Which intermediate results a forward pass keeps (all of them cost memory).
public struct EncoderOutputOptions: Sendable {
    public var hiddenStates = false
    public var attentions = false

    public init(hiddenStates: Bool = false, attentions: Bool = false) {
        self.hiddenStates = hiddenStates
        self.attentions = attentions
    }

    public static let all = EncoderOutputOptions(hiddenStates: true, attentions: true)
}

/// The encoder's results: the last hidden state, and on request every layer's hidden states and attention.
public struct EncoderOutput {
    /// `[batch, seq, hidden]`.
    public var lastHidden: Tensor
    /// Embedding output first, then each layer's output (`hidden_states` in transformers).
    public var hiddenStates: [Tensor] = []
    /// Per layer, post-softmax `[batch, heads, seq, seq]` (`attentions` in transformers).
    public var attentionProbabilities: [Tensor] = []
    /// Per layer, the scores before softmax with the mask added (TinyBERT's attention targets).
    public var attentionScores: [Tensor] = []
    /// tanh(W · h[CLS] + b) for BERT models that have a pooler.
    public var pooled: Tensor?
}
