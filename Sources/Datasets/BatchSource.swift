/// Where a trainer gets its micro-batches: epochs of a known number of batches, each batch addressed by its
/// position in the epoch, so that a run stopped after batch `k` of epoch `e` resumes with batch `k` exactly.
public protocol BatchSource {
    /// Examples per epoch: with the batch size, it sizes the run's learning-rate schedule, and a resumed run must
    /// see as many.
    var exampleCount: Int { get }
    /// Micro-batches per epoch.
    var batchesPerEpoch: Int { get }
    /// The batches of `epoch` (0-based) from `batchIndex` on, in order, built lazily.
    func batches(epoch: Int, from batchIndex: Int) -> AnyIterator<Batch>
}

/// In-memory examples batched by a ``Batcher`` in the order of each epoch's ``EpochPlan`` for a seed: a pure
/// function of the examples, the order, the seed and the epoch.
public struct PlannedBatches: BatchSource, Sendable {
    public let batcher: Batcher
    public let order: BatchOrder
    public let seed: UInt64

    public init(batcher: Batcher, order: BatchOrder, seed: UInt64) {
        self.batcher = batcher
        self.order = order
        self.seed = seed
    }

    public var exampleCount: Int { batcher.examples.count }

    public var batchesPerEpoch: Int { (exampleCount + batcher.batchSize - 1) / batcher.batchSize }

    public func batches(epoch: Int, from batchIndex: Int) -> AnyIterator<Batch> {
        AnyIterator(batcher.batches(of: batcher.plan(order: order, seed: seed, epoch: epoch), from: batchIndex).makeIterator())
    }
}
