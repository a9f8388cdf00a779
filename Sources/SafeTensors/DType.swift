/// Element types of the safetensors format that this module understands, named as in the file header.
///
/// Floating-point types are read as `Float`; integer and boolean types are read as `Int64`; any type can be read
/// and written as raw bytes (`SafeTensorsSource.withUnsafeBytes(of:_:)`, `WritableTensor.Storage.bytes`).
public enum DType: String, Sendable, CaseIterable {
    case f64 = "F64"
    case f32 = "F32"
    case f16 = "F16"
    case bf16 = "BF16"
    case i64 = "I64"
    case i32 = "I32"
    case i16 = "I16"
    case i8 = "I8"
    case u64 = "U64"
    case u32 = "U32"
    case u16 = "U16"
    case u8 = "U8"
    case bool = "BOOL"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .f64, .i64, .u64: 8
        case .f32, .i32, .u32: 4
        case .f16, .bf16, .i16, .u16: 2
        case .i8, .u8, .bool: 1
        }
    }

    /// Whether elements are floating-point numbers (as opposed to integers or booleans).
    public var isFloatingPoint: Bool {
        switch self {
        case .f64, .f32, .f16, .bf16: true
        case .i64, .i32, .i16, .i8, .u64, .u32, .u16, .u8, .bool: false
        }
    }
}
