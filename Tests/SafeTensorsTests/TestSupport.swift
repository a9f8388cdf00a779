import Foundation
import SafeTensors

/// Writes a hand-made safetensors file: the 8-byte length (of `header`, unless `declaredLength` overrides it),
/// the header bytes, then `data`.
func craftFile(
    _ name: String = "crafted.safetensors", in directory: URL, header: [UInt8], data: [UInt8] = [],
    declaredLength: UInt64? = nil
) throws -> URL {
    var bytes = withUnsafeBytes(of: (declaredLength ?? UInt64(header.count)).littleEndian) { Array($0) }
    bytes += header + data
    let url = directory.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url
}

func craftFile(
    _ name: String = "crafted.safetensors", in directory: URL, header: String, data: [UInt8] = []
) throws -> URL {
    try craftFile(name, in: directory, header: Array(header.utf8), data: data)
}

/// Little-endian bytes of `values`.
func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    values.flatMap { value in withUnsafeBytes(of: value.littleEndian) { Array($0) } }
}
