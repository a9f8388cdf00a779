import Foundation

/// A safetensors file, index or directory that cannot be read or written, with the file and the fault.
public struct SafeTensorsError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file (or directory) at fault.
    public let file: URL
    public let fault: Fault

    public init(file: URL, fault: Fault) {
        self.file = file
        self.fault = fault
    }

    public var description: String { "\(file.path): \(fault)" }

    /// What is wrong.
    public enum Fault: Sendable, Equatable, CustomStringConvertible {
        /// The file system refused (missing file, permissions, disk full, ...).
        case io(String)
        /// Fewer than the 8 bytes of the header length.
        case fileTooShort(byteCount: Int)
        /// The header length points past the end of the file.
        case headerBeyondFile(headerLength: UInt64, fileSize: Int)
        /// The header length exceeds `SafeTensorsFile.maximumHeaderLength`.
        case headerTooLarge(headerLength: UInt64)
        case headerNotUTF8
        /// The header (or index) is not valid JSON.
        case invalidJSON(String)
        /// The header (or index) is valid JSON but not an object.
        case notAnObject(found: String)
        /// An object in the header (or index) has the same key twice.
        case duplicateKey(String)
        /// `__metadata__` is not an object of strings.
        case invalidMetadata(String)
        /// A tensor entry lacks a field or has one of the wrong kind.
        case malformedEntry(tensor: String, reason: String)
        case unknownDType(tensor: String, dtype: String)
        /// Negative dimension, non-integer dimension, or an element/byte count that overflows.
        case invalidShape(tensor: String, reason: String)
        /// `data_offsets` end beyond the data section.
        case offsetsOutOfRange(tensor: String, begin: Int, end: Int, dataSize: Int)
        case offsetsReversed(tensor: String, begin: Int, end: Int)
        /// `data_offsets` span does not equal shape x element size.
        case byteLengthMismatch(tensor: String, expected: Int, found: Int)
        case overlappingTensors(String, String)
        case missingTensor(String)
        /// Floats requested from an integer tensor or integers from a floating-point tensor.
        case wrongKind(tensor: String, dtype: DType, requested: String)
        /// A value cannot be represented as requested (non-integral float, unsigned value beyond `Int64.max`).
        case valueNotRepresentable(tensor: String, index: Int, reason: String)
        /// The destination buffer does not hold exactly the tensor's element count.
        case elementCountMismatch(tensor: String, expected: Int, found: Int)
        case shapeMismatch(tensor: String, expected: [Int], found: [Int])
        /// Only a PyTorch pickle checkpoint is present.
        case pickleCheckpoint(found: String)
        /// A directory holds no checkpoint; lists the file names looked for.
        case noCheckpoint(lookedFor: [String])
        /// `model.safetensors.index.json` is malformed or names an unusable shard.
        case invalidIndex(String)
        /// A tensor given to the writer is unusable.
        case invalidTensor(tensor: String, reason: String)

        public var description: String {
            switch self {
            case .io(let message):
                "cannot access file: \(message)"
            case .fileTooShort(let count):
                "file has \(count) bytes, fewer than the 8-byte header length"
            case .headerBeyondFile(let length, let size):
                "header length \(length) goes past the end of the \(size)-byte file"
            case .headerTooLarge(let length):
                "header length \(length) exceeds the limit of \(SafeTensorsFile.maximumHeaderLength) bytes"
            case .headerNotUTF8:
                "header is not valid UTF-8"
            case .invalidJSON(let reason):
                "invalid JSON: \(reason)"
            case .notAnObject(let found):
                "expected a JSON object, found \(found)"
            case .duplicateKey(let message):
                message
            case .invalidMetadata(let reason):
                "invalid __metadata__: \(reason)"
            case .malformedEntry(let tensor, let reason):
                "tensor \"\(tensor)\": \(reason)"
            case .unknownDType(let tensor, let dtype):
                "tensor \"\(tensor)\": unknown dtype \"\(dtype)\" (known: "
                    + DType.allCases.map(\.rawValue).joined(separator: ", ") + ")"
            case .invalidShape(let tensor, let reason):
                "tensor \"\(tensor)\": invalid shape: \(reason)"
            case .offsetsOutOfRange(let tensor, let begin, let end, let size):
                "tensor \"\(tensor)\": data_offsets [\(begin), \(end)] exceed the \(size)-byte data section"
            case .offsetsReversed(let tensor, let begin, let end):
                "tensor \"\(tensor)\": data_offsets [\(begin), \(end)] end before they begin"
            case .byteLengthMismatch(let tensor, let expected, let found):
                "tensor \"\(tensor)\": data_offsets span \(found) bytes but shape x dtype needs \(expected)"
            case .overlappingTensors(let first, let second):
                "tensors \"\(first)\" and \"\(second)\" overlap"
            case .missingTensor(let name):
                "no tensor named \"\(name)\""
            case .wrongKind(let tensor, let dtype, let requested):
                "tensor \"\(tensor)\" has dtype \(dtype.rawValue) and cannot be read as \(requested) without conversion"
            case .valueNotRepresentable(let tensor, let index, let reason):
                "tensor \"\(tensor)\": element \(index) \(reason)"
            case .elementCountMismatch(let tensor, let expected, let found):
                "tensor \"\(tensor)\" has \(expected) elements but the buffer holds \(found)"
            case .shapeMismatch(let tensor, let expected, let found):
                "tensor \"\(tensor)\" has shape \(found), expected \(expected)"
            case .pickleCheckpoint(let found):
                "only a PyTorch pickle checkpoint (\(found)) is present; pickles are never loaded. Convert it to "
                    + "safetensors with Python: from transformers import AutoModel; "
                    + "AutoModel.from_pretrained(dir).save_pretrained(dir, safe_serialization=True)"
            case .noCheckpoint(let names):
                "no checkpoint found; looked for " + names.joined(separator: ", ")
            case .invalidIndex(let reason):
                "invalid shard index: \(reason)"
            case .invalidTensor(let tensor, let reason):
                "cannot write tensor \"\(tensor)\": \(reason)"
            }
        }
    }
}
