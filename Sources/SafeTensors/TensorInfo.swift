/// Where and how one tensor is stored in a safetensors file.
public struct TensorInfo: Sendable, Equatable {
    /// The tensor's name in the header (e.g. `bert.embeddings.word_embeddings.weight`).
    public let name: String
    public let dtype: DType
    /// Dimensions, outermost first; `[]` is a scalar.
    public let shape: [Int]
    /// Product of `shape` (1 for a scalar).
    public let elementCount: Int
    /// Byte range of the tensor's data, relative to the first byte after the header.
    public let byteRange: Range<Int>
}
