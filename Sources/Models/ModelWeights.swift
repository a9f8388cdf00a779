import Foundation
import NN
import SafeTensors
import Tensors

/// What loading a checkpoint into a model did.
public struct WeightLoadReport: Sendable, Equatable {
    /// Model parameters the checkpoint did not have (left at their fresh initialisation).
    public var missing: [String] = []
    /// Checkpoint tensors the model has no place for (a pretraining head, a pooler the model dropped, ...).
    public var unexpected: [String] = []

    /// The missing parameters that belong to the head, outside the base model of `config`'s family: all of a
    /// head's when the checkpoint is a bare encoder (a masked-LM teacher without its trained head).
    public func missingHead(of config: ModelConfig) -> [String] {
        let basePrefix = config.modelType.basePrefix + "."
        return missing.filter { !$0.hasPrefix(basePrefix) }
    }
}

/// Errors loading or saving model weights.
public enum ModelWeightsError: Error, CustomStringConvertible, Equatable {
    case shapeMismatch(file: String, name: String, expected: [Int], found: [Int])
    case missingWeights(directory: String, names: [String])
    case unexpectedWeights(directory: String, names: [String])
    /// A tensor stored in a narrower type (a quantized weight) is in another dtype than the model needs.
    case dtypeMismatch(file: String, name: String, expected: DType, found: DType)

    public var description: String {
        switch self {
        case let .shapeMismatch(file, name, expected, found):
            "\(file): tensor '\(name)' has shape \(found), the model needs \(expected)"
        case let .missingWeights(directory, names):
            "\(directory): checkpoint lacks \(names.count) weight(s) the model needs: \(names.prefix(8).joined(separator: ", "))"
        case let .unexpectedWeights(directory, names):
            "\(directory): checkpoint has \(names.count) weight(s) the model does not use: \(names.prefix(8).joined(separator: ", "))"
        case let .dtypeMismatch(file, name, expected, found):
            "\(file): tensor '\(name)' is \(found.rawValue), the model needs \(expected.rawValue)"
        }
    }
}

