import Foundation
import JSON

/// The validated header of a safetensors file: every tensor's dtype, shape and byte range, and the metadata.
///
/// Layout: 8-byte little-endian header length `n`, `n` bytes of UTF-8 JSON, then the data section; tensor
/// offsets are relative to the data section. Validation guarantees that every byte range lies inside the data
/// section, matches shape x element size, and does not overlap another tensor, so reads need no further checks.
/// Unlike the reference implementation, gaps between tensors are tolerated (they are harmless for reading).
struct SafeTensorsHeader {
    let tensors: [String: TensorInfo]
    let metadata: [String: String]
    /// Offset of the data section from the start of the file.
    let dataStart: Int

    /// Validates the header of `file`, whose complete contents are `bytes`.
    init(bytes: UnsafeRawBufferPointer, file: URL) throws(SafeTensorsError) {
        func fail(_ fault: SafeTensorsError.Fault) -> SafeTensorsError {
            SafeTensorsError(file: file, fault: fault)
        }
        guard bytes.count >= 8 else { throw fail(.fileTooShort(byteCount: bytes.count)) }
        let headerLength = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard headerLength <= UInt64(SafeTensorsFile.maximumHeaderLength) else {
            throw fail(.headerTooLarge(headerLength: headerLength))
        }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw fail(.headerBeyondFile(headerLength: headerLength, fileSize: bytes.count))
        }
        dataStart = 8 + Int(headerLength)
        let headerBytes = Array(bytes[8 ..< dataStart])
        guard String(validating: headerBytes, as: UTF8.self) != nil else { throw fail(.headerNotUTF8) }

        let members = try Self.parseObject(headerBytes, file: file)
        let dataSize = bytes.count - dataStart
        var tensors: [String: TensorInfo] = [:]
        var metadata: [String: String] = [:]
        for member in members {
            if member.key == "__metadata__" {
                metadata = try Self.parseMetadata(member.value, file: file)
            } else {
                let info = try Self.parseEntry(name: member.key, member.value, dataSize: dataSize, file: file)
                tensors[member.key] = info
            }
        }
        try Self.checkNoOverlap(tensors.values, file: file)
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Parses `bytes` (already known to be UTF-8) as a JSON object; shared with the shard index reader.
    static func parseObject(_ bytes: [UInt8], file: URL) throws(SafeTensorsError) -> [JSONValue.Member] {
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            let fault: SafeTensorsError.Fault = switch error {
            case .duplicateKey: .duplicateKey(error.description)
            case .syntax: .invalidJSON(error.description)
            }
            throw SafeTensorsError(file: file, fault: fault)
        }
        guard case .object(let members) = value else {
            throw SafeTensorsError(file: file, fault: .notAnObject(found: value.kindName))
        }
        return members
    }

    private static func parseMetadata(_ value: JSONValue, file: URL) throws(SafeTensorsError) -> [String: String] {
        guard case .object(let members) = value else {
            throw SafeTensorsError(file: file, fault: .invalidMetadata("expected an object, found \(value.kindName)"))
        }
        var metadata: [String: String] = [:]
        for member in members {
            guard case .string(let text) = member.value else {
                throw SafeTensorsError(
                    file: file,
                    fault: .invalidMetadata("value of \"\(member.key)\" is \(member.value.kindName), not a string"))
            }
            metadata[member.key] = text
        }
        return metadata
    }

    private static func parseEntry(
        name: String, _ value: JSONValue, dataSize: Int, file: URL
    ) throws(SafeTensorsError) -> TensorInfo {
        func fail(_ fault: SafeTensorsError.Fault) -> SafeTensorsError {
            SafeTensorsError(file: file, fault: fault)
        }
        guard case .object(let members) = value else {
            throw fail(.malformedEntry(tensor: name, reason: "expected an object, found \(value.kindName)"))
        }
        func field(_ key: String) throws(SafeTensorsError) -> JSONValue {
            guard let member = members.first(where: { $0.key == key }) else {
                throw fail(.malformedEntry(tensor: name, reason: "missing \"\(key)\""))
            }
            return member.value
        }

        guard case .string(let dtypeName) = try field("dtype") else {
            throw fail(.malformedEntry(tensor: name, reason: "\"dtype\" is not a string"))
        }
        guard let dtype = DType(rawValue: dtypeName) else {
            throw fail(.unknownDType(tensor: name, dtype: dtypeName))
        }

        guard case .array(let dimensions) = try field("shape") else {
            throw fail(.malformedEntry(tensor: name, reason: "\"shape\" is not an array"))
        }
        var shape: [Int] = []
        var elementCount = 1
        for dimension in dimensions {
            guard let size = dimension.integerValue else {
                throw fail(.invalidShape(
                    tensor: name, reason: "dimension \(dimension.summary) is not a representable integer"))
            }
            guard size >= 0 else { throw fail(.invalidShape(tensor: name, reason: "negative dimension \(size)")) }
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: size)
            guard !overflow else { throw fail(.invalidShape(tensor: name, reason: "element count overflows")) }
            shape.append(size)
            elementCount = product
        }
        let (byteCount, overflow) = elementCount.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow else { throw fail(.invalidShape(tensor: name, reason: "byte count overflows")) }

        guard case .array(let offsets) = try field("data_offsets"), offsets.count == 2,
              let begin = offsets[0].integerValue, let end = offsets[1].integerValue, begin >= 0, end >= 0
        else {
            throw fail(.malformedEntry(tensor: name, reason: "\"data_offsets\" is not two non-negative integers"))
        }
        guard end >= begin else { throw fail(.offsetsReversed(tensor: name, begin: begin, end: end)) }
        guard end <= dataSize else {
            throw fail(.offsetsOutOfRange(tensor: name, begin: begin, end: end, dataSize: dataSize))
        }
        guard end - begin == byteCount else {
            throw fail(.byteLengthMismatch(tensor: name, expected: byteCount, found: end - begin))
        }
        return TensorInfo(name: name, dtype: dtype, shape: shape, elementCount: elementCount, byteRange: begin ..< end)
    }

    private static func checkNoOverlap(
        _ tensors: some Collection<TensorInfo>, file: URL
    ) throws(SafeTensorsError) {
        let ordered = tensors.sorted {
            ($0.byteRange.lowerBound, $0.byteRange.upperBound) < ($1.byteRange.lowerBound, $1.byteRange.upperBound)
        }
        for (previous, next) in zip(ordered, ordered.dropFirst())
        where next.byteRange.lowerBound < previous.byteRange.upperBound {
            throw SafeTensorsError(file: file, fault: .overlappingTensors(previous.name, next.name))
        }
    }
}
