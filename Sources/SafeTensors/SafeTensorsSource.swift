import Foundation

/// Read access to named tensors, from one safetensors file or a whole (possibly sharded) checkpoint.
public protocol SafeTensorsSource: Sendable {
    /// The file or checkpoint directory the tensors come from, named in errors.
    var url: URL { get }
    /// All tensor names, sorted.
    var names: [String] { get }
    /// Dtype, shape and location of `name`, or `nil` if there is no such tensor.
    func info(_ name: String) -> TensorInfo?
    /// Copies tensor `name` into `buffer`, which must hold exactly its element count. Integer tensors are refused
    /// unless `convertingIntegers` is set.
    func withFloatsCopied(
        _ name: String, into buffer: UnsafeMutableBufferPointer<Float>, convertingIntegers: Bool) throws
    /// Tensor `name` as `Int64`s. Floating-point tensors are refused unless `convertingFloats` is set, and then
    /// every value must be integral.
    func integers(_ name: String, convertingFloats: Bool) throws -> [Int64]
    /// Calls `body` with the bytes of tensor `name` exactly as stored (little-endian elements of its dtype, at
    /// any alignment); the buffer is valid only during the call. Writing them back with
    /// `WritableTensor.Storage.bytes` reproduces the tensor bit for bit, whatever its dtype.
    func withUnsafeBytes<Result>(of name: String, _ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result
}

extension SafeTensorsSource {
    /// Tensor `name` as `Float`s (F32, F16, BF16, F64 are converted); integer tensors are refused unless
    /// `convertingIntegers` is set.
    public func floats(_ name: String, convertingIntegers: Bool = false) throws -> [Float] {
        guard let info = info(name) else { throw SafeTensorsError(file: url, fault: .missingTensor(name)) }
        return try [Float](unsafeUninitializedCapacity: info.elementCount) { buffer, initializedCount in
            try withFloatsCopied(name, into: buffer, convertingIntegers: convertingIntegers)
            initializedCount = info.elementCount
        }
    }

    /// Copies floating-point tensor `name` into `buffer`, which must hold exactly its element count.
    public func withFloatsCopied(_ name: String, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        try withFloatsCopied(name, into: buffer, convertingIntegers: false)
    }

    /// Integer (or boolean) tensor `name` as `Int64`s; floating-point tensors are refused.
    public func integers(_ name: String) throws -> [Int64] {
        try integers(name, convertingFloats: false)
    }

    /// Throws unless tensor `name` exists and has exactly `shape`.
    public func expectShape(_ name: String, _ shape: [Int]) throws {
        guard let info = info(name) else { throw SafeTensorsError(file: url, fault: .missingTensor(name)) }
        guard info.shape == shape else {
            throw SafeTensorsError(file: url, fault: .shapeMismatch(tensor: name, expected: shape, found: info.shape))
        }
    }
}
