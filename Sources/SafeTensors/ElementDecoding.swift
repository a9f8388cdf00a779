/// Conversion of little-endian tensor bytes into `Float` or `Int64` elements.
///
/// Source bytes may sit at any alignment (a header length need not be a multiple of 8), so every load is
/// unaligned; destination buffers must hold exactly `source.count / dtype.byteSize` elements.
enum ElementDecoding {
    /// Decodes elements of any dtype into `Float` (integers are converted by value, booleans to 0 or 1).
    static func decodeFloats(
        _ dtype: DType, from source: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Float>
    ) {
        switch dtype {
        case .f32:
            #if _endian(little)
            if let base = destination.baseAddress, let sourceBase = source.baseAddress {
                UnsafeMutableRawPointer(base).copyMemory(from: sourceBase, byteCount: destination.count * 4)
            }
            #else
            convert(source, into: destination) { (bits: UInt32) in Float(bitPattern: bits) }
            #endif
        case .f16: convert(source, into: destination, floatFromHalfBits)
        case .bf16: convert(source, into: destination, floatFromBFloat16Bits)
        case .f64: convert(source, into: destination) { (bits: UInt64) in Float(Double(bitPattern: bits)) }
        case .i64: convert(source, into: destination) { (value: Int64) in Float(value) }
        case .i32: convert(source, into: destination) { (value: Int32) in Float(value) }
        case .i16: convert(source, into: destination) { (value: Int16) in Float(value) }
        case .i8: convert(source, into: destination) { (value: Int8) in Float(value) }
        case .u64: convert(source, into: destination) { (value: UInt64) in Float(value) }
        case .u32: convert(source, into: destination) { (value: UInt32) in Float(value) }
        case .u16: convert(source, into: destination) { (value: UInt16) in Float(value) }
        case .u8: convert(source, into: destination) { (value: UInt8) in Float(value) }
        case .bool: convert(source, into: destination) { (value: UInt8) in value == 0 ? 0 : 1 }
        }
    }

    /// Decodes elements of any dtype into `Int64`. Floating-point values must be integral and unsigned 64-bit
    /// values must fit in `Int64`; otherwise returns the index and reason of the first offending element.
    static func decodeIntegers(
        _ dtype: DType, from source: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Int64>
    ) -> (index: Int, reason: String)? {
        switch dtype {
        case .i64: convert(source, into: destination) { (value: Int64) in value }
        case .i32: convert(source, into: destination) { (value: Int32) in Int64(value) }
        case .i16: convert(source, into: destination) { (value: Int16) in Int64(value) }
        case .i8: convert(source, into: destination) { (value: Int8) in Int64(value) }
        case .u32: convert(source, into: destination) { (value: UInt32) in Int64(value) }
        case .u16: convert(source, into: destination) { (value: UInt16) in Int64(value) }
        case .u8: convert(source, into: destination) { (value: UInt8) in Int64(value) }
        case .bool: convert(source, into: destination) { (value: UInt8) in value == 0 ? 0 : 1 }
        case .u64:
            for index in destination.indices {
                let value = load(source, index, as: UInt64.self)
                guard let exact = Int64(exactly: value) else { return (index, "is \(value), beyond Int64.max") }
                destination[index] = exact
            }
        case .f64, .f32, .f16, .bf16:
            for index in destination.indices {
                let value: Double = switch dtype {
                case .f64: Double(bitPattern: load(source, index, as: UInt64.self))
                case .f32: Double(Float(bitPattern: load(source, index, as: UInt32.self)))
                case .f16: Double(floatFromHalfBits(load(source, index, as: UInt16.self)))
                default: Double(floatFromBFloat16Bits(load(source, index, as: UInt16.self)))
                }
                guard let exact = Int64(exactly: value) else {
                    return (index, "is \(value), not an integer within Int64 range")
                }
                destination[index] = exact
            }
        }
        return nil
    }

    /// IEEE half-precision bits to `Float`, by bit manipulation.
    ///
    /// Shifting the exponent and mantissa into a `Float` bit pattern and multiplying by 2^112 re-biases the
    /// exponent (127 - 15 = 112) and at the same time normalises subnormal halves; infinities and NaNs (exponent
    /// all ones) then only need their exponent field set to all ones.
    @inline(__always)
    package static func floatFromHalfBits(_ bits: UInt16) -> Float {
        let magnitude = UInt32(bits & 0x7FFF) << 13
        let sign = UInt32(bits & 0x8000) << 16
        var result = (Float(bitPattern: magnitude) * 0x1p112).bitPattern
        if magnitude >= 0x0F80_0000 { result |= 0x7F80_0000 }
        return Float(bitPattern: result | sign)
    }

    /// bfloat16 bits to `Float`: bfloat16 is the upper half of a `Float`.
    @inline(__always)
    package static func floatFromBFloat16Bits(_ bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    @inline(__always)
    private static func load<T: FixedWidthInteger>(_ source: UnsafeRawBufferPointer, _ index: Int, as: T.Type) -> T {
        T(littleEndian: source.loadUnaligned(fromByteOffset: index &* MemoryLayout<T>.size, as: T.self))
    }

    @inline(__always)
    private static func convert<Raw: FixedWidthInteger, Element>(
        _ source: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Element>,
        _ transform: (Raw) -> Element
    ) {
        for index in destination.indices {
            destination[index] = transform(load(source, index, as: Raw.self))
        }
    }
}
