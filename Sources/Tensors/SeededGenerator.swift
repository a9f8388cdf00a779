/// A pseudo-random generator whose stream is a fixed function of its seed on every platform and toolchain, with
/// the draws derived from it (bounded integers, shuffles, uniform and normal floats) written once for all
/// generators of the family (``SplitMix64``, ``Xoshiro256StarStar`` and the shared ``RandomGenerator``).
///
/// The standard library's `shuffle(using:)` and `random(in:using:)` are not used because their algorithms are not
/// specified, so the same seed could give other data orders on another toolchain.
public protocol SeededGenerator {
    /// The next 64 pseudo-random bits.
    mutating func next() -> UInt64
}

extension SeededGenerator {
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

    /// Shuffles `elements` in place with the Fisher–Yates algorithm.
    public mutating func shuffle<Element>(_ elements: inout [Element]) {
        guard elements.count > 1 else { return }
        for index in stride(from: elements.count - 1, to: 0, by: -1) {
            elements.swapAt(index, next(below: index + 1))
        }
    }

    /// Uniform in [0, 1), from the top 24 bits (every value is an exact multiple of 2⁻²⁴).
    public mutating func uniform() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// A standard normal draw (Box–Muller, in double precision, from two draws).
    public mutating func normal() -> Float {
        let u1 = Double(next() >> 11) * 0x1p-53, u2 = Double(next() >> 11) * 0x1p-53
        return Float((-2 * Foundation.log(1 - u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }
}

import Foundation
