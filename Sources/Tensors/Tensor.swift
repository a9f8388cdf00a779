/// A dense, contiguous, row-major tensor that records the operations applied to it for reverse-mode
/// differentiation (see `backward()`).
///
/// Elements are `Float` (`f32`) unless the tensor was made with another `elementType`; the arithmetic, the
/// matmuls and autograd work on `f32` tensors, the other types hold weights and activations for conversion and
/// for oneDNN's low-precision kernels (see `TypedTensor.swift`).
///
/// Tensors are references, as in PyTorch: parameters are shared by the modules that use them, and `grad`
/// accumulates across backward passes until `zeroGrad()`. `reshaped` and `rows` are views (no copy).
public final class Tensor: @unchecked Sendable {
    public let shape: [Int]
    let storage: Storage
    /// Offset of the first element in `storage`, in elements.
    let offset: Int
    /// Whether gradients flow to this tensor. Leaves set it explicitly (parameters); results inherit it.
    public var requiresGrad: Bool
    /// Accumulated gradient of the last `backward()` calls (leaves only).
    public var grad: Tensor?
    /// How this tensor was computed; nil for leaves and for results computed without gradient tracking.
    var gradNode: GradNode?

    /// A tensor over existing storage.
    init(shape: [Int], storage: Storage, offset: Int = 0, requiresGrad: Bool = false) {
        precondition(offset + shape.reduce(1, *) <= storage.count, "tensor \(shape) does not fit its storage")
        self.shape = shape
        self.storage = storage
        self.offset = offset
        self.requiresGrad = requiresGrad
    }

    /// An uninitialised tensor (every element must be written before it is read).
    public convenience init(uninitializedShape shape: [Int], elementType: ElementType = .f32) {
        self.init(shape: shape, storage: Storage(uninitializedCount: shape.reduce(1, *), elementType: elementType))
    }

    /// A tensor filled with `value`.
    public convenience init(shape: [Int], repeating value: Float, requiresGrad: Bool = false) {
        self.init(uninitializedShape: shape)
        self.requiresGrad = requiresGrad
        fill(value)
    }

    /// A tensor holding `values` in row-major order.
    public convenience init(shape: [Int], values: [Float], requiresGrad: Bool = false) {
        precondition(values.count == shape.reduce(1, *), "\(values.count) values do not fill shape \(shape)")
        self.init(uninitializedShape: shape)
        self.requiresGrad = requiresGrad
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    /// A scalar (shape `[]`).
    public convenience init(scalar: Float) { self.init(shape: [], values: [scalar]) }

    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Tensor(shape: shape, repeating: 0, requiresGrad: requiresGrad)
    }

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }
    public var rank: Int { shape.count }
    /// Size of the last axis (1 for a scalar).
    public var lastDimension: Int { shape.last ?? 1 }
    /// Number of rows when the tensor is seen as a matrix `[count / last, last]`.
    public var rowCount: Int { lastDimension == 0 ? 0 : count / lastDimension }

    /// What the elements are.
    public var elementType: ElementType { storage.elementType }

    /// Pointer to the first element of an `f32` tensor, for the kernels of this module: valid only while the
    /// tensor is alive, which the operands of a call are. Code outside the module uses the scoped accessors.
    var pointer: UnsafeMutablePointer<Float> {
        precondition(storage.elementType == .f32, "a \(storage.elementType) tensor used where f32 is needed")
        return storage.base.assumingMemoryBound(to: Float.self) + offset
    }

    /// Address of the first element of a tensor of any element type, for the kernels of this module (oneDNN
    /// operands): valid as long as `pointer` would be.
    var rawPointer: UnsafeMutableRawPointer { storage.base + offset * storage.elementType.byteSize }

    /// Calls `body` with the elements of an `f32` tensor in row-major order; the buffer is valid only during the call.
    public func withUnsafeBufferPointer<R, E: Error>(_ body: (UnsafeBufferPointer<Float>) throws(E) -> R) throws(E) -> R {
        try withUnsafeBufferPointer(as: Float.self, body)
    }

    /// Calls `body` with the elements of an `f32` tensor in row-major order, to read or write; the buffer is valid
    /// only during the call.
    public func withUnsafeMutableBufferPointer<R, E: Error>(_ body: (UnsafeMutableBufferPointer<Float>) throws(E) -> R) throws(E) -> R {
        try withUnsafeMutableBufferPointer(as: Float.self, body)
    }

    /// The elements of an `f32` tensor in row-major order.
    public var scalars: [Float] { withUnsafeBufferPointer { Array($0) } }

    /// The single element of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "item() needs one element, tensor has shape \(shape)")
        return pointer.pointee
    }

    public func fill(_ value: Float) {
        let p = pointer
        parallelFor(count, grain: 1 << 18) { range in
            (p + range.lowerBound).update(repeating: value, count: range.count)
        }
    }

    /// Copies `other`'s elements into this tensor (same element count and type), outside of autograd.
    public func copy(from other: Tensor) {
        precondition(other.count == count && other.elementType == elementType,
                     "copy: \(other.elementType) \(other.shape) into \(elementType) \(shape)")
        other.withUnsafeBytes { source in withUnsafeMutableBytes { $0.copyMemory(from: source) } }
    }

    /// A copy that owns fresh storage and does not track gradients.
    public func clone() -> Tensor {
        let result = Tensor(uninitializedShape: shape, elementType: elementType)
        result.copy(from: self)
        return result
    }

    /// Whether both tensors are views of the same memory (`reshaped`, `rows`, `detached` make such views).
    public func sharesStorage(with other: Tensor) -> Bool { storage === other.storage }

    /// Whether results of operations on this tensor are recorded for `backward()`.
    public var tracksGrad: Bool { requiresGrad && GradMode.isEnabled }

    /// Is a leaf of the graph (a parameter or an input), as opposed to a recorded result.
    public var isLeaf: Bool { gradNode == nil }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        guard elementType == .f32 else { return "Tensor(\(shape), \(elementType))" }
        let shown = scalars.prefix(8).map { String(format: "%.5g", $0) }.joined(separator: ", ")
        return "Tensor(\(shape), [\(shown)\(count > 8 ? ", ..." : "")])"
    }
}

import Foundation
