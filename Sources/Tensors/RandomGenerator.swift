/// The one seeded source of randomness of a run, shared by reference by everything that draws from it (weight
/// initialisation, dropout, masking): the same seed gives the same numbers on every run, and ``state`` can be
/// saved in a checkpoint and put back with ``restore(state:)`` to resume exactly.
///
/// The stream is ``Xoshiro256StarStar``; the draws are those of ``SeededGenerator``.
public final class RandomGenerator: @unchecked Sendable {
    private var engine: Xoshiro256StarStar

    public init(seed: UInt64) {
        engine = Xoshiro256StarStar(seed: seed)
    }

    /// The rows of a larger batch that the tensors drawn on now hold (set by data-parallel training while one
    /// process runs its share of a global batch); `nil` when they hold the whole batch. Dropout then draws each
    /// element's mask as it would in the whole batch, so a group of processes drops what one process would.
    public var batchShare: (firstRow: Int, rows: Int)?

    /// Restores a generator from a saved `state`; `nil` unless it is four words, not all zero.
    public init?(state: [UInt64]) {
        guard let engine = Xoshiro256StarStar(state: state) else { return nil }
        self.engine = engine
    }

    /// The state: four words, never all zero.
    public var state: [UInt64] { engine.state }

    /// Puts the generator back to a saved `state`, in place, so that every module holding it continues from
    /// there; `false` (and unchanged) unless the state is four words, not all zero.
    public func restore(state: [UInt64]) -> Bool {
        guard let engine = Xoshiro256StarStar(state: state) else { return false }
        self.engine = engine
        return true
    }

    /// The next 64 pseudo-random bits.
    public func nextUInt64() -> UInt64 { engine.next() }

    /// Uniform in [0, 1).
    public func uniform() -> Float { engine.uniform() }

    /// A standard normal draw.
    public func normal() -> Float { engine.normal() }

    /// A uniformly random integer in `0..<bound`.
    public func below(_ bound: Int) -> Int { engine.next(below: bound) }

    /// Fisher–Yates shuffle.
    public func shuffle<T>(_ items: inout [T]) { engine.shuffle(&items) }
}

extension Tensor {
    /// Normal(mean, std) initialisation, drawn in row-major order.
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float, generator: RandomGenerator) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        for i in 0..<t.count { t.pointer[i] = mean + std * generator.normal() }
        return t
    }

    /// Inverted dropout: zeroes each element with probability `p` and scales the rest by 1/(1 − p).
    /// One draw from `generator` keys a counter-based hash of the element's index, so the mask is the same whatever
    /// the thread count. Under a ``RandomGenerator/batchShare`` the index is the element's in the whole batch (the
    /// tensor's leading axis runs over the batch's rows, as every activation's does).
    public func dropout(_ p: Float, generator: RandomGenerator) -> Tensor {
        guard p > 0 else { return self }
        precondition(p < 1, "dropout probability \(p) must be below 1")
        let key = generator.nextUInt64()
        let first = generator.batchShare.map { share in
            count.isMultiple(of: share.rows) ? UInt64(share.firstRow * (count / share.rows)) : 0
        } ?? 0
        let mask = Tensor(uninitializedShape: shape)
        let keep = 1 / (1 - p), m = mask.pointer
        let threshold = UInt64(Double(p) * 0x1p53)
        parallelFor(count, grain: 1 << 15) { range in
            for i in range {
                m[i] = SplitMix64.mix(key &+ (first &+ UInt64(i)) &* SplitMix64.increment) >> 11 < threshold ? 0 : keep
            }
        }
        return self * mask
    }
}

