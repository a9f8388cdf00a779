/// A padded batch of examples as flat row-major arrays of shape `[batchSize, sequenceLength]`, with the labels
/// its collator attached.
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
    /// The labels (``ClassLabels``, ``RegressionTargets``, ``TokenLabels``, ``SpanLabels``, ...), `nil` for
    /// unlabelled data. Read them with ``labels(as:)``.
    public let labels: (any BatchLabels)?
    /// ``TokenizedExample/index`` of each row.
    public let exampleIndices: [Int]
    /// The number of real (non-padding) tokens.
    public let tokenCount: Int

    /// Creates a batch; the arrays must have `batchSize * sequenceLength` elements.
    public init(
        batchSize: Int, sequenceLength: Int, ids: [Int32], typeIds: [Int32], attentionMask: [Int32],
        labels: (any BatchLabels)?, exampleIndices: [Int], tokenCount: Int
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

    /// `examples` (at least one) padded with `padId` to the longest of them, in order ("dynamic padding").
    public init(padding examples: [TokenizedExample], padId: Int32, labels: (any BatchLabels)?) {
        precondition(!examples.isEmpty, "a batch needs at least one example")
        let rows = examples.count
        let sequenceLength = examples.map(\.length).max() ?? 0
        var ids = [Int32](repeating: padId, count: rows * sequenceLength)
        var typeIds = [Int32](repeating: 0, count: rows * sequenceLength)
        var attentionMask = [Int32](repeating: 0, count: rows * sequenceLength)
        var tokenCount = 0
        for (row, example) in examples.enumerated() {
            let rowStart = row * sequenceLength
            ids.replaceSubrange(rowStart..<rowStart + example.length, with: example.ids)
            typeIds.replaceSubrange(rowStart..<rowStart + example.length, with: example.typeIds)
            attentionMask.replaceSubrange(rowStart..<rowStart + example.length, with: repeatElement(1, count: example.length))
            tokenCount += example.length
        }
        self.init(
            batchSize: rows, sequenceLength: sequenceLength, ids: ids, typeIds: typeIds, attentionMask: attentionMask,
            labels: labels, exampleIndices: examples.map(\.index), tokenCount: tokenCount)
    }

    /// The labels if they are of kind `kind`, else `nil`.
    public func labels<Labels: BatchLabels>(as kind: Labels.Type) -> Labels? {
        labels as? Labels
    }

    public static func == (lhs: Batch, rhs: Batch) -> Bool {
        lhs.batchSize == rhs.batchSize && lhs.sequenceLength == rhs.sequenceLength && lhs.ids == rhs.ids
            && lhs.typeIds == rhs.typeIds && lhs.attentionMask == rhs.attentionMask
            && lhs.exampleIndices == rhs.exampleIndices && lhs.tokenCount == rhs.tokenCount
            && (lhs.labels.map { $0.isEqual(to: rhs.labels) } ?? (rhs.labels == nil))
    }
}
