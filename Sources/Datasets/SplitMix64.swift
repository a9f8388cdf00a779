/// SplitMix64, the small pseudo-random generator of Steele, Lea and Flood ("Fast splittable pseudorandom
/// number generators", OOPSLA 2014), with the constants of Vigna's reference `splitmix64.c`: the state advances
/// by the golden-ratio increment `0x9E3779B97F4A7C15` and each output is the state passed through a 64-bit
/// finalizer. For seed 0 the first outputs are `0xE220A8397B1DCDAF`, `0x6E789E6AA1B965F4`.
///
/// Batch order uses it (instead of `SystemRandomNumberGenerator` or `shuffle(using:)`, whose algorithm is not
/// specified) so that a shuffle is a fixed function of the seed on every platform and toolchain.
public struct SplitMix64: Sendable, Hashable {
    /// The current state; the next output is derived from `state &+ 0x9E3779B97F4A7C15`.
    public private(set) var state: UInt64

    /// Creates a generator whose state is `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 pseudo-random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// A uniformly distributed integer in `0..<bound` (`bound > 0`), by Lemire's multiply-and-reject method
    /// ("Fast random integer generation in an interval", 2019), so there is no modulo bias.
    public mutating func next(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold { product = next().multipliedFullWidth(by: range) }
        }
        return Int(product.high)
    }

    /// Shuffles `elements` in place with the Fisher–Yates algorithm, drawing from this generator.
    public mutating func shuffle<Element>(_ elements: inout [Element]) {
        guard elements.count > 1 else { return }
        for index in stride(from: elements.count - 1, to: 0, by: -1) {
            elements.swapAt(index, next(below: index + 1))
        }
    }

    /// The SplitMix64 output finalizer: a bijective scrambling of 64 bits, also useful to derive seeds.
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
