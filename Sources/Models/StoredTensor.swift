import SafeTensors
import Tensors

/// The glue between safetensors dtypes and tensor element types, kept here because the SafeTensors module does
/// not know tensors. Bytes are copied untouched: safetensors is little-endian, as is every CPU this runs on.
extension ElementType {
    /// The safetensors dtype that stores this element type bit for bit.
    public var dtype: DType {
        switch self {
        case .f32: .f32
        case .bf16: .bf16
        case .s8: .i8
        case .u8: .u8
        case .s32: .i32
        }
    }

    /// The element type stored as `dtype`, if there is one.
    public init?(_ dtype: DType) {
        guard let match = Self.allCases.first(where: { $0.dtype == dtype }) else { return nil }
        self = match
    }
}

extension SafeTensorsSource {
    /// Tensor `name` in the element type of its dtype, with its bytes untouched: F32, BF16, I8, U8 and I32. F16,
    /// which no element type holds, becomes an f32 tensor (exactly: every half is a float). Other dtypes (F64,
    /// I64, ...) are refused: read them with `floats` or `integers`.
    public func tensor(_ name: String) throws -> Tensor {
        guard let info = info(name) else { throw SafeTensorsError(file: url, fault: .missingTensor(name)) }
        if info.dtype == .f16 {
            let tensor = Tensor(uninitializedShape: info.shape)
            try tensor.withUnsafeMutableBufferPointer { try withFloatsCopied(name, into: $0) }
            return tensor
        }
        guard let elementType = ElementType(info.dtype) else {
            throw SafeTensorsError(file: url, fault: .wrongKind(
                tensor: name, dtype: info.dtype, requested: "a tensor (F32, F16, BF16, I8, U8 or I32)"))
        }
        return try withUnsafeBytes(of: name) { Tensor(shape: info.shape, elementType: elementType, bytes: $0) }
    }
}

extension WritableTensor {
    /// `tensor` under `name`, stored bit for bit in the dtype of its element type.
    public init(name: String, tensor: Tensor) {
        let bytes = tensor.withUnsafeBytes { Array($0) }
        self.init(name: name, shape: tensor.shape, storage: .bytes(tensor.elementType.dtype, bytes))
    }
}
