import Foundation
import JSON

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A tensor to be written to a safetensors file.
public struct WritableTensor: Sendable {
    /// Element values, row-major.
    public enum Storage: Sendable {
        /// Written as F32.
        case float([Float])
        /// Written as F16, each value rounded to the nearest half-precision number (ties to even; beyond the
        /// largest half, infinity; NaN stays NaN).
        case half([Float])
        /// Written as I64 (e.g. `position_ids`).
        case int64([Int64])
        /// Little-endian elements of `dtype` written untouched, as `SafeTensorsSource.withUnsafeBytes` reads
        /// them (any dtype: BF16, I8, U8, I32, ...).
        case bytes(DType, [UInt8])
    }

    public var name: String
    public var shape: [Int]
    public var storage: Storage

    public init(name: String, shape: [Int], storage: Storage) {
        self.name = name
        self.shape = shape
        self.storage = storage
    }

    /// An F32 tensor.
    public init(name: String, shape: [Int], floats: [Float]) {
        self.init(name: name, shape: shape, storage: .float(floats))
    }

    /// An I64 tensor.
    public init(name: String, shape: [Int], integers: [Int64]) {
        self.init(name: name, shape: shape, storage: .int64(integers))
    }

    fileprivate var dtype: DType {
        switch storage {
        case .float: .f32
        case .half: .f16
        case .int64: .i64
        case .bytes(let dtype, _): dtype
        }
    }

    /// Number of elements given (for `.bytes`, the whole elements the bytes hold).
    fileprivate var elementCount: Int {
        switch storage {
        case .float(let values), .half(let values): values.count
        case .int64(let values): values.count
        case .bytes(let dtype, let bytes): bytes.count / dtype.byteSize
        }
    }
}

/// Writes safetensors files that Python's `safetensors` library loads.
public enum SafeTensorsWriter {
    /// Writes `tensors` to `url`, replacing any existing file atomically (the file is written under a temporary
    /// name in the same directory, then renamed).
    ///
    /// The layout follows the reference implementation: tensors ordered by element size (largest first, so every
    /// tensor stays aligned to its element size) and then by name; the header padded with spaces to a multiple
    /// of 8 bytes; `__metadata__` holds `"format": "pt"` merged with `metadata` (whose keys win).
    public static func write(_ tensors: [WritableTensor], metadata: [String: String] = [:], to url: URL) throws {
        try validate(tensors, file: url)
        let ordered = tensors.sorted { first, second in
            first.dtype.byteSize != second.dtype.byteSize
                ? first.dtype.byteSize > second.dtype.byteSize
                : first.name.utf8.lexicographicallyPrecedes(second.name.utf8)  // byte order, as in Rust
        }
        let header = headerBytes(ordered, metadata: ["format": "pt"].merging(metadata) { $1 })

        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
                throw SafeTensorsError(file: url, fault: .io("cannot create a temporary file in its directory"))
            }
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            try handle.write(contentsOf: header)
            for tensor in ordered {
                switch tensor.storage {
                case .float(let values): try writeLittleEndian(values.lazy.map(\.bitPattern), to: handle)
                case .half(let values): try writeLittleEndian(values.lazy.map(ElementEncoding.halfBits), to: handle)
                case .int64(let values): try writeLittleEndian(values, to: handle)
                case .bytes(_, let bytes): try handle.write(contentsOf: bytes)
                }
            }
            try handle.synchronize()
            guard rename(temporary.path, url.path) == 0 else {
                throw SafeTensorsError(file: url, fault: .io(String(cString: strerror(errno))))
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            if let error = error as? SafeTensorsError { throw error }
            throw SafeTensorsError(file: url, fault: .io(error.localizedDescription))
        }
    }

    private static func validate(_ tensors: [WritableTensor], file: URL) throws {
        var seen: Set<String> = []
        for tensor in tensors {
            func fail(_ reason: String) -> SafeTensorsError {
                SafeTensorsError(file: file, fault: .invalidTensor(tensor: tensor.name, reason: reason))
            }
            guard !tensor.name.isEmpty, tensor.name != "__metadata__" else { throw fail("reserved or empty name") }
            guard seen.insert(tensor.name).inserted else { throw fail("name used twice") }
            guard tensor.shape.allSatisfy({ $0 >= 0 }) else { throw fail("negative dimension in \(tensor.shape)") }
            if case .bytes(let dtype, let bytes) = tensor.storage, bytes.count % dtype.byteSize != 0 {
                throw fail("\(bytes.count) bytes are not a whole number of \(dtype.rawValue) elements")
            }
            var product = 1
            for size in tensor.shape {
                let (next, overflow) = product.multipliedReportingOverflow(by: size)
                guard !overflow else { throw fail("element count of \(tensor.shape) overflows") }
                product = next
            }
            guard product == tensor.elementCount else {
                throw fail("shape \(tensor.shape) needs \(product) elements but \(tensor.elementCount) are given")
            }
        }
    }

    /// The 8-byte length prefix followed by the JSON header, padded with spaces to a multiple of 8 bytes.
    private static func headerBytes(_ ordered: [WritableTensor], metadata: [String: String]) -> Data {
        let metadataMembers = metadata.sorted { $0.key < $1.key }.map { key, value in
            JSONValue.Member(key: key, value: .string(value))
        }
        var members = [JSONValue.Member(key: "__metadata__", value: .object(metadataMembers))]
        var offset = 0
        for tensor in ordered {
            let end = offset + tensor.elementCount * tensor.dtype.byteSize
            let entry: JSONValue = [
                "dtype": .string(tensor.dtype.rawValue), "shape": .array(tensor.shape.map { JSONValue($0) }),
                "data_offsets": [JSONValue(offset), JSONValue(end)],
            ]
            members.append(JSONValue.Member(key: tensor.name, value: entry))
            offset = end
        }
        var json = Array(JSONValue.object(members).serialized().utf8)
        json.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - json.count % 8) % 8))
        var data = Data(capacity: 8 + json.count)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: json)
        return data
    }

    /// Streams `values` to `handle` as little-endian bytes without building the whole file in memory.
    private static func writeLittleEndian<Values: Collection>(_ values: Values, to handle: FileHandle) throws
    where Values.Element: FixedWidthInteger {
        let chunkLength = 1 << 16
        var chunk: [Values.Element] = []
        chunk.reserveCapacity(chunkLength)
        var index = values.startIndex
        while index != values.endIndex {
            chunk.removeAll(keepingCapacity: true)
            while index != values.endIndex, chunk.count < chunkLength {
                chunk.append(values[index].littleEndian)
                values.formIndex(after: &index)
            }
            try chunk.withUnsafeBytes { try handle.write(contentsOf: Data($0)) }
        }
    }
}
