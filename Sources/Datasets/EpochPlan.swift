import Tensors

/// The order in which examples are grouped into batches.
public enum BatchOrder: Sendable, Hashable {
    /// Dataset order, no shuffling (for evaluation and prediction).
    case sequential
    /// A fresh random permutation each epoch.
    case shuffled
    /// Like Hugging Face's `group_by_length`: shuffle, cut into mega-batches of `megaBatchFactor` batches, sort
    /// each mega-batch by length (longest first) and cut it into batches, then shuffle the order of all batches.
    /// Batches then hold examples of similar length, so less compute goes to padding. For small datasets the
    /// factor is lowered to `count / (4 * batchSize)` (at least 1), as Hugging Face does, to keep some randomness.
    case groupedByLength(megaBatchFactor: Int = 50)
}

/// Which examples go into which batch, in which order, for one epoch.
///
/// A plan is a pure function of the example lengths, the batch size, the order, the seed and the epoch, so a
/// run that stopped after batch `k` of epoch `e` can rebuild the same plan and continue with
/// ``remainingBatches(from:)``. Randomness comes from a ``SplitMix64`` seeded with
/// `SplitMix64.mix(SplitMix64.mix(seed) ^ UInt64(epoch))`, so different epochs get unrelated permutations.
public struct EpochPlan: Sendable, Hashable {
    /// The epoch this plan is for (any integer; usually 0-based).
    public let epoch: Int
    /// The seed of the run.
    public let seed: UInt64
    /// How batches were formed.
    public let order: BatchOrder
    /// For each batch, the positions (into the example list the lengths came from) of its examples. Every
    /// position appears exactly once; all batches have `batchSize` examples except at most one smaller one.
    public let batches: [[Int]]

    /// Plans one epoch over examples with the given token `lengths`.
    public init(lengths: [Int], batchSize: Int, order: BatchOrder, seed: UInt64, epoch: Int) {
        precondition(batchSize > 0, "batch size must be positive")
        self.epoch = epoch
        self.seed = seed
        self.order = order
        var generator = SplitMix64(seed: SplitMix64.mix(SplitMix64.mix(seed) ^ UInt64(bitPattern: Int64(epoch))))
        var positions = Array(lengths.indices)
        switch order {
        case .sequential:
            batches = Self.chunks(positions, size: batchSize)
        case .shuffled:
            generator.shuffle(&positions)
            batches = Self.chunks(positions, size: batchSize)
        case .groupedByLength(let megaBatchFactor):
            precondition(megaBatchFactor > 0, "mega-batch factor must be positive")
            generator.shuffle(&positions)
            let factor = max(1, min(megaBatchFactor, lengths.count / (4 * batchSize)))
            var grouped: [[Int]] = []
            for megaBatch in Self.chunks(positions, size: factor * batchSize) {
                // Longest first; ties keep their shuffled order, so the result depends only on the seed.
                let byLength = megaBatch.enumerated().sorted {
                    (lengths[$0.element], $1.offset) > (lengths[$1.element], $0.offset)
                }.map(\.element)
                grouped += Self.chunks(byLength, size: batchSize)
            }
            generator.shuffle(&grouped)
            batches = grouped
        }
    }

    /// The number of batches.
    public var count: Int { batches.count }

    /// The batches from `batchIndex` (0-based) to the end of the epoch, for resuming a run.
    public func remainingBatches(from batchIndex: Int) -> ArraySlice<[Int]> {
        batches[min(max(batchIndex, 0), batches.count)...]
    }

    private static func chunks(_ positions: [Int], size: Int) -> [[Int]] {
        stride(from: 0, to: positions.count, by: size).map {
            Array(positions[$0..<min($0 + size, positions.count)])
        }
    }
}
