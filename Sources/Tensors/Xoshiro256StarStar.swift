/// xoshiro256** (Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2021): 256 bits of state,
/// seeded with four outputs of ``SplitMix64`` as the authors recommend.
public struct Xoshiro256StarStar: SeededGenerator, Sendable, Hashable {
    /// The four state words; never all zero.
    public private(set) var state: [UInt64]

    /// The generator seeded with `seed`.
    public init(seed: UInt64) {
        var seeder = SplitMix64(seed: seed)
        state = (0..<4).map { _ in seeder.next() }
    }

    /// A generator continuing from a saved `state`; `nil` unless it is four words, not all zero.
    public init?(state: [UInt64]) {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else { return nil }
        self.state = state
    }

    public mutating func next() -> UInt64 {
        let result = rotate(state[1] &* 5, 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]
        state[3] ^= state[1]
        state[1] ^= state[2]
        state[0] ^= state[3]
        state[2] ^= t
        state[3] = rotate(state[3], 45)
        return result
    }

    /// Skips `count` draws: leaves the state that `count` calls of `next` would, without computing their results.
    public mutating func advance(by count: Int) {
        var (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
        for _ in 0..<max(count, 0) {
            let t = s1 << 17
            s2 ^= s0
            s3 ^= s1
            s1 ^= s2
            s0 ^= s3
            s2 ^= t
            s3 = rotate(s3, 45)
        }
        state = [s0, s1, s2, s3]
    }

    @inline(__always) private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
