/// A padded batch of examples as flat row-major arrays of shape `[batchSize, sequenceLength]`.
public struct Batch: Sendable, Equatable {
    /// The number of examples (rows).
    public let batchSize: Int
    /// The padded length: the longest example in the batch.
    public let sequenceLength: Int
    /// Token ids; padding positions hold the pad id.
    public let ids: [Int32]
    /// Token type ids; 0 at padding positions.
    public let typeIds: [Int32]
    /// 1 for real tokens, 0 for padding.
    public let attentionMask: [Int32]
    /// The examples' labels.
    public let labels: BatchLabels
    /// ``TokenizedExample/index`` of each row.
    public let exampleIndices: [Int]
    /// The number of real (non-padding) tokens.
    public let tokenCount: Int

    /// Creates a batch; the arrays must have `batchSize * sequenceLength` elements.
    public init(
        batchSize: Int, sequenceLength: Int, ids: [Int32], typeIds: [Int32], attentionMask: [Int32],
        labels: BatchLabels, exampleIndices: [Int], tokenCount: Int
    ) {
        precondition(ids.count == batchSize * sequenceLength && typeIds.count == ids.count
            && attentionMask.count == ids.count && exampleIndices.count == batchSize)
        self.batchSize = batchSize
        self.sequenceLength = sequenceLength
        self.ids = ids
        self.typeIds = typeIds
        self.attentionMask = attentionMask
        self.labels = labels
        self.exampleIndices = exampleIndices
        self.tokenCount = tokenCount
    }
}

/// The labels of a batch, one per row.
public enum BatchLabels: Sendable, Equatable {
    /// The examples are unlabelled.
    case none
    /// Class indices, for classification.
    case classIndices([Int32])
    /// Real-valued targets, for regression.
    case values([Float])
}
