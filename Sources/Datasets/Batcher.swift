/// Turns tokenized examples into padded batches.
///
/// Each batch is padded to its own longest example ("dynamic padding"), not to the maximum length, so short
/// batches cost less. Which examples form which batch is decided by an ``EpochPlan``:
///
/// ```swift
/// let batcher = try Batcher(examples: examples, batchSize: 32, padId: 0, maxLength: 128)
/// let plan = batcher.plan(order: .groupedByLength(), seed: 42, epoch: epoch)
/// for batch in batcher.batches(of: plan, from: resumeBatchIndex) { ... }
/// ```
public struct Batcher: Sendable {
    /// The examples, in dataset order.
    public let examples: [TokenizedExample]
    /// The number of examples per batch (the last batch of an epoch may be smaller).
    public let batchSize: Int
    /// The token id written at padding positions.
    public let padId: Int32
    /// The longest example allowed (truncation is the tokenizer's job; this checks it was done).
    public let maxLength: Int

    /// Checks the examples: each must have 1 to `maxLength` tokens, one type id per token, and all must carry
    /// the same kind of label (all class indices, all values, or all unlabelled).
    public init(examples: [TokenizedExample], batchSize: Int, padId: Int32, maxLength: Int) throws(BatchingError) {
        guard batchSize > 0 else { throw .invalidBatchSize(batchSize) }
        for example in examples {
            guard !example.ids.isEmpty else { throw .emptyExample(index: example.index) }
            guard example.length <= maxLength else {
                throw .exampleTooLong(index: example.index, length: example.length, maxLength: maxLength)
            }
            guard example.typeIds.count == example.ids.count else {
                throw .typeIdCountMismatch(index: example.index, ids: example.ids.count, typeIds: example.typeIds.count)
            }
            guard LabelKind(example.label) == LabelKind(examples[0].label) else {
                throw .mixedLabelKinds(index: example.index, firstIndex: examples[0].index)
            }
        }
        self.examples = examples
        self.batchSize = batchSize
        self.padId = padId
        self.maxLength = maxLength
    }

    /// The batch plan for one epoch over these examples.
    public func plan(order: BatchOrder, seed: UInt64, epoch: Int) -> EpochPlan {
        EpochPlan(lengths: examples.map(\.length), batchSize: batchSize, order: order, seed: seed, epoch: epoch)
    }

    /// The batches of `plan` from `batchIndex` on, built lazily one at a time.
    public func batches(of plan: EpochPlan, from batchIndex: Int = 0) -> LazyMapSequence<ArraySlice<[Int]>, Batch> {
        plan.remainingBatches(from: batchIndex).lazy.map { batch(positions: $0) }
    }

    /// The padded batch of the examples at `positions` (indices into ``examples``), in that order.
    public func batch(positions: [Int]) -> Batch {
        precondition(!positions.isEmpty, "a batch needs at least one example")
        let rows = positions.count
        let sequenceLength = positions.map { examples[$0].length }.max() ?? 0
        var ids = [Int32](repeating: padId, count: rows * sequenceLength)
        var typeIds = [Int32](repeating: 0, count: rows * sequenceLength)
        var attentionMask = [Int32](repeating: 0, count: rows * sequenceLength)
        var tokenCount = 0
        ids.withUnsafeMutableBufferPointer { ids in
            typeIds.withUnsafeMutableBufferPointer { typeIds in
                attentionMask.withUnsafeMutableBufferPointer { mask in
                    for (row, position) in positions.enumerated() {
                        let example = examples[position]
                        let rowStart = row * sequenceLength
                        for (column, id) in example.ids.enumerated() { ids[rowStart + column] = id }
                        for (column, typeId) in example.typeIds.enumerated() { typeIds[rowStart + column] = typeId }
                        for column in 0..<example.length { mask[rowStart + column] = 1 }
                        tokenCount += example.length
                    }
                }
            }
        }
        return Batch(
            batchSize: rows, sequenceLength: sequenceLength, ids: ids, typeIds: typeIds,
            attentionMask: attentionMask, labels: labels(positions), exampleIndices: positions.map { examples[$0].index },
            tokenCount: tokenCount)
    }

    private func labels(_ positions: [Int]) -> BatchLabels {
        // `init` checked that all examples carry the same kind of label.
        switch examples[positions[0]].label {
        case .none:
            return .none
        case .classIndex:
            return .classIndices(positions.map {
                if case .classIndex(let index) = examples[$0].label { Int32(index) } else { -1 }
            })
        case .value:
            return .values(positions.map {
                if case .value(let value) = examples[$0].label { value } else { .nan }
            })
        }
    }
}

/// The kind of a label, to check that all examples of a batcher agree.
private enum LabelKind: Equatable {
    case none, classIndex, value

    init(_ label: Label?) {
        switch label {
        case .none: self = .none
        case .classIndex: self = .classIndex
        case .value: self = .value
        }
    }
}

/// Why examples cannot be batched.
public enum BatchingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The batch size is not positive.
    case invalidBatchSize(Int)
    /// The example has no tokens.
    case emptyExample(index: Int)
    /// The example is longer than the maximum length (it should have been truncated by the tokenizer).
    case exampleTooLong(index: Int, length: Int, maxLength: Int)
    /// The example's type ids do not match its ids in number.
    case typeIdCountMismatch(index: Int, ids: Int, typeIds: Int)
    /// The example's label kind (class, value, none) differs from that of the first example.
    case mixedLabelKinds(index: Int, firstIndex: Int)

    public var description: String {
        switch self {
        case .invalidBatchSize(let size):
            return "batch size must be positive, got \(size)"
        case .emptyExample(let index):
            return "example \(index) has no tokens"
        case .exampleTooLong(let index, let length, let maxLength):
            return "example \(index) has \(length) tokens, more than the maximum length \(maxLength)"
        case .typeIdCountMismatch(let index, let ids, let typeIds):
            return "example \(index) has \(ids) token ids but \(typeIds) token type ids"
        case .mixedLabelKinds(let index, let firstIndex):
            return "example \(index) has a different kind of label (class, value or none) than example \(firstIndex)"
        }
    }
}
