/// A bfloat16 number: the upper 16 bits of a `Float` (sign, 8-bit exponent, 7-bit mantissa), so it has the
/// range of `Float` with about 3 significant decimal digits.
public struct BFloat16: FloatConvertibleElement, Hashable, CustomStringConvertible {
    public static var elementType: ElementType { .bf16 }

    /// The 16 bits as stored.
    public var bitPattern: UInt16

    public init(bitPattern: UInt16) { self.bitPattern = bitPattern }

    /// `value` rounded to the nearest bfloat16, ties to even (as PyTorch's `tensor.bfloat16()` and oneDNN do);
    /// values beyond the largest bfloat16 become infinities, and NaN stays NaN.
    ///
    /// Adding `0x7FFF` plus the lowest kept bit to the `Float` bits before truncating rounds up exactly when the
    /// dropped half is above `0x8000`, or equal to it with an odd kept half; a carry out of the mantissa
    /// increments the exponent, which is the correct rounding (up to infinity at the top).
    public init(_ value: Float) {
        let bits = value.bitPattern
        if value.isNaN {
            // Truncation alone could clear every mantissa bit and make an infinity: keep a quiet NaN.
            bitPattern = UInt16(truncatingIfNeeded: bits >> 16) | 0x0040
        } else {
            let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
            bitPattern = UInt16(truncatingIfNeeded: rounded >> 16)
        }
    }

    /// The exact `Float` with the same value.
    public var floatValue: Float { Float(bitPattern: UInt32(bitPattern) << 16) }

    public var description: String { floatValue.description }
}

extension Float {
    /// The exact value of `value`.
    public init(_ value: BFloat16) { self = value.floatValue }
}
