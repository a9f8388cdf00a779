/// SplitMix64, the small pseudo-random generator of Steele, Lea and Flood ("Fast splittable pseudorandom
/// number generators", OOPSLA 2014), with the constants of Vigna's reference `splitmix64.c`: the state advances
/// by the golden-ratio increment `0x9E3779B97F4A7C15` and each output is the state passed through a 64-bit
/// finalizer. For seed 0 the first outputs are `0xE220A8397B1DCDAF`, `0x6E789E6AA1B965F4`.
///
/// Batch order draws from it; ``Xoshiro256StarStar`` is seeded from it; dropout uses its finalizer ``mix(_:)``
/// as a counter-based generator.
public struct SplitMix64: SeededGenerator, Sendable, Hashable {
    /// The golden-ratio increment of the state (also a good odd multiplier to spread counters).
    public static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// The current state; the next output is derived from `state &+ increment`. Saving and restoring it resumes
    /// the stream exactly.
    public var state: UInt64

    /// Creates a generator whose state is `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= Self.increment
        return Self.mix(state)
    }

    /// The SplitMix64 output finalizer: a bijective scrambling of 64 bits, also used to derive seeds and as a
    /// counter-based generator (hash of a key and an index).
    @inline(__always)
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