extension Module {
    /// Copies every parameter whose stored name (after `storage`, `sanitize` and the `basePrefix` convention) the
    /// checkpoint has.
    ///
    /// `storage` says under which name and in which layout the checkpoint keeps a parameter (a family's layout;
    /// a transposed tensor is transposed back). `sanitize` maps a checkpoint tensor's name to that stored name (a
    /// family's renames of older spellings), or to `nil` for a tensor that is not a parameter (ignored, never
    /// reported). A base-model checkpoint (`embeddings.…`) loads into a task model (`bert.embeddings.…`) and vice
    /// versa, as transformers does with `base_model_prefix`. Integer buffers such as `embeddings.position_ids` are
    /// ignored. An `f32` parameter takes any floating-point dtype; a parameter of another element type (a
    /// quantized weight) takes its own dtype only, bit for bit. A tensor of the wrong shape or dtype is an error;
    /// `strict` turns missing or unexpected weights into errors too.
    @discardableResult
    public func loadWeights(from checkpoint: any SafeTensorsSource, basePrefix: String, strict: Bool = false,
                            sanitize: (String) -> String? = { $0 },
                            storage: (String) -> StoredParameter = { StoredParameter(name: $0) }) throws
        -> WeightLoadReport
    {
        let parameters = namedParameters()
        // Floating-point tensors, and the I8 of quantized weights; other integers are buffers, not parameters.
        let parameterNames = checkpoint.names.filter { checkpoint.info($0).map { $0.dtype.isFloatingPoint || $0.dtype == .i8 } ?? false }
        // Checkpoint names by the stored name they stand for; what sanitizes to nil is no parameter at all.
        var sources: [String: String] = [:]
        var ignored = Set<String>()
        for name in parameterNames {
            if let target = sanitize(name) { sources[target] = name } else { ignored.insert(name) }
        }
        let modelPrefixed = parameters.contains { $0.name.hasPrefix(basePrefix + ".") }
        let checkpointPrefixed = sources.keys.contains { $0.hasPrefix(basePrefix + ".") }
        func checkpointName(_ name: String) -> String? {
            if modelPrefixed && !checkpointPrefixed && name.hasPrefix(basePrefix + ".") {
                return sources[String(name.dropFirst(basePrefix.count + 1))]
            }
            if !modelPrefixed && checkpointPrefixed { return sources["\(basePrefix).\(name)"] }
            return sources[name]
        }
        var report = WeightLoadReport()
        var used = Set<String>()
        var loaded = Set<ObjectIdentifier>()
        for (name, tensor) in parameters {
            let stored = storage(name)
            guard let source = checkpointName(stored.name) else { continue }
            let storedShape = stored.isTransposed ? tensor.shape.reversed() : tensor.shape
            if let info = checkpoint.info(source), info.shape != storedShape {
                throw ModelWeightsError.shapeMismatch(
                    file: checkpoint.url.path, name: source, expected: storedShape, found: info.shape)
            }
            if tensor.elementType != .f32 {
                let found = checkpoint.info(source)?.dtype
                guard let found, found == tensor.elementType.dtype, !stored.isTransposed else {
                    throw ModelWeightsError.dtypeMismatch(file: checkpoint.url.path, name: source,
                                                          expected: tensor.elementType.dtype, found: found ?? .f32)
                }
                try checkpoint.withUnsafeBytes(of: source) { bytes in tensor.withUnsafeMutableBytes { $0.copyMemory(from: bytes) } }
            } else if stored.isTransposed {
                let matrix = Tensor(uninitializedShape: storedShape)
                try matrix.withUnsafeMutableBufferPointer { try checkpoint.withFloatsCopied(source, into: $0) }
                tensor.copy(from: matrix.transposed())
            } else {
                try tensor.withUnsafeMutableBufferPointer { try checkpoint.withFloatsCopied(source, into: $0) }
            }
            used.insert(source)
            loaded.insert(ObjectIdentifier(tensor))
        }
        // A tied tensor (the MLM decoder is the word embedding matrix) is loaded if any of its names was, and
        // reported missing once, under its first name.
        var reported = Set<ObjectIdentifier>()
        report.missing = parameters.filter { entry in
            let identity = ObjectIdentifier(entry.tensor)
            return !loaded.contains(identity) && reported.insert(identity).inserted
        }.map(\.name)
        report.unexpected = Set(parameterNames).subtracting(used).subtracting(ignored).sorted()
        if strict && !report.missing.isEmpty {
            throw ModelWeightsError.missingWeights(directory: checkpoint.url.path, names: report.missing)
        }
        if strict && !report.unexpected.isEmpty {
            throw ModelWeightsError.unexpectedWeights(directory: checkpoint.url.path, names: report.unexpected)
        }
        return report
    }

    /// Loads a checkpoint of family `modelType` (its base prefix, its renames and its layout); see
    /// ``loadWeights(from:basePrefix:strict:sanitize:storage:)``.
    @discardableResult
    public func loadWeights(from checkpoint: any SafeTensorsSource, modelType: ModelType, strict: Bool = false) throws
        -> WeightLoadReport
    {
        try loadWeights(from: checkpoint, basePrefix: modelType.basePrefix, strict: strict,
                        sanitize: modelType.family.sanitize(checkpointName:),
                        storage: modelType.family.storage(ofParameter:))
    }

    /// Writes every parameter to a safetensors file (atomically) in the dtype of its element type, tied tensors
    /// once under their first name, each under the name and in the layout `storage` gives (a family's layout;
    /// by default its own name, as it is).
    public func saveWeights(to url: URL, storage: (String) -> StoredParameter = { StoredParameter(name: $0) }) throws {
        var seen = Set<ObjectIdentifier>()
        let tensors = namedParameters().compactMap { name, tensor -> WritableTensor? in
            guard seen.insert(ObjectIdentifier(tensor)).inserted else { return nil }
            let stored = storage(name)
            return WritableTensor(name: stored.name, tensor: stored.isTransposed ? tensor.transposed() : tensor)
        }
        try SafeTensorsWriter.write(tensors, to: url)
    }

    /// Writes every parameter in the checkpoint layout of family `modelType`; see ``saveWeights(to:storage:)``.
    public func saveWeights(to url: URL, modelType: ModelType) throws {
        try saveWeights(to: url, storage: modelType.family.storage(ofParameter:))
    }
}
