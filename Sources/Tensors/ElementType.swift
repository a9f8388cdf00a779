import CDNNL

/// What the elements of a tensor are. Training and the float ops run in `f32`; `bf16` (AMX) and the 8-bit
/// integer types (VNNI/AMX) are the ones oneDNN accelerates for quantized or half-width inference, and `s32` holds
/// their integer accumulators. The Swift type of each is the `TensorElement` whose `elementType` it is.
public enum ElementType: Hashable, Sendable, CaseIterable {
    case f32, bf16, s8, u8, s32

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .f32, .s32: 4
        case .bf16: 2
        case .s8, .u8: 1
        }
    }

    /// The Swift type that holds one element.
    public var scalarType: any TensorElement.Type {
        switch self {
        case .f32: Float.self
        case .bf16: BFloat16.self
        case .s8: Int8.self
        case .u8: UInt8.self
        case .s32: Int32.self
        }
    }

    /// The same type in oneDNN's memory descriptors.
    var dnnl: dnnl_data_type_t {
        switch self {
        case .f32: dnnl_f32
        case .bf16: dnnl_bf16
        case .s8: dnnl_s8
        case .u8: dnnl_u8
        case .s32: dnnl_s32
        }
    }
}
