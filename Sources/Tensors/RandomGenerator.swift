/// The one seeded source of randomness of a run, shared by reference by everything that draws from it (weight
/// initialisation, dropout, masking): the same seed gives the same numbers on every run, and ``state`` can be
/// saved in a checkpoint and put back with ``restore(state:)`` to resume exactly.
///
/// The stream is ``Xoshiro256StarStar``; the draws are those of ``SeededGenerator``.
public final class RandomGenerator: @unchecked Sendable {
    fileprivate var engine: Xoshiro256StarStar
    /// Where `Tensor.normal` records its draws instead of making them (see `deferringNormals`); `nil` normally.
    fileprivate var deferredNormals: DeferredNormals?

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

extension RandomGenerator {
    /// Runs `body` with `Tensor.normal` on this generator recording each tensor's draws instead of making them
    /// (the tensors stay zero) and skipping past them, so the generator ends where it would have. For a model
    /// built only to be overwritten by a checkpoint: drawing all-MiniLM-L6-v2's 22.7M normals took 85% of the
    /// time of `distill predict` on one sentence. `DeferredNormals.draw` then gives the weights the checkpoint
    /// lacked (a fresh task head) exactly the values they would have had.
    public func deferringNormals<T>(_ body: () throws -> T) rethrows -> (T, DeferredNormals) {
        let outer = deferredNormals
        let recorded = DeferredNormals()
        deferredNormals = recorded
        defer { deferredNormals = outer }
        return (try body(), recorded)
    }
}

/// Normal initialisations recorded instead of drawn (see `RandomGenerator.deferringNormals`).
public final class DeferredNormals: @unchecked Sendable {
    private var recorded: [ObjectIdentifier: (tensor: Tensor, mean: Float, std: Float, start: Xoshiro256StarStar)] = [:]

    fileprivate func record(_ tensor: Tensor, mean: Float, std: Float, start: Xoshiro256StarStar) {
        recorded[ObjectIdentifier(tensor)] = (tensor, mean, std, start)
    }

    /// Draws the values of those of `tensors` that were recorded, as `Tensor.normal` would have drawn them then.
    public func draw(_ tensors: [Tensor]) {
        for tensor in tensors {
            guard let entry = recorded[ObjectIdentifier(tensor)] else { continue }
            var engine = entry.start
            Tensor.fillNormal(entry.tensor, mean: entry.mean, std: entry.std, from: &engine)
        }
    }
}

extension Tensor {
    /// Normal(mean, std) initialisation, drawn in row-major order (Box–Muller: two draws per value).
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float, generator: RandomGenerator) -> Tensor {
        guard let deferred = generator.deferredNormals else {
            let t = Tensor(uninitializedShape: shape)
            fillNormal(t, mean: mean, std: std, from: &generator.engine)
            return t
        }
        let t = Tensor(shape: shape, elementType: .f32)
        deferred.record(t, mean: mean, std: std, start: generator.engine)
        generator.engine.advance(by: 2 * t.count)
        return t
    }

    fileprivate static func fillNormal(_ t: Tensor, mean: Float, std: Float, from engine: inout Xoshiro256StarStar) {
        for i in 0..<t.count { t.pointer[i] = mean + std * engine.normal() }
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

