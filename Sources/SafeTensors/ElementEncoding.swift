/// Conversion of `Float` values into the narrower floating-point encodings that the writer produces.
enum ElementEncoding {
    /// `value` rounded to the nearest IEEE half-precision number (ties to even), as its bits.
    ///
    /// Normal results re-bias the exponent (127 - 15 = 112) and round the 13 dropped mantissa bits by adding
    /// `0xFFF` plus the lowest kept bit; a carry out of the mantissa correctly moves to the next binade. Results
    /// below the smallest normal half (2^-14) are multiples of 2^-24: adding 0.5, whose spacing is exactly 2^-24,
    /// makes the hardware do that rounding, and the units of 2^-24 are then the low bits of the sum.
    @inline(__always)
    static func halfBits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: bits >> 16) & 0x8000
        let magnitude = bits & 0x7FFF_FFFF
        if magnitude > 0x7F80_0000 {  // NaN: keep the top of the payload and make sure it stays a NaN
            return sign | 0x7E00 | UInt16(truncatingIfNeeded: magnitude >> 13) & 0x03FF
        }
        if magnitude >= 0x477F_F000 { return sign | 0x7C00 }  // 65520 and beyond round to infinity
        if magnitude >= 0x3880_0000 {  // 2^-14 and beyond: a normal half
            let rebiased = magnitude - 0x3800_0000
            return sign | UInt16(truncatingIfNeeded: (rebiased + 0x0FFF + ((rebiased >> 13) & 1)) >> 13)
        }
        let sum = Float(bitPattern: magnitude) + 0.5
        return sign | UInt16(truncatingIfNeeded: sum.bitPattern - Float(0.5).bitPattern)
    }
}
