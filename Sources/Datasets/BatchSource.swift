import Foundation

/// Where a trainer gets its micro-batches: epochs of a known number of batches. The trainer seeks to the batch a
/// run starts or resumes at, then pulls batches one by one; a source whose batches are not a pure function of
/// (epoch, batch index) — a stream — also hands the trainer a ``savedState()`` to keep in its checkpoints, so a
/// resumed run continues with exactly the batch an uninterrupted run would have taken.
public protocol BatchSource: AnyObject {
    /// Examples per epoch: it sizes the schedule's description, and a resumed run must see as many.
    var exampleCount: Int { get }
    /// Micro-batches per epoch.
    var batchesPerEpoch: Int { get }
    /// Makes batch `batchIndex` of `epoch` (both 0-based) the next one ``nextBatch()`` returns.
    func seek(epoch: Int, batchIndex: Int) throws
    /// The next batch, or `nil` if the source has run out.
    func nextBatch() throws -> Batch?
    /// What a checkpoint must hold, besides the epoch and batch index, to resume after the last batch returned
    /// (`nil`, the default, when nothing more is needed).
    func savedState() throws -> Data?
    /// Takes back a ``savedState()`` before the ``seek(epoch:batchIndex:)`` of a resumed run.
    func restore(savedState: Data) throws
}

extension BatchSource {
    public func savedState() throws -> Data? { nil }
    public func restore(savedState: Data) throws {}
}

/// In-memory examples batched by a ``Batcher`` in the order of each epoch's ``EpochPlan`` for a seed: a pure
/// function of the examples, the order, the seed and the epoch.
public final class PlannedBatches: BatchSource {
    public let batcher: Batcher
    public let order: BatchOrder
    public let seed: UInt64
    private var remaining: LazyMapSequence<ArraySlice<[Int]>, Batch>.Iterator?

    public init(batcher: Batcher, order: BatchOrder, seed: UInt64) {
        self.batcher = batcher
        self.order = order
        self.seed = seed
    }

    public var exampleCount: Int { batcher.examples.count }

    public var batchesPerEpoch: Int { (exampleCount + batcher.batchSize - 1) / batcher.batchSize }

    public func seek(epoch: Int, batchIndex: Int) {
        remaining = batcher.batches(of: batcher.plan(order: order, seed: seed, epoch: epoch), from: batchIndex).makeIterator()
    }

    public func nextBatch() -> Batch? { remaining?.next() }
}
