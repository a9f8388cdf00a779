/// The one seeded source of randomness for initialisation, dropout and shuffling: the same seed gives the same
/// numbers on every run, and `state` can be saved in a checkpoint and restored to resume exactly.
///
/// The stream is xoshiro256** (Blackman & Vigna), seeded through SplitMix64.
public final class RandomGenerator: @unchecked Sendable {
    public private(set) var state: [UInt64]

    public init(seed: UInt64) {
        var s = seed
        state = (0..<4).map { _ in RandomGenerator.splitMix(&s) }
    }

    /// Restores a generator from a saved `state`.
    public init?(state: [UInt64]) {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else { return nil }
        self.state = state
    }

    public func nextUInt64() -> UInt64 {
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

    /// Uniform in [0, 1).
    public func uniform() -> Float { Float(nextUInt64() >> 40) * 0x1p-24 }

    /// Standard normal draw (Box–Muller).
    public func normal() -> Float {
        let u1 = Double(nextUInt64() >> 11) * 0x1p-53, u2 = Double(nextUInt64() >> 11) * 0x1p-53
        return Float((-2 * Foundation.log(1 - u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }

    /// A uniformly random integer in `0..<bound`.
    public func below(_ bound: Int) -> Int {
        precondition(bound > 0, "below(\(bound))")
        return Int(nextUInt64() % UInt64(bound))
    }

    /// Fisher–Yates shuffle.
    public func shuffle<T>(_ items: inout [T]) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) { items.swapAt(i, below(i + 1)) }
    }

    @inline(__always) private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return mix(state)
    }

    /// SplitMix64's finaliser: a strong 64-bit hash, used as a counter-based generator by dropout so that
    /// elements can be drawn in parallel and still be the same for a given seed.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Tensor {
    /// Normal(mean, std) initialisation, drawn in row-major order.
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float, generator: RandomGenerator) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        for i in 0..<t.count { t.pointer[i] = mean + std * generator.normal() }
        return t
    }

    /// Inverted dropout: zeroes each element with probability `p` and scales the rest by 1/(1 − p).
    /// One draw from `generator` keys a counter-based hash, so the mask is the same whatever the thread count.
    public func dropout(_ p: Float, generator: RandomGenerator) -> Tensor {
        guard p > 0 else { return self }
        precondition(p < 1, "dropout probability \(p) must be below 1")
        let key = generator.nextUInt64()
        let mask = Tensor(uninitializedShape: shape)
        let keep = 1 / (1 - p), m = mask.pointer
        let threshold = UInt64(Double(p) * 0x1p53)
        parallelFor(count, grain: 1 << 15) { range in
            for i in range {
                m[i] = RandomGenerator.mix(key &+ UInt64(i) &* 0x9E37_79B9_7F4A_7C15) >> 11 < threshold ? 0 : keep
            }
        }
        return self * mask
    }
}

import Foundation
