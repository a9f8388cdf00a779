/// Groups tokenized examples into batches: which examples form which batch comes from an ``EpochPlan``, how
/// they become a ``Batch`` from a ``Collator`` (by default ``PaddingCollator``: each batch padded to its own
/// longest example, "dynamic padding", so short batches cost less).
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
    /// The longest example allowed (truncation is the tokenizer's job; this checks it was done).
    public let maxLength: Int
    /// Makes the batches.
    public let collator: any Collator

    /// Checks the examples: each must have 1 to `maxLength` tokens, one type id per token, and the labelled ones
    /// must carry the same kind of label (all class indices or all values). Unlabelled examples may sit among
    /// labelled ones: distillation trains on the teacher's outputs alone there.
    public init(examples: [TokenizedExample], batchSize: Int, maxLength: Int, collator: any Collator) throws(BatchingError) {
        guard batchSize > 0 else { throw .invalidBatchSize(batchSize) }
        let firstLabelled = examples.first { $0.label != nil }
        for example in examples {
            guard !example.ids.isEmpty else { throw .emptyExample(index: example.index) }
            guard example.length <= maxLength else {
                throw .exampleTooLong(index: example.index, length: example.length, maxLength: maxLength)
            }
            guard example.typeIds.count == example.ids.count else {
                throw .typeIdCountMismatch(index: example.index, ids: example.ids.count, typeIds: example.typeIds.count)
            }
            if let firstLabelled, example.label != nil, LabelKind(example.label) != LabelKind(firstLabelled.label) {
                throw .mixedLabelKinds(index: example.index, firstIndex: firstLabelled.index)
            }
        }
        self.examples = examples
        self.batchSize = batchSize
        self.maxLength = maxLength
        self.collator = collator
    }

    /// A batcher that pads with `padId` and carries the examples' labels (``PaddingCollator``).
    public init(examples: [TokenizedExample], batchSize: Int, padId: Int32, maxLength: Int) throws(BatchingError) {
        try self.init(examples: examples, batchSize: batchSize, maxLength: maxLength, collator: PaddingCollator(padId: padId))
    }

    /// The batch plan for one epoch over these examples.
    public func plan(order: BatchOrder, seed: UInt64, epoch: Int) -> EpochPlan {
        EpochPlan(lengths: examples.map(\.length), batchSize: batchSize, order: order, seed: seed, epoch: epoch)
    }

    /// The batches of `plan` from `batchIndex` on, built lazily one at a time.
    public func batches(of plan: EpochPlan, from batchIndex: Int = 0) -> LazyMapSequence<ArraySlice<[Int]>, Batch> {
        plan.remainingBatches(from: batchIndex).lazy.map { batch(positions: $0) }
    }

    /// The batch of the examples at `positions` (indices into ``examples``), in that order.
    public func batch(positions: [Int]) -> Batch {
        collator.collate(positions.map { examples[$0] })
    }
}

/// The kind of a label, to check that all labelled examples of a batcher agree.
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
    /// The example's label kind (class or value) differs from that of the first labelled example.
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
            return "example \(index) has a different kind of label (class or value) than example \(firstIndex)"
        }
    }
}
