import Foundation

/// One safetensors file, memory-mapped and validated on opening; immutable afterwards.
///
/// Opening reads only the header; tensor bytes are paged in from the mapping when a tensor is read.
public final class SafeTensorsFile: SafeTensorsSource {
    /// Headers larger than this are rejected as corrupt (real headers are kilobytes to a few megabytes).
    public static let maximumHeaderLength = 100_000_000

    public let url: URL
    /// The header's `__metadata__` (e.g. `["format": "pt"]`); empty if absent.
    public let metadata: [String: String]
    public let names: [String]
    private let tensors: [String: TensorInfo]
    /// The whole file, memory-mapped.
    private let bytes: Data
    private let dataStart: Int

    /// Maps and validates the file at `url`.
    public init(url: URL) throws {
        self.url = url
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw SafeTensorsError(
                file: url, fault: .io("is a directory (open model directories with SafeTensorsCheckpoint)"))
        }
        do {
            bytes = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw SafeTensorsError(file: url, fault: .io(error.localizedDescription))
        }
        let header = try bytes.withUnsafeBytes { raw throws(SafeTensorsError) in
            try SafeTensorsHeader(bytes: raw, file: url)
        }
        tensors = header.tensors
        metadata = header.metadata
        dataStart = header.dataStart
        names = header.tensors.keys.sorted()
    }

    public func info(_ name: String) -> TensorInfo? {
        tensors[name]
    }

    public func withFloatsCopied(
        _ name: String, into buffer: UnsafeMutableBufferPointer<Float>, convertingIntegers: Bool
    ) throws {
        let info = try checkedInfo(name, floatingPoint: true, converting: convertingIntegers)
        guard buffer.count == info.elementCount else {
            throw SafeTensorsError(
                file: url, fault: .elementCountMismatch(tensor: name, expected: info.elementCount, found: buffer.count))
        }
        withTensorBytes(info) { ElementDecoding.decodeFloats(info.dtype, from: $0, into: buffer) }
    }

    public func integers(_ name: String, convertingFloats: Bool) throws -> [Int64] {
        let info = try checkedInfo(name, floatingPoint: false, converting: convertingFloats)
        var failure: (index: Int, reason: String)?
        let values = [Int64](unsafeUninitializedCapacity: info.elementCount) { buffer, initializedCount in
            failure = withTensorBytes(info) { ElementDecoding.decodeIntegers(info.dtype, from: $0, into: buffer) }
            initializedCount = failure == nil ? info.elementCount : 0
        }
        if let failure {
            throw SafeTensorsError(
                file: url, fault: .valueNotRepresentable(tensor: name, index: failure.index, reason: failure.reason))
        }
        return values
    }

    public func withUnsafeBytes<Result>(
        of name: String, _ body: (UnsafeRawBufferPointer) throws -> Result
    ) throws -> Result {
        guard let info = tensors[name] else { throw SafeTensorsError(file: url, fault: .missingTensor(name)) }
        return try withTensorBytes(info, body)
    }

    /// The info of `name`, checked to be of the requested kind unless conversion is allowed.
    private func checkedInfo(_ name: String, floatingPoint: Bool, converting: Bool) throws -> TensorInfo {
        guard let info = tensors[name] else { throw SafeTensorsError(file: url, fault: .missingTensor(name)) }
        guard converting || info.dtype.isFloatingPoint == floatingPoint else {
            throw SafeTensorsError(
                file: url,
                fault: .wrongKind(tensor: name, dtype: info.dtype, requested: floatingPoint ? "floats" : "integers"))
        }
        return info
    }

    /// Calls `body` with the tensor's bytes inside the mapping (ranges were validated when the header was read).
    private func withTensorBytes<Result>(
        _ info: TensorInfo, _ body: (UnsafeRawBufferPointer) throws -> Result
    ) rethrows -> Result {
        let start = dataStart + info.byteRange.lowerBound
        return try bytes.withUnsafeBytes { raw in
            try body(UnsafeRawBufferPointer(rebasing: raw[start ..< start + info.byteRange.count]))
        }
    }
}
