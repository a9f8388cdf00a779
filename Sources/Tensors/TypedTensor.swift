/// Tensors of any `ElementType`: creation, scoped access to their bytes and typed elements, and conversion
/// between the floating-point types.
extension Tensor {
    /// A tensor of zeros of `elementType` (all-zero bytes are zero in every element type).
    public convenience init(shape: [Int], elementType: ElementType) {
        self.init(uninitializedShape: shape, elementType: elementType)
        withUnsafeMutableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) }
    }

    /// A tensor of `elementType` whose elements are `bytes` as they lie in memory (row-major, host byte order).
    /// `bytes` must hold exactly `count × elementType.byteSize` bytes.
    public convenience init(shape: [Int], elementType: ElementType, bytes: UnsafeRawBufferPointer) {
        self.init(uninitializedShape: shape, elementType: elementType)
        precondition(bytes.count == count * elementType.byteSize,
                     "\(bytes.count) bytes do not fill a \(elementType) tensor of shape \(shape)")
        withUnsafeMutableBytes { $0.copyMemory(from: bytes) }
    }

    /// A tensor of `Element.elementType` holding `elements` in row-major order.
    public convenience init<Element: TensorElement>(shape: [Int], elements: [Element]) {
        precondition(elements.count == shape.reduce(1, *), "\(elements.count) elements do not fill shape \(shape)")
        self.init(uninitializedShape: shape, elementType: Element.elementType)
        withUnsafeMutableBufferPointer(as: Element.self) { _ = $0.initialize(from: elements) }
    }

    /// Calls `body` with the elements' bytes (`count × elementType.byteSize`, host byte order); the buffer is
    /// valid only during the call.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try withUnsafeMutableBytes { (bytes) throws(E) -> R in try body(UnsafeRawBufferPointer(bytes)) }
    }

    /// Calls `body` with the elements' bytes, to read or write; the buffer is valid only during the call.
    public func withUnsafeMutableBytes<R, E: Error>(_ body: (UnsafeMutableRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let byteSize = elementType.byteSize
        return try withExtendedLifetime(storage) { () throws(E) -> R in
            try body(UnsafeMutableRawBufferPointer(start: storage.base + offset * byteSize, count: count * byteSize))
        }
    }

    /// Calls `body` with the elements as `Element`s in row-major order; the buffer is valid only during the call.
    /// The tensor's `elementType` must be `Element.elementType`.
    public func withUnsafeBufferPointer<Element: TensorElement, R, E: Error>(
        as type: Element.Type, _ body: (UnsafeBufferPointer<Element>) throws(E) -> R
    ) throws(E) -> R {
        try withUnsafeMutableBufferPointer(as: type) { (elements) throws(E) -> R in
            try body(UnsafeBufferPointer(elements))
        }
    }

    /// Calls `body` with the elements as `Element`s, to read or write; the buffer is valid only during the call.
    /// The tensor's `elementType` must be `Element.elementType`.
    public func withUnsafeMutableBufferPointer<Element: TensorElement, R, E: Error>(
        as type: Element.Type, _ body: (UnsafeMutableBufferPointer<Element>) throws(E) -> R
    ) throws(E) -> R {
        precondition(elementType == Element.elementType, "a \(elementType) tensor read as \(Element.self)")
        return try withExtendedLifetime(storage) { () throws(E) -> R in
            let first = storage.base.assumingMemoryBound(to: Element.self) + offset
            return try body(UnsafeMutableBufferPointer(start: first, count: count))
        }
    }

    /// A copy with elements of `target` (a copy of the same type if it is already `target`), not tracking
    /// gradients. Converts between floating-point types, rounding to nearest even (see `FloatConvertibleElement`).
    public func converted(to target: ElementType) throws(ElementConversionError) -> Tensor {
        if target == elementType { return clone() }
        // The conversions on hot paths (bf16 matmul inputs and weights), with concrete types: through the
        // existentials below every element would cost a witness-table call.
        switch (elementType, target) {
        case (.f32, .bf16): return roundedToBFloat16()
        case (.bf16, .f32): return converted(from: BFloat16.self, to: Float.self)
        default: break
        }
        guard let source = elementType.scalarType as? any FloatConvertibleElement.Type,
              let destination = target.scalarType as? any FloatConvertibleElement.Type
        else { throw ElementConversionError(source: elementType, target: target) }
        return converted(from: source, to: destination)
    }

    private func converted<Source: FloatConvertibleElement, Target: FloatConvertibleElement>(
        from: Source.Type, to: Target.Type
    ) -> Tensor {
        let result = Tensor(uninitializedShape: shape, elementType: Target.elementType)
        withUnsafeBufferPointer(as: Source.self) { source in
            result.withUnsafeMutableBufferPointer(as: Target.self) { target in
                parallelFor(count, grain: 1 << 16) { range in
                    for i in range { target[i] = Target(source[i].floatValue) }
                }
            }
        }
        return result
    }

    /// This f32 tensor rounded to bf16 by the vector kernel, bit for bit as `BFloat16.init(_:)` rounds.
    func roundedToBFloat16() -> Tensor {
        let result = Tensor(uninitializedShape: shape, elementType: .bf16)
        withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer(as: BFloat16.self) { target in
                target.withMemoryRebound(to: UInt16.self) { bits in
                    guard let from = source.baseAddress, let to = bits.baseAddress else { return }
                    parallelFor(count, grain: 1 << 16) { range in
                        VectorKernels.best.roundToBFloat16(range.count, from + range.lowerBound, to + range.lowerBound)
                    }
                }
            }
        }
        return result
    }
}

/// A conversion between element types that has no defined meaning without more information (integer types
/// need quantization scales).
public struct ElementConversionError: Error, Sendable, Equatable, CustomStringConvertible {
    public let source: ElementType
    public let target: ElementType

    public init(source: ElementType, target: ElementType) {
        self.source = source
        self.target = target
    }

    public var description: String {
        "cannot convert \(source) elements to \(target): only floating-point types convert by value"
    }
}
