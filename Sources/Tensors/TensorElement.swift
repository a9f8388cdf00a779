/// A Swift type that holds one element of a tensor: the bridge between an `ElementType` and typed buffers
/// (`Tensor.withUnsafeBufferPointer(as:_:)`). Conforming types have the size and layout of their element type.
public protocol TensorElement: Sendable {
    /// The element type whose elements this type holds.
    static var elementType: ElementType { get }
}

/// An element type that stands for a real number, converted to and from `Float` by value (rounding to the
/// nearest representable value, ties to even; NaN stays NaN). Integer types are not: turning floats into them
/// needs quantization scales.
public protocol FloatConvertibleElement: TensorElement {
    /// `value` rounded to this type.
    init(_ value: Float)
    /// The value as a `Float` (exact for every type narrower than `Float`).
    var floatValue: Float { get }
}

extension Float: FloatConvertibleElement {
    public static var elementType: ElementType { .f32 }
    public var floatValue: Float { self }
}

extension Int8: TensorElement {
    public static var elementType: ElementType { .s8 }
}

extension UInt8: TensorElement {
    public static var elementType: ElementType { .u8 }
}

extension Int32: TensorElement {
    public static var elementType: ElementType { .s32 }
}
